// The GPU checks of the cuda backend (`pnpm test:gpu`, `pnpm bench:gpu`), for a machine with an NVIDIA GPU and
// the addon built (`pnpm build` with nvcc, or scripts/ci-cuda-compile.sh). Uses the compiled dist/.
//   node scripts/gpu.mjs test   every parity case (src/cuda/parity-cases.ts) at small and large shapes against the
//                               reference, with cuBLAS and with the own GEMM kernel; ends with "N passed, N failed"
//   node scripts/gpu.mjs bench  CLI.md's kernel cases plus GPU-sized attention, decode, norm, loss and optimizer
//                               cases; prints one JSON document { machine, results: [{ name, op, shape, ms, … }] }
// Without a GPU (or without the addon) it prints "skipped: no CUDA GPU (<reason>)" and exits 0. Both modes finish
// in well under five minutes on one H100/H200.
// LORAKIT_GPU_DRY_RUN=1 runs the script itself on the CPU emulation of the kernels, with small shapes only, to check
// it on a machine without a GPU before spending GPU time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const mode = process.argv[2];
if (mode !== 'test' && mode !== 'bench') {
  console.error('usage: node scripts/gpu.mjs test|bench');
  process.exit(2);
}
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
if (!existsSync(join(dist, 'cuda', 'load-cuda.js'))) {
  console.error(`gpu: ${dist}/cuda is missing: run \`pnpm build\` first`);
  process.exit(1);
}
// cuBLAS from pip wheels (e.g. PyTorch's) is not on the loader's path: find it through python3's site-packages.
if (!process.env.LORAKIT_CUBLAS_LIBRARY) {
  const script =
    "import glob, site; p = sorted(q for d in site.getsitepackages() for q in glob.glob(d + '/nvidia/*/lib/libcublas.so.*')); print(p[-1] if p else '')";
  const found = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) process.env.LORAKIT_CUBLAS_LIBRARY = found.stdout.trim();
}
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { loadCuda } = await load('cuda/load-cuda.js');
const dryRun = process.env.LORAKIT_GPU_DRY_RUN === '1';
const variant = dryRun ? 'emulated' : 'device';
/** The GPU-sized value, or a tiny one in a dry run. */
const pick = (real, tiny) => (dryRun ? tiny : real);
const loaded = loadCuda(variant);
if ('unavailable' in loaded) {
  console.log(`skipped: no CUDA GPU (${loaded.unavailable})`);
  process.exit(0);
}
const { createCudaBackend } = await load('cuda/create-cuda-backend.js');
const backend = createCudaBackend({ variant });
console.error(`gpu: ${backend.description}`);

if (mode === 'test') await runTests();
else await runBench();

async function runTests() {
  const { PARITY_CASES, ParityContext, worstMismatch } = await load('cuda/parity-cases.js');
  const { createReferenceBackend } = await load('reference/reference-backend.js');
  const reference = createReferenceBackend();
  const variants = [
    { label: 'cuBLAS', cublas: true },
    { label: 'own GEMM', cublas: false },
  ];
  let passed = 0;
  let failed = 0;
  for (const shapes of dryRun ? ['small'] : ['small', 'large']) {
    for (const parityCase of PARITY_CASES) {
      const expectedContext = new ParityContext(reference, shapes, 42);
      const expected = parityCase.run(expectedContext);
      expectedContext.dispose();
      for (const gemm of variants) {
        if (gemm.cublas && !backend.cublas.startsWith('lib')) continue;
        loaded.module.setCublasEnabled(gemm.cublas);
        const context = new ParityContext(backend, shapes, 42);
        const started = performance.now();
        const problems = [];
        try {
          const actual = parityCase.run(context);
          for (const [name, values] of Object.entries(expected)) {
            const mismatch = worstMismatch(
              values,
              actual[name] ?? Number.NaN,
              parityCase.atol,
              parityCase.rtol,
            );
            if (mismatch !== undefined) problems.push(`${name}: ${mismatch}`);
          }
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        } finally {
          context.dispose();
        }
        const ms = (performance.now() - started).toFixed(0);
        const label = `${parityCase.name} [${shapes}, ${gemm.label}] (atol ${parityCase.atol}, rtol ${parityCase.rtol}, ${ms} ms)`;
        if (problems.length === 0) {
          passed++;
          console.log(`ok    ${label}`);
        } else {
          failed++;
          console.log(`FAIL  ${label}\n      ${problems.join('\n      ')}`);
        }
      }
    }
  }
  loaded.module.setCublasEnabled(true);
  backend.dispose();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

async function runBench() {
  const { benchKernels } = await load('bench/bench-kernels.js');
  const tinyCases = [
    { op: 'matmul', shape: [32, 40, 48] },
    { op: 'lora_linear_forward', shape: [16, 32, 32, 4] },
    { op: 'lora_linear_backward', shape: [16, 32, 32, 4] },
    { op: 'lora_multi_forward', shape: [8, 32, 32, 4, 3] },
  ];
  const results = benchKernels(backend, {
    ...(dryRun ? { cases: tinyCases } : {}),
    minSeconds: pick(0.5, 0.01),
    onCase: (kernelCase) => console.error(`gpu: ${kernelCase.op} [${kernelCase.shape}]`),
  });
  results.push(...gpuCases());
  console.log(
    JSON.stringify({ machine: { device: backend.device, cublas: backend.cublas }, results }, null, 2),
  );
  backend.dispose();
}

/** Median per-run milliseconds: runs are queued in batches of ≥ 20 ms between synchronisations. */
function time(run) {
  for (let i = 0; i < 3; i++) run();
  backend.synchronize();
  let batch = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) run();
    backend.synchronize();
    if (performance.now() - started >= pick(20, 1) || batch >= 4096) break;
    batch *= 4;
  }
  const samples = [];
  for (let sample = 0; sample < 7; sample++) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) run();
    backend.synchronize();
    samples.push((performance.now() - started) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[3];
}

function gpuCases() {
  const results = [];
  const made = [];
  const random = (shape, dtype = 'f32', scale = 0.1) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (Math.random() * 2 - 1) * scale;
    const tensor = backend.fromArray(values, shape, dtype);
    made.push(tensor);
    return tensor;
  };
  const record = (op, shape, flops, bytes, run, extra = {}) => {
    console.error(`gpu: ${op} [${shape}]`);
    const ms = time(run);
    results.push({
      name: `${op} [${shape.join(', ')}]`,
      op,
      shape,
      backend: 'cuda',
      ms,
      gflops: flops / ms / 1e6,
      gbPerS: bytes / ms / 1e6,
      ...extra,
    });
    for (const tensor of made.splice(0)) tensor.dispose();
  };
  const m = loaded.module;
  for (const [n, cublas] of [
    [pick(4096, 48), true],
    [pick(4096, 48), false],
  ]) {
    const [a, b, out] = [random([n, n]), random([n, n]), random([n, n])];
    record(
      'matmul_f32',
      [n, n, n],
      2 * n ** 3,
      12 * n * n,
      () => {
        m.setCublasEnabled(cublas);
        backend.matmul(out, a, b);
      },
      { kernel: cublas && backend.cublas.startsWith('lib') ? 'cuBLAS' : 'own' },
    );
    m.setCublasEnabled(true);
  }
  for (const n of pick([4096, 8192], [40])) {
    const [a, b, out] = [random([n, n], 'bf16'), random([n, n], 'bf16'), random([n, n], 'bf16')];
    record('matmul_bf16', [n, n, n], 2 * n ** 3, 6 * n * n, () =>
      m.matmul(out.handle, a.handle, b.handle, 2, 1, n, n, n, 0, 0, false, false, 1, 0),
    );
  }
  for (const [B, T, Hq, Hkv, D] of pick(
    [
      [4, 2048, 32, 8, 128],
      [1, 4096, 32, 8, 128],
    ],
    [[1, 20, 4, 2, 16]],
  )) {
    const [q, k, v, out, lse] = [
      random([B, T, Hq, D], 'f32', 1),
      random([B, T, Hkv, D], 'f32', 1),
      random([B, T, Hkv, D]),
      random([B, T, Hq, D]),
      random([B, Hq, T]),
    ];
    const flops = ((2 * 2 * B * Hq * (T * (T + 1))) / 2) * D;
    record('attention_forward', [B, T, Hq, Hkv, D], flops, 4 * (2 * q.size + 2 * k.size), () =>
      backend.attention({ q, k, v, out, logSumExp: lse }),
    );
    const [q2, k2, v2, out2, lse2] = [
      random([B, T, Hq, D], 'f32', 1),
      random([B, T, Hkv, D], 'f32', 1),
      random([B, T, Hkv, D]),
      random([B, T, Hq, D]),
      random([B, Hq, T]),
    ];
    backend.attention({ q: q2, k: k2, v: v2, out: out2, logSumExp: lse2 });
    const [dOut, dq, dk, dv] = [
      random([B, T, Hq, D]),
      random([B, T, Hq, D]),
      random([B, T, Hkv, D]),
      random([B, T, Hkv, D]),
    ];
    record('attention_backward', [B, T, Hq, Hkv, D], 2.5 * flops, 4 * (4 * q2.size + 4 * k2.size), () =>
      backend.attentionBackward({ dOut, q: q2, k: k2, v: v2, out: out2, logSumExp: lse2, dq, dk, dv }),
    );
  }
  {
    const [B, maxT, Hq, Hkv, D] = pick([16, 4096, 32, 8, 128], [2, 70, 4, 2, 16]);
    const [q, keyCache, valueCache, out] = [
      random([B, Hq, D]),
      random([B, maxT, Hkv, D]),
      random([B, maxT, Hkv, D]),
      random([B, Hq, D]),
    ];
    const lengths = new Int32Array(B).fill(maxT);
    record('decode_attention', [B, maxT, Hq, Hkv, D], 4 * B * Hq * maxT * D, 2 * keyCache.size * 4, () =>
      backend.decodeAttention({ q, keyCache, valueCache, lengths, out }),
    );
  }
  {
    const [rows, H] = pick([8192, 4096], [4, 100]);
    const [x, weight, out, rstd] = [random([rows, H]), random([H]), random([rows, H]), random([rows])];
    record('rms_norm', [rows, H], 4 * rows * H, 8 * rows * H, () =>
      backend.rmsNorm(out, x, weight, 1e-5, rstd),
    );
  }
  {
    const [T, V] = pick([1024, 128256], [4, 300]);
    const [logits, losses] = [random([T, V], 'f32', 4), random([T])];
    const targets = Int32Array.from({ length: T }, (_, t) => (t * 7919) % V);
    record('cross_entropy', [T, V], 5 * T * V, 12 * T * V, () =>
      backend.crossEntropy({ logits, targets, losses, dLogits: logits, gradScale: 1 / T }),
    );
  }
  {
    const size = pick(50_000_000, 1000);
    const [param, grad, mm, vv] = [random([size]), random([size]), random([size]), random([size], 'f32', 0)];
    record('adamw', [size], 16 * size, 28 * size, () =>
      backend.adamw({
        param,
        grad,
        m: mm,
        v: vv,
        step: 10,
        lr: 1e-4,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0.01,
      }),
    );
  }
  return results;
}
