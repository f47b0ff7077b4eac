// Kernel work on matmul (see README.md for the dev loop): a plain reference, the native versions, a correctness
// check on awkward shapes, and a GFLOP/s benchmark.
//   node dev/matmul.mjs                 check + benchmark (threads = all CPUs)
//   node dev/matmul.mjs --threads 1     one thread
//   node dev/matmul.mjs --sizes 1024,2048
//   node dev/matmul.mjs --addon /tmp/old.node   another build of the addon (A/B runs against a saved copy)
import { createRequire } from 'node:module';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const native = createRequire(import.meta.url)(argument('addon', '../native/build/Release/lorakit_cpu.node'));
native.setThreadCount(Number(argument('threads', native.threadCount())));
// --kernel avx2 | avx512: the GEMM micro-kernel (default: AVX-512 where the CPU has it).
if (!native.setGemmKernel(argument('kernel', native.gemmKernel())))
  throw new Error('this CPU lacks that kernel');

/** out = alpha·op(a)·op(b) + beta·out, in float64, for one batch entry. */
function reference(out, a, b, m, n, k, transposeA, transposeB, alpha, beta) {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++)
        sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * out[i * n + j]);
    }
  }
}

const random = (length) => Float32Array.from({ length }, () => Math.random() * 2 - 1);

const versions = {
  // The addon's GEMM (packing + 6×16 AVX2 kernel, threads split the columns).
  native: (out, a, b, batch, m, n, k, sa, sb, ta, tb, alpha, beta) =>
    native.matmul(out, a, b, batch, m, n, k, sa, sb, ta, tb, alpha, beta),
};

function check() {
  let worst = 0;
  for (const [m, n, k] of [
    [1, 1, 1],
    [7, 13, 5],
    [6, 16, 8],
    [37, 50, 1000],
    [130, 300, 777],
    [5, 1, 3000],
    [1, 33, 17],
  ]) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, -2],
        ]) {
          const a = random(m * k),
            b = random(k * n),
            start = random(m * n);
          const expected = start.slice(),
            actual = start.slice();
          reference(expected, a, b, m, n, k, transposeA, transposeB, alpha, beta);
          versions.native(actual, a, b, 1, m, n, k, 0, 0, transposeA, transposeB, alpha, beta);
          for (let i = 0; i < expected.length; i++) {
            // tolerance: |ref − out| ≤ 1e-5 + 1e-5·√k·(Σ|terms| bound ≈ k) — fp32 accumulation of k products in [−1, 1]
            const error = Math.abs(expected[i] - actual[i]) / (1e-5 + 2e-6 * k);
            worst = Math.max(worst, error);
            if (!(error <= 1))
              throw new Error(
                `mismatch m=${m} n=${n} k=${k} tA=${transposeA} tB=${transposeB} at ${i}: ${expected[i]} vs ${actual[i]}`,
              );
          }
        }
      }
    }
  }
  console.log(`check: ok (worst error / tolerance = ${worst.toFixed(3)})`);
}

function bench(m, n, k, transposeB = false) {
  const a = random(m * k),
    b = random(k * n),
    out = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  const repeats = Math.max(3, Math.min(50, Math.round(3e10 / flops)));
  for (let i = 0; i < 2; i++) versions.native(out, a, b, 1, m, n, k, 0, 0, false, transposeB, 1, 0);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    versions.native(out, a, b, 1, m, n, k, 0, 0, false, transposeB, 1, 0);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(
    `${m}×${n}×${k}${transposeB ? ' (bᵀ)' : ''}: ${(flops / best / 1e9).toFixed(1)} GFLOP/s (${(best * 1e3).toFixed(2)} ms, best of ${repeats}, ${native.threadCount()} threads, ${native.gemmKernel()} GEMM)`,
  );
}

check();
for (const size of argument('sizes', '512,1024,2048').split(',').map(Number)) bench(size, size, size);
bench(512, 2048, 2048, true);
bench(64, 2048, 2048, true);
