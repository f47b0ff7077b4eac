// Kernel work on the non-GEMM ops (native/src/ops-*.cc): times each op on the cpu backend and on the reference
// backend at SmolLM2-135M-like shapes (hidden 576, 9 heads / 3 KV heads of 64, vocabulary 49152, T = 512) and
// prints the speed-up. Correctness lives in src/cpu/native-*.test.ts; this is the benchmark half of the loop.
//   pnpm build && node dev/non-gemm-ops.mjs [--threads N] [--only attention,crossEntropy]
import { performance } from 'node:perf_hooks';
import { createCpuBackend } from '../dist/cpu/cpu-backend.js';
import { createReferenceBackend } from '../dist/reference/reference-backend.js';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const threads = argument('threads', undefined);
const cpu = createCpuBackend(threads === undefined ? {} : { threads: Number(threads) });
const reference = createReferenceBackend();
const only = argument('only', undefined)?.split(',');

const random = (length, low = -1, high = 1) =>
  Float32Array.from({ length }, () => low + (high - low) * Math.random());
const [T, H, I, V, Hq, Hkv, D] = [512, 576, 1536, 49152, 9, 3, 64];

/** Median milliseconds of `run` over enough repetitions to take ~`budget` ms (at least 3). */
function time(run, budget) {
  run();
  const samples = [];
  const started = performance.now();
  while (samples.length < 3 || (performance.now() - started < budget && samples.length < 50)) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// Each case: name, shape text, and a setup(backend) returning the call to time.
const cases = [
  [
    'embedding',
    `[${T}, ${H}] from [${V}, ${H}]`,
    (b) => {
      const out = b.zeros([T, H]),
        table = b.fromArray(random(V * H), [V, H]),
        ids = Int32Array.from({ length: T }, () => Math.floor(Math.random() * V));
      return () => b.embedding(out, table, ids);
    },
  ],
  [
    'rmsNorm',
    `[${T}, ${H}]`,
    (b) => {
      const out = b.zeros([T, H]),
        x = b.fromArray(random(T * H), [T, H]),
        w = b.fromArray(random(H), [H]),
        rstd = b.zeros([T]);
      return () => b.rmsNorm(out, x, w, 1e-5, rstd);
    },
  ],
  [
    'rmsNormBackward',
    `[${T}, ${H}]`,
    (b) => {
      const [dx, dy, x, w, rstd, dw] = [
        b.zeros([T, H]),
        b.fromArray(random(T * H), [T, H]),
        b.fromArray(random(T * H), [T, H]),
        b.fromArray(random(H), [H]),
        b.fromArray(random(T, 1, 2), [T]),
        b.zeros([H]),
      ];
      return () => b.rmsNormBackward({ dx, dy, x, weight: w, rstd, dWeight: dw });
    },
  ],
  [
    'rope',
    `[${T}, ${Hq}, ${D}]`,
    (b) => {
      const x = b.fromArray(random(T * Hq * D), [T, Hq, D]),
        positions = Int32Array.from({ length: T }, (_, i) => i);
      return () => b.rope({ x, positions, theta: 10000 });
    },
  ],
  [
    'attention',
    `B=1 T=${T} Hq=${Hq} Hkv=${Hkv} D=${D}`,
    (b) => {
      const q = b.fromArray(random(T * Hq * D), [1, T, Hq, D]),
        k = b.fromArray(random(T * Hkv * D), [1, T, Hkv, D]),
        v = b.fromArray(random(T * Hkv * D), [1, T, Hkv, D]);
      const out = b.zeros([1, T, Hq, D]),
        logSumExp = b.zeros([1, Hq, T]);
      return () => b.attention({ q, k, v, out, logSumExp });
    },
  ],
  [
    'attentionBackward',
    `B=1 T=${T} Hq=${Hq} Hkv=${Hkv} D=${D}`,
    (b) => {
      const q = b.fromArray(random(T * Hq * D), [1, T, Hq, D]),
        k = b.fromArray(random(T * Hkv * D), [1, T, Hkv, D]),
        v = b.fromArray(random(T * Hkv * D), [1, T, Hkv, D]);
      const out = b.zeros([1, T, Hq, D]),
        logSumExp = b.zeros([1, Hq, T]);
      b.attention({ q, k, v, out, logSumExp });
      const [dOut, dq, dk, dv] = [
        b.fromArray(random(T * Hq * D), [1, T, Hq, D]),
        b.zeros([1, T, Hq, D]),
        b.zeros([1, T, Hkv, D]),
        b.zeros([1, T, Hkv, D]),
      ];
      return () => b.attentionBackward({ dOut, q, k, v, out, logSumExp, dq, dk, dv });
    },
  ],
  [
    'decodeAttention',
    `B=8 length 1024 Hq=${Hq} Hkv=${Hkv} D=${D}`,
    (b) => {
      const [B, maxT] = [8, 1024];
      const q = b.fromArray(random(B * Hq * D), [B, Hq, D]),
        keyCache = b.fromArray(random(B * maxT * Hkv * D), [B, maxT, Hkv, D]);
      const valueCache = b.fromArray(random(B * maxT * Hkv * D), [B, maxT, Hkv, D]),
        out = b.zeros([B, Hq, D]);
      const lengths = new Int32Array(B).fill(maxT);
      return () => b.decodeAttention({ q, keyCache, valueCache, lengths, out });
    },
  ],
  [
    'siluMulBackward',
    `[${T}, ${I}]`,
    (b) => {
      const [dGate, dUp, dy, gate, up] = [
        b.zeros([T, I]),
        b.zeros([T, I]),
        b.fromArray(random(T * I), [T, I]),
        b.fromArray(random(T * I, -6, 6), [T, I]),
        b.fromArray(random(T * I), [T, I]),
      ];
      return () => b.siluMulBackward({ dGate, dUp, dy, gate, up });
    },
  ],
  [
    'crossEntropy',
    `[${T}, ${V}] in place`,
    (b) => {
      const values = random(T * V, -10, 10),
        logits = b.fromArray(values, [T, V]),
        losses = b.zeros([T]);
      const targets = Int32Array.from({ length: T }, () => Math.floor(Math.random() * V));
      return () => b.crossEntropy({ logits, targets, losses, dLogits: logits, gradScale: 1 / T });
    },
  ],
  [
    'adamw',
    '4M parameters',
    (b) => {
      const n = 1 << 22;
      const [param, grad, m, v] = [
        b.fromArray(random(n), [n]),
        b.fromArray(random(n), [n]),
        b.zeros([n]),
        b.zeros([n]),
      ];
      return () =>
        b.adamw({
          param,
          grad,
          m,
          v,
          step: 3,
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0.01,
        });
    },
  ],
  [
    'merge',
    '[2048, 2048] r=16',
    (b) => {
      const weight = b.fromArray(random(2048 * 2048), [2048, 2048]),
        loraA = b.fromArray(random(16 * 2048), [16, 2048]),
        loraB = b.fromArray(random(2048 * 16), [2048, 16]);
      return () => b.merge({ weight, loraA, loraB, scale: 2 });
    },
  ],
  [
    'cast f32→bf16',
    '4M values',
    (b) => {
      const n = 1 << 22;
      const x = b.fromArray(random(n), [n]),
        out = b.zeros([n], 'bf16');
      return () => b.cast(out, x);
    },
  ],
];

console.log(`${cpu.description}\n`);
console.log(
  'op'.padEnd(18),
  'shape'.padEnd(36),
  'reference ms'.padStart(13),
  'cpu ms'.padStart(10),
  'speed-up'.padStart(9),
);
for (const [name, shape, setup] of cases) {
  if (only && !only.includes(name)) continue;
  const referenceMs = time(setup(reference), 1500);
  const cpuMs = time(setup(cpu), 500);
  console.log(
    name.padEnd(18),
    shape.padEnd(36),
    referenceMs.toFixed(2).padStart(13),
    cpuMs.toFixed(3).padStart(10),
    `${(referenceMs / cpuMs).toFixed(0)}×`.padStart(9),
  );
}
