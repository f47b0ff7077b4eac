/**
 * Causal self-attention with grouped-query heads. For batch b, query head h (kv head g = ⌊h/group⌋), query t:
 *   s_j = scale·q_t·k_j (j ≤ t),  lse_t = log Σ_j exp(s_j),  P_j = exp(s_j − lse_t),  out_t = Σ_j P_j·v_j.
 * Backward with the forward's out and lse:
 *   dP_j = dOut_t·v_j,  δ_t = dOut_t·out_t,  dS_j = P_j·(dP_j − δ_t),
 *   dq_t = scale·Σ_j dS_j·k_j,  dk_j += scale·dS_j·q_t,  dv_j += P_j·dOut_t  (summed over the group's heads).
 * Layouts: q/out [B, T, Hq, D], k/v [B, T, Hkv, D], logSumExp [B, Hq, T].
 */
import type { AttentionArgs, AttentionBackwardArgs } from '../ops.js';
import { validateAttention, validateAttentionBackward } from '../validate/attention.js';
import { hostData } from './host-data.js';

function dot(
  first: Float32Array,
  firstBase: number,
  second: Float32Array,
  secondBase: number,
  length: number,
): number {
  let sum = 0;
  for (let d = 0; d < length; d++)
    sum += (first[firstBase + d] as number) * (second[secondBase + d] as number);
  return sum;
}

export function referenceAttention(args: AttentionArgs): void {
  const { B, T, Hq, Hkv, D, group, scale } = validateAttention('attention', 'reference', args);
  const q = hostData(args.q);
  const k = hostData(args.k);
  const v = hostData(args.v);
  const out = hostData(args.out);
  const logSumExp = hostData(args.logSumExp);
  const scores = new Float64Array(T);
  const accumulator = new Float64Array(D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qBase = ((b * T + t) * Hq + h) * D;
        let maximum = -Infinity;
        for (let j = 0; j <= t; j++) {
          scores[j] = scale * dot(q, qBase, k, ((b * T + j) * Hkv + g) * D, D);
          maximum = Math.max(maximum, scores[j] as number);
        }
        let total = 0;
        for (let j = 0; j <= t; j++) total += Math.exp((scores[j] as number) - maximum);
        const lse = maximum + Math.log(total);
        accumulator.fill(0);
        for (let j = 0; j <= t; j++) {
          const weight = Math.exp((scores[j] as number) - lse);
          const vBase = ((b * T + j) * Hkv + g) * D;
          for (let d = 0; d < D; d++)
            accumulator[d] = (accumulator[d] as number) + weight * (v[vBase + d] as number);
        }
        out.set(accumulator, qBase);
        logSumExp[(b * Hq + h) * T + t] = lse;
      }
    }
  }
}

export function referenceAttentionBackward(args: AttentionBackwardArgs): void {
  const { B, T, Hq, Hkv, D, group, scale } = validateAttentionBackward(
    'attentionBackward',
    'reference',
    args,
  );
  const q = hostData(args.q);
  const k = hostData(args.k);
  const v = hostData(args.v);
  const out = hostData(args.out);
  const dOut = hostData(args.dOut);
  const logSumExp = hostData(args.logSumExp);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qBase = ((b * T + t) * Hq + h) * D;
        const lse = logSumExp[(b * Hq + h) * T + t] as number;
        const delta = dot(dOut, qBase, out, qBase, D);
        for (let j = 0; j <= t; j++) {
          const kvBase = ((b * T + j) * Hkv + g) * D;
          const probability = Math.exp(scale * dot(q, qBase, k, kvBase, D) - lse);
          const dScore = probability * (dot(dOut, qBase, v, kvBase, D) - delta);
          for (let d = 0; d < D; d++) {
            dq[qBase + d] = (dq[qBase + d] as number) + scale * dScore * (k[kvBase + d] as number);
            dk[kvBase + d] = (dk[kvBase + d] as number) + scale * dScore * (q[qBase + d] as number);
            dv[kvBase + d] = (dv[kvBase + d] as number) + probability * (dOut[qBase + d] as number);
          }
        }
      }
    }
  }
  hostData(args.dq).set(dq);
  hostData(args.dk).set(dk);
  hostData(args.dv).set(dv);
}
