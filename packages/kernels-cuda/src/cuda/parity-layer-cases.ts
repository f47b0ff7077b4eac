/**
 * Parity cases of the layer ops (see parity-cases.ts): embedding, RMSNorm, RoPE, attention (training and decode),
 * SwiGLU, cross-entropy, AdamW and the gradient-norm helpers. Shapes avoid the kernels' tile multiples (T = 37,
 * D = 24) so partial tiles are exercised.
 */
import type { ParityCase, ParityContext, ParityOutputs } from './parity-cases.js';

export const LAYER_CASES: ParityCase[] = [
  {
    name: 'embedding and its scatter-add backward (repeated ids, accumulate)',
    atol: 1e-5,
    rtol: 1e-5,
    run(c: ParityContext): ParityOutputs {
      const [T, V, H] = c.pick([30, 11, 40], [4096, 32000, 512]);
      const ids = c.integers(T, 0, V);
      const out = c.tensor([T, H]);
      c.backend.embedding(out, c.tensor([V, H]), ids);
      const dTable = c.tensor([V, H]);
      const dTableFresh = c.tensor([V, H]);
      const dy = c.tensor([T, H]);
      c.backend.embeddingBackward(dTable, dy, ids, { accumulate: true });
      c.backend.embeddingBackward(dTableFresh, dy, ids);
      return { out: c.read(out), dTableAccumulated: c.read(dTable), dTable: c.read(dTableFresh) };
    },
  },
  {
    name: 'rmsNorm and its backward (dWeight accumulated)',
    atol: 1e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [rows, H] = c.pick([9, 300], [2048, 4096]);
      const x = c.tensor([rows, H], 3);
      const weight = c.tensor([H]);
      const out = c.tensor([rows, H]);
      const rstd = c.tensor([rows]);
      c.backend.rmsNorm(out, x, weight, 1e-5, rstd);
      const dx = c.tensor([rows, H]);
      const dWeight = c.tensor([H]);
      c.backend.rmsNormBackward({ dx, dy: c.tensor([rows, H]), x, weight, rstd, dWeight, accumulate: true });
      return { out: c.read(out), rstd: c.read(rstd), dx: c.read(dx), dWeight: c.read(dWeight) };
    },
  },
  {
    name: 'rope (theta 500000, Llama-3 scaling, long positions, inverse)',
    atol: 1e-5,
    rtol: 1e-5,
    run(c: ParityContext): ParityOutputs {
      const [rows, heads, headDim] = c.pick([12, 3, 24], [2048, 8, 128]);
      const positions = c.integers(rows, 0, 131072);
      const scaling = { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 };
      const x = c.tensor([rows, heads, headDim]);
      c.backend.rope({ x, positions, theta: 500000, scaling });
      const rotated = c.read(x);
      c.backend.rope({ x, positions, theta: 10000, inverse: true });
      return { rotated, rotatedBack: c.read(x) };
    },
  },
  {
    name: 'attention forward and backward (causal, grouped-query heads)',
    atol: 2e-4,
    rtol: 2e-4,
    run(c: ParityContext): ParityOutputs {
      const [B, T, Hq, Hkv, D] = c.pick([2, 37, 4, 2, 24], [2, 300, 8, 2, 128]);
      const q = c.tensor([B, T, Hq, D]);
      const k = c.tensor([B, T, Hkv, D]);
      const v = c.tensor([B, T, Hkv, D]);
      const out = c.tensor([B, T, Hq, D]);
      const logSumExp = c.tensor([B, Hq, T]);
      c.backend.attention({ q, k, v, out, logSumExp });
      const [dq, dk, dv] = [c.tensor([B, T, Hq, D]), c.tensor([B, T, Hkv, D]), c.tensor([B, T, Hkv, D])];
      c.backend.attentionBackward({ dOut: c.tensor([B, T, Hq, D]), q, k, v, out, logSumExp, dq, dk, dv });
      return {
        out: c.read(out),
        logSumExp: c.read(logSumExp),
        dq: c.read(dq),
        dk: c.read(dk),
        dv: c.read(dv),
      };
    },
  },
  {
    name: 'decodeAttention over a KV cache, after writeKvCache',
    atol: 1e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [B, maxT, Hq, Hkv, D, Tnew] = c.pick([3, 150, 4, 1, 40, 5], [8, 4096, 32, 8, 128, 16]);
      const keyCache = c.tensor([B, maxT, Hkv, D]);
      const valueCache = c.tensor([B, maxT, Hkv, D]);
      const offsets = c.integers(B, 0, maxT - Tnew + 1);
      c.backend.writeKvCache({
        keyCache,
        valueCache,
        k: c.tensor([B, Tnew, Hkv, D]),
        v: c.tensor([B, Tnew, Hkv, D]),
        offsets,
      });
      const lengths = Int32Array.from(offsets, (offset, b) =>
        b === 0 ? 1 : Math.min(maxT, offset + Tnew + b * 37),
      );
      const out = c.tensor([B, Hq, D]);
      c.backend.decodeAttention({ q: c.tensor([B, Hq, D], 2), keyCache, valueCache, lengths, out });
      return { out: c.read(out), keyCache: c.read(keyCache), valueCache: c.read(valueCache) };
    },
  },
  {
    name: 'siluMul and its backward, add (in place) and scale',
    atol: 1e-5,
    rtol: 1e-5,
    run(c: ParityContext): ParityOutputs {
      const size = c.pick(1000, 4_000_000);
      const [gate, up, dy] = [c.tensor([size], 6), c.tensor([size]), c.tensor([size])];
      const out = c.tensor([size]);
      c.backend.siluMul(out, gate, up);
      const [dGate, dUp] = [c.tensor([size]), c.tensor([size])];
      c.backend.siluMulBackward({ dGate, dUp, dy, gate, up });
      c.backend.add(up, up, dy);
      c.backend.scale(dy, -0.25);
      return {
        out: c.read(out),
        dGate: c.read(dGate),
        dUp: c.read(dUp),
        added: c.read(up),
        scaled: c.read(dy),
      };
    },
  },
  {
    name: 'crossEntropy (ignore index, gradient written over the logits)',
    atol: 2e-5,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [T, V] = c.pick([7, 1000], [512, 128256]);
      const targets = c.integers(T, 0, V);
      targets[1] = -100;
      const logits = c.tensor([T, V], 8);
      const losses = c.tensor([T]);
      const lossesOnly = c.tensor([T]);
      c.backend.crossEntropy({ logits, targets, losses: lossesOnly });
      c.backend.crossEntropy({ logits, targets, losses, dLogits: logits, gradScale: 1 / (T - 1) });
      return { losses: c.read(losses), lossesOnly: c.read(lossesOnly), dLogits: c.read(logits) };
    },
  },
  {
    name: 'adamw step, sumOfSquares over tensors',
    atol: 1e-6,
    rtol: 1e-5,
    run(c: ParityContext): ParityOutputs {
      const size = c.pick(1000, 4_000_000);
      const param = c.tensor([size]);
      const grad = c.tensor([size], 0.01);
      const m = c.tensor([size], 0.001);
      const v = c.from(
        c.random(size).map((value) => value * value * 1e-4),
        [size],
      );
      c.backend.adamw({
        param,
        grad,
        m,
        v,
        step: 7,
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0.01,
      });
      const sum = c.backend.sumOfSquares([param, grad, c.tensor([3, 5])]);
      return { param: c.read(param), m: c.read(m), v: c.read(v), sumOfSquares: sum };
    },
  },
];
