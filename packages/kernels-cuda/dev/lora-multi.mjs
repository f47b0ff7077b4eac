// Kernel work on multi-adapter LoRA (see README.md): a plain reference, the native gather and segmented forms,
// a correctness check, and the target: 64 distinct adapters in a 64-row batch ≤ 1.1× the time with one adapter.
//   node dev/lora-multi.mjs [--threads N] [--shape 64,2048,2048,16] [--adapters 64]
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)('../native/build/Release/lorakit_cpu.node');
const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
native.setThreadCount(Number(argument('threads', native.threadCount())));
// --kernel avx2 | avx512: the GEMM micro-kernel (default: AVX-512 where the CPU has it).
if (!native.setGemmKernel(argument('kernel', native.gemmKernel())))
  throw new Error('this CPU lacks that kernel');
const [T, IN, OUT, R] = argument('shape', '64,2048,2048,16').split(',').map(Number);
const COUNT = Number(argument('adapters', String(T)));
const random = (length, scale = 1) => Float32Array.from({ length }, () => (Math.random() * 2 - 1) * scale);

const x = random(T * IN),
  w = random(OUT * IN, 0.05),
  b = random(OUT),
  out = new Float32Array(T * OUT);
// Ranks differ between adapters in the check (true rank, no padding); the benchmark uses R for all.
const ranks = Int32Array.from({ length: COUNT }, (_, a) =>
  a % 3 === 0 ? R : a % 3 === 1 ? Math.max(1, R >> 1) : R + 3,
);
const loraA = [...ranks].map((r) => random(r * IN, 0.05));
const loraB = [...ranks].map((r) => random(OUT * r, 0.05));
const scales = Float32Array.from({ length: COUNT }, (_, a) => 0.5 + (a % 4));

/** out[t] = x[t]·Wᵀ + b + s_a·(x[t]·A_aᵀ)·B_aᵀ in float64. */
function referenceRow(t, adapter) {
  const row = new Float64Array(OUT);
  const r = adapter >= 0 ? ranks[adapter] : 0;
  const shrink = new Float64Array(r);
  for (let j = 0; j < r; j++)
    for (let i = 0; i < IN; i++) shrink[j] += x[t * IN + i] * loraA[adapter][j * IN + i];
  for (let o = 0; o < OUT; o++) {
    let sum = b[o];
    for (let i = 0; i < IN; i++) sum += x[t * IN + i] * w[o * IN + i];
    for (let j = 0; j < r; j++) sum += scales[adapter] * shrink[j] * loraB[adapter][o * r + j];
    row[o] = sum;
  }
  return row;
}

// Check: a mix of −1, scattered rows and a contiguous run of 20 rows of one adapter (the GEMM path).
const rowAdapter = Int32Array.from({ length: T }, (_, t) =>
  t % 7 === 3 ? -1 : t >= 20 && t < 40 ? 1 : t % COUNT,
);
native.loraMultiForward(x, w, b, loraA, loraB, ranks, scales, rowAdapter, out, T, IN, OUT);
let worst = 0;
for (const t of [0, 3, 5, 20, 39, T - 1].filter((row) => row < T)) {
  const expected = referenceRow(t, rowAdapter[t]);
  for (let o = 0; o < OUT; o++)
    worst = Math.max(worst, Math.abs(expected[o] - out[t * OUT + o]) / (1e-4 + 1e-4 * Math.abs(expected[o])));
}
console.log(`check: ${worst <= 1 ? 'ok' : 'FAILED'} (worst error / tolerance = ${worst.toFixed(3)})`);

function compare(title, variants, rounds = 30) {
  const samples = variants.map(() => []);
  for (const [, run] of variants) for (let i = 0; i < 3; i++) run();
  for (let round = 0; round < rounds; round++) {
    variants.forEach(([, run], index) => {
      const start = process.hrtime.bigint();
      run();
      samples[index].push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  console.log(title);
  const medianOf = (values) => [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)];
  variants.forEach(([label], index) => {
    const times = samples[index];
    const ratio = medianOf(times.map((value, round) => value / samples[0][round]));
    console.log(
      `  ${label.padEnd(44)} min ${Math.min(...times)
        .toFixed(3)
        .padStart(7)} ms  median ${medianOf(times).toFixed(3).padStart(7)} ms  ratio ${ratio.toFixed(3)}`,
    );
  });
}

const uniformRanks = new Int32Array(COUNT).fill(R);
const uniformA = Array.from({ length: COUNT }, () => random(R * IN, 0.05));
const uniformB = Array.from({ length: COUNT }, () => random(OUT * R, 0.05));
const one = new Int32Array(T).fill(0);
const distinct = Int32Array.from({ length: T }, (_, t) => t % COUNT);
const segmentsOne = Int32Array.of(0, T, 0);
const segmentsDistinct = Int32Array.from({ length: 3 * T }, (_, i) =>
  i % 3 === 0 ? i / 3 : i % 3 === 1 ? 1 : ((i - 2) / 3) % COUNT,
);
console.log(
  `[T=${T}, ${IN}→${OUT}, r=${R}], ${COUNT} adapters, ${native.threadCount()} threads, ${native.gemmKernel()} GEMM`,
);
compare('gather form (ratio to one adapter; target ≤ 1.1)', [
  [
    'one adapter for all rows',
    () => native.loraMultiForward(x, w, b, uniformA, uniformB, uniformRanks, scales, one, out, T, IN, OUT),
  ],
  [
    `${COUNT} distinct adapters`,
    () =>
      native.loraMultiForward(x, w, b, uniformA, uniformB, uniformRanks, scales, distinct, out, T, IN, OUT),
  ],
  [
    'base layer only (all −1)',
    () =>
      native.loraMultiForward(
        x,
        w,
        b,
        uniformA,
        uniformB,
        uniformRanks,
        scales,
        new Int32Array(T).fill(-1),
        out,
        T,
        IN,
        OUT,
      ),
  ],
]);
compare('segmented form', [
  [
    'one segment, one adapter',
    () =>
      native.loraSegmentedForward(
        x,
        w,
        b,
        uniformA,
        uniformB,
        uniformRanks,
        scales,
        segmentsOne,
        out,
        T,
        IN,
        OUT,
      ),
  ],
  [
    `${T} one-row segments, ${COUNT} adapters`,
    () =>
      native.loraSegmentedForward(
        x,
        w,
        b,
        uniformA,
        uniformB,
        uniformRanks,
        scales,
        segmentsDistinct,
        out,
        T,
        IN,
        OUT,
      ),
  ],
]);
