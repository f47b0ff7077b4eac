/**
 * Attention of one new token per sequence over a KV cache: for sequence b and query head h (kv head
 * g = ⌊h/group⌋), out = Σ_{j < lengths[b]} softmax_j(scale·q·k_j)·v_j. writeKvCache copies k/v [B, Tnew, Hkv, D]
 * into the caches [B, maxT, Hkv, D] at positions offsets[b] … offsets[b] + Tnew − 1.
 */
import type { DecodeAttentionArgs, KvCacheWriteArgs } from '../ops.js';
import { validateDecodeAttention, validateWriteKvCache } from '../validate/attention.js';
import { hostData } from './host-data.js';

export function referenceDecodeAttention(args: DecodeAttentionArgs): void {
  const { B, maxT, Hq, Hkv, D, group, scale } = validateDecodeAttention('decodeAttention', 'reference', args);
  const q = hostData(args.q);
  const keys = hostData(args.keyCache);
  const values = hostData(args.valueCache);
  const out = hostData(args.out);
  const scores = new Float64Array(maxT);
  const accumulator = new Float64Array(D);
  for (let b = 0; b < B; b++) {
    const length = args.lengths[b] as number;
    for (let h = 0; h < Hq; h++) {
      const g = Math.floor(h / group);
      const qBase = (b * Hq + h) * D;
      let maximum = -Infinity;
      for (let j = 0; j < length; j++) {
        const kBase = ((b * maxT + j) * Hkv + g) * D;
        let sum = 0;
        for (let d = 0; d < D; d++) sum += (q[qBase + d] as number) * (keys[kBase + d] as number);
        scores[j] = scale * sum;
        maximum = Math.max(maximum, scores[j] as number);
      }
      let total = 0;
      for (let j = 0; j < length; j++) total += Math.exp((scores[j] as number) - maximum);
      accumulator.fill(0);
      for (let j = 0; j < length; j++) {
        const weight = Math.exp((scores[j] as number) - maximum) / total;
        const vBase = ((b * maxT + j) * Hkv + g) * D;
        for (let d = 0; d < D; d++)
          accumulator[d] = (accumulator[d] as number) + weight * (values[vBase + d] as number);
      }
      out.set(accumulator, qBase);
    }
  }
}

export function referenceWriteKvCache(args: KvCacheWriteArgs): void {
  const { B, Tnew, maxT, Hkv, D } = validateWriteKvCache('writeKvCache', 'reference', args);
  const rowSize = Hkv * D;
  for (const [cache, source] of [
    [hostData(args.keyCache), hostData(args.k)],
    [hostData(args.valueCache), hostData(args.v)],
  ] as const) {
    for (let b = 0; b < B; b++) {
      const start = (b * maxT + (args.offsets[b] as number)) * rowSize;
      cache.set(source.subarray(b * Tnew * rowSize, (b + 1) * Tnew * rowSize), start);
    }
  }
}
