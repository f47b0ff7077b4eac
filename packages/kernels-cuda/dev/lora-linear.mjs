// Kernel work on the fused LoRA linear layer (see README.md): a plain reference, the native version, a
// correctness check, and timings against the base matmul alone (target: forward ≤ 1.03× at r = 16).
//   node dev/lora-linear.mjs [--threads N] [--shape 512,2048,2048,16] [--dropout 0.1]
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
const [T, IN, OUT, R] = argument('shape', '512,2048,2048,16').split(',').map(Number);
const P = Number(argument('dropout', '0'));
const random = (length, scale = 1) => Float32Array.from({ length }, () => (Math.random() * 2 - 1) * scale);

/** y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ in float64 (no dropout), for a few rows. */
function referenceRows(rows, x, w, b, a, bb, s) {
  const out = new Float64Array(rows * OUT);
  for (let t = 0; t < rows; t++) {
    const shrink = new Float64Array(R);
    for (let j = 0; j < R; j++) for (let i = 0; i < IN; i++) shrink[j] += x[t * IN + i] * a[j * IN + i];
    for (let o = 0; o < OUT; o++) {
      let sum = b[o];
      for (let i = 0; i < IN; i++) sum += x[t * IN + i] * w[o * IN + i];
      for (let j = 0; j < R; j++) sum += s * shrink[j] * bb[o * R + j];
      out[t * OUT + o] = sum;
    }
  }
  return out;
}

const x = random(T * IN),
  w = random(OUT * IN, 0.05),
  b = random(OUT),
  a = random(R * IN, 0.05),
  bb = random(OUT * R, 0.05);
const dy = random(T * OUT),
  out = new Float32Array(T * OUT),
  shrink = new Float32Array(T * R);
const dx = new Float32Array(T * IN),
  dA = new Float32Array(R * IN),
  dB = new Float32Array(OUT * R);
const scale = 2;

native.loraLinearForward(x, w, b, a, bb, out, shrink, T, IN, OUT, R, scale, 0, 0);
const expected = referenceRows(4, x, w, b, a, bb, scale);
let worst = 0;
for (let i = 0; i < expected.length; i++)
  worst = Math.max(worst, Math.abs(expected[i] - out[i]) / (1e-4 + 1e-4 * Math.abs(expected[i])));
console.log(`check: ${worst <= 1 ? 'ok' : 'FAILED'} (worst error / tolerance = ${worst.toFixed(3)})`);

/**
 * Times the variants round-robin (so background load hits them alike) and prints min and median of each, and the
 * median of the per-round ratios to the first variant.
 */
function compare(title, variants, rounds = 15) {
  const samples = variants.map(() => []);
  for (const [, run] of variants) for (let i = 0; i < 2; i++) run();
  for (let round = 0; round < rounds; round++) {
    variants.forEach(([, run], index) => {
      const start = process.hrtime.bigint();
      run();
      samples[index].push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  console.log(title);
  const medianOf = (values) => [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)];
  variants.forEach(([label, , flops], index) => {
    const times = samples[index];
    const ratio = medianOf(times.map((value, round) => value / samples[0][round]));
    const best = Math.min(...times);
    console.log(
      `  ${label.padEnd(42)} min ${best.toFixed(2).padStart(7)} ms  median ${medianOf(times).toFixed(2).padStart(7)} ms  ratio ${ratio.toFixed(3)}${flops ? `  ${(flops / best / 1e6).toFixed(1)} GFLOP/s` : ''}`,
    );
  });
}

console.log(
  `[T=${T}, ${IN}→${OUT}, r=${R}], dropout ${P}, ${native.threadCount()} threads, ${native.gemmKernel()} GEMM`,
);
compare('forward (ratio to the base matmul; target ≤ 1.03)', [
  [
    'base matmul x·Wᵀ',
    () => native.matmul(out, x, w, 1, T, OUT, IN, 0, 0, false, true, 1, 0),
    2 * T * IN * OUT,
  ],
  [
    'plain linear (+ bias)',
    () => native.loraLinearForward(x, w, b, null, null, out, null, T, IN, OUT, 0, 1, 0, 0),
  ],
  [
    'loraLinearForward (fused)',
    () => native.loraLinearForward(x, w, b, a, bb, out, shrink, T, IN, OUT, R, scale, P, 7),
  ],
]);
compare('backward (ratio to dx = dy·W alone)', [
  [
    'base dx = dy·W',
    () => native.matmul(dx, dy, w, 1, T, IN, OUT, 0, 0, false, false, 1, 0),
    2 * T * IN * OUT,
  ],
  [
    'loraLinearBackward (dx, dA, dB)',
    () =>
      native.loraLinearBackward(
        dy,
        x,
        w,
        a,
        bb,
        shrink,
        dx,
        dA,
        dB,
        null,
        null,
        T,
        IN,
        OUT,
        R,
        scale,
        P,
        7,
        false,
      ),
  ],
]);
