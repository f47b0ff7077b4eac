#!/usr/bin/env bash
# The optional interoperability suite against the real PEFT (`pnpm test:interop`): lorakit's adapters loaded and
# merged by PEFT, PEFT's adapters read and merged by lorakit (core), and adapters trained and models merged by
# lorakit against transformers' logits, both ways (trainer). Needs Python ≥ 3.10 and pip; without them (or when
# the install fails) it says why in one line and exits 0: 0 passed, 0 failed, the suite skipped.
#
#   LORAKIT_PEERS_PYTHON=/path/to/python   use this Python (it must already have the pinned packages) instead of
#                                          creating .venv-peers/
#   LORAKIT_PYTHON=python3.12              the Python that creates .venv-peers/ (default python3)
#   LORAKIT_TORCH_INDEX_URL=URL            an extra index for torch, e.g. https://download.pytorch.org/whl/cpu for
#                                          the CPU-only wheel (far smaller than PyPI's CUDA one)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The versions the suite was written against (PEFT's file format is the thing under test).
pins=(torch==2.15.0 transformers==5.24.0 peft==0.21.2 safetensors==0.8.0)
venv="$root/.venv-peers"
stamp="$venv/.lorakit-pins"

skip() {
  echo "test:interop: skipped, $1 (0 passed, 0 failed, 1 skipped)"
  exit 0
}

# Exits non-zero unless PYTHON imports the four packages at exactly the pinned versions.
has_pins() {
  "$1" - "${pins[@]}" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    if version(name).split("+")[0] != wanted:
        sys.exit(1)
import peft, safetensors, torch, transformers  # noqa: E401,F401  (the import itself must work)
PY
}

if [[ -n "${LORAKIT_PEERS_PYTHON:-}" ]]; then
  python="$LORAKIT_PEERS_PYTHON"
  [[ -x "$python" ]] || skip "LORAKIT_PEERS_PYTHON=$python is not an executable"
  has_pins "$python" || echo "test:interop: note: $python lacks one of ${pins[*]} at that version; using it anyway" >&2
else
  python="$venv/bin/python"
  if ! [[ -x "$python" && -f "$stamp" && "$(cat "$stamp")" == "${pins[*]}" ]] || ! has_pins "$python"; then
    creator="${LORAKIT_PYTHON:-python3}"
    command -v "$creator" >/dev/null 2>&1 || skip "no $creator on PATH (install Python 3.10+ or set LORAKIT_PEERS_PYTHON)"
    "$creator" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
      skip "$creator is older than 3.10, which transformers ${pins[1]#*==} needs"
    rm -rf "$venv"
    "$creator" -m venv "$venv" >/dev/null 2>&1 || skip "$creator -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    log="$venv/install.log"
    echo "test:interop: installing ${pins[*]} into .venv-peers/ (once; torch is large)" >&2
    extra=()
    [[ -n "${LORAKIT_TORCH_INDEX_URL:-}" ]] && extra=(--extra-index-url "$LORAKIT_TORCH_INDEX_URL")
    if ! "$python" -m pip install --quiet "${extra[@]}" "${pins[@]}" >"$log" 2>&1; then
      reason="$(grep -m1 -E 'ERROR|error' "$log" || tail -n1 "$log")"
      skip "pip install of ${pins[*]} failed: ${reason:-see $log}"
    fi
    echo "${pins[*]}" >"$stamp"
  fi
fi

start=$SECONDS
status=0
# core's files (adapter formats) need only core built, which keeps them independent of the other packages.
pnpm --dir packages/core build
LORAKIT_INTEROP=1 LORAKIT_PEERS_PYTHON="$python" pnpm --dir packages/core exec vitest run || status=$?
# trainer's files (trained adapters, merged models, logits) run models on the native cpu backend: build the
# trainer and what it depends on (kernels-cuda, models), in order.
if pnpm --filter '@lorakit/trainer...' run build; then
  LORAKIT_INTEROP=1 LORAKIT_PEERS_PYTHON="$python" pnpm --dir packages/trainer exec vitest run || status=$?
else
  echo "test:interop: building @lorakit/trainer and its dependencies failed" >&2
  status=1
fi
echo "test:interop: finished in $((SECONDS - start)) s, exit $status (Python: $python)"
exit "$status"
