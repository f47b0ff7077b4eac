#!/usr/bin/env bash
# CI's CUDA compile check: installs a CUDA toolkit made of pip wheels (nvcc, runtime with libcudart_static.a,
# CCCL headers, cuBLAS headers) into native-cuda/.venv-cuda (git-ignored) and builds the CUDA addon with it, so a
# CUDA build break fails CI although CI has no GPU. Then it checks that the addon loads here and reports the
# missing GPU as a reason, not a crash. If pip cannot install the wheels (no network, no Python), it says why
# and exits 0: the check is skipped, not failed. Usage: bash scripts/ci-cuda-compile.sh (from anywhere).
set -uo pipefail
package_root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$package_root/native-cuda/.venv-cuda"
# CUDA 13.0: its runtime needs driver ≥ 580 (the H200 machines run 580); nvcc 13.0 accepts g++ 12.
wheels=(
  nvidia-cuda-nvcc==13.0.88 nvidia-nvvm==13.0.88 nvidia-cuda-crt==13.0.88
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85 nvidia-cublas==13.0.2.14
)

skip() {
  echo "cuda compile check skipped: $*"
  exit 0
}

command -v python3 >/dev/null || skip "python3 not found"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" 2>/dev/null || skip "python3 -m venv failed (install python3-venv)"
fi
# pip's own resolver would pull the newest nvvm/crt (a newer PTX than this ptxas reads): pin all and use --no-deps.
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${wheels[@]}"; then
  skip "pip could not install ${wheels[*]}"
fi
cuda_home="$(echo "$venv"/lib/python3*/site-packages/nvidia/cu13)"
[ -x "$cuda_home/bin/nvcc" ] || skip "the wheels hold no nvcc at $cuda_home/bin/nvcc"
[ -f "$cuda_home/lib/libcudart_static.a" ] || { echo "cuda compile check: $cuda_home/lib/libcudart_static.a is missing"; exit 1; }

echo "cuda compile check: $("$cuda_home/bin/nvcc" --version | tail -n 2 | head -n 1)"
LORAKIT_CUDA_HOME="$cuda_home" LORAKIT_CUDA_REQUIRED=1 node "$package_root/scripts/build-cuda.mjs" || exit 1

# The addon must load on this GPU-less machine and say why it cannot run.
node --input-type=module -e "
import { createRequire } from 'node:module';
const addon = createRequire(import.meta.url)('$package_root/native-cuda/build/lorakit_cuda.node');
const info = addon.deviceInfo();
console.log('cuda addon loads: ' + (info.available ? 'GPU ' + info.name : 'no GPU here (' + info.reason + ')'));
" || { echo "cuda compile check: the built addon does not load"; exit 1; }
