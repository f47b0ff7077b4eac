/**
 * Index: validateAttention(op, backend, args) → { B, T, Hq, Hkv, D, group, scale },
 *        validateAttentionBackward(op, backend, args) → the same,
 *        validateDecodeAttention(op, backend, args) → { B, maxT, Hq, Hkv, D, group, scale },
 *        validateWriteKvCache(op, backend, args) → { B, Tnew, maxT, Hkv, D }.
 *
 * q/out/dOut/dq [B, T, Hq, D]; k/v/dk/dv [B, T, Hkv, D]; logSumExp [B, Hq, T]; Hq a multiple of Hkv (query head h
 * reads kv head ⌊h / group⌋, group = Hq / Hkv). Decode: q/out [B, Hq, D], caches [B, maxT, Hkv, D], lengths in
 * [1, maxT]. Cache writes: offsets[b] ≥ 0 and offsets[b] + Tnew ≤ maxT. `scale` resolves to 1/√D when omitted.
 */
import { ShapeError } from '@lorakit/core';
import { checkIndices, checkRank, describeShape } from '../check-tensor.js';
import type { BackendName } from '../device-tensor.js';
import type { AttentionArgs, AttentionBackwardArgs, DecodeAttentionArgs, KvCacheWriteArgs } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface AttentionDimensions {
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  D: number;
  /** Query heads per kv head: Hq / Hkv. */
  group: number;
  scale: number;
}

function checkHeads(op: string, Hq: number, Hkv: number, context: string): number {
  if (Hkv === 0 || Hq % Hkv !== 0) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: ${Hq} query heads is not a multiple of ${Hkv} key/value heads ${context}`,
    );
  }
  return Hq / Hkv;
}

function resolveScale(op: string, scale: number | undefined, D: number): number {
  return scale === undefined ? 1 / Math.sqrt(D) : checkNumber(op, 'scale', scale);
}

function validateQkv(
  op: string,
  backend: BackendName,
  args: AttentionArgs | AttentionBackwardArgs,
): AttentionDimensions {
  const [B, T, Hq, D] = checkRank(op, 'q', args.q, backend, 4) as [number, number, number, number];
  const kShape = checkRank(op, 'k', args.k, backend, 4);
  const Hkv = kShape[2] as number;
  const context = `for q ${describeShape(args.q.shape)}, k ${describeShape(kShape)}`;
  checkShape(op, 'k', args.k, backend, [B, T, Hkv, D], context);
  checkShape(op, 'v', args.v, backend, [B, T, Hkv, D], context);
  const group = checkHeads(op, Hq, Hkv, context);
  checkShape(op, 'out', args.out, backend, [B, T, Hq, D], context);
  checkShape(op, 'logSumExp', args.logSumExp, backend, [B, Hq, T], context);
  return { B, T, Hq, Hkv, D, group, scale: resolveScale(op, args.scale, D) };
}

export function validateAttention(
  op: string,
  backend: BackendName,
  args: AttentionArgs,
): AttentionDimensions {
  const dimensions = validateQkv(op, backend, args);
  checkNotAliased(op, { out: args.out, logSumExp: args.logSumExp }, { q: args.q, k: args.k, v: args.v });
  return dimensions;
}

export function validateAttentionBackward(
  op: string,
  backend: BackendName,
  args: AttentionBackwardArgs,
): AttentionDimensions {
  const dimensions = validateQkv(op, backend, args);
  const { B, T, Hq, Hkv, D } = dimensions;
  const context = `for q ${describeShape(args.q.shape)}, k ${describeShape(args.k.shape)}`;
  checkShape(op, 'dOut', args.dOut, backend, [B, T, Hq, D], context);
  checkShape(op, 'dq', args.dq, backend, [B, T, Hq, D], context);
  checkShape(op, 'dk', args.dk, backend, [B, T, Hkv, D], context);
  checkShape(op, 'dv', args.dv, backend, [B, T, Hkv, D], context);
  checkNotAliased(
    op,
    { dq: args.dq, dk: args.dk, dv: args.dv },
    { dOut: args.dOut, q: args.q, k: args.k, v: args.v, out: args.out, logSumExp: args.logSumExp },
  );
  return dimensions;
}

export interface DecodeAttentionDimensions {
  B: number;
  maxT: number;
  Hq: number;
  Hkv: number;
  D: number;
  group: number;
  scale: number;
}

export function validateDecodeAttention(
  op: string,
  backend: BackendName,
  args: DecodeAttentionArgs,
): DecodeAttentionDimensions {
  const [B, Hq, D] = checkRank(op, 'q', args.q, backend, 3) as [number, number, number];
  const cacheShape = checkRank(op, 'keyCache', args.keyCache, backend, 4);
  const maxT = cacheShape[1] as number;
  const Hkv = cacheShape[2] as number;
  const context = `for q ${describeShape(args.q.shape)}, keyCache ${describeShape(cacheShape)}`;
  checkShape(op, 'keyCache', args.keyCache, backend, [B, maxT, Hkv, D], context);
  checkShape(op, 'valueCache', args.valueCache, backend, [B, maxT, Hkv, D], context);
  checkShape(op, 'out', args.out, backend, [B, Hq, D], context);
  const group = checkHeads(op, Hq, Hkv, context);
  // A sequence with no cached keys has no softmax to take, so lengths start at 1.
  checkIndices(op, 'lengths', args.lengths, B, 1, maxT + 1);
  checkNotAliased(op, { out: args.out }, { q: args.q, keyCache: args.keyCache, valueCache: args.valueCache });
  return { B, maxT, Hq, Hkv, D, group, scale: resolveScale(op, args.scale, D) };
}

export interface KvCacheWriteDimensions {
  B: number;
  Tnew: number;
  maxT: number;
  Hkv: number;
  D: number;
}

export function validateWriteKvCache(
  op: string,
  backend: BackendName,
  args: KvCacheWriteArgs,
): KvCacheWriteDimensions {
  const [B, maxT, Hkv, D] = checkRank(op, 'keyCache', args.keyCache, backend, 4) as [
    number,
    number,
    number,
    number,
  ];
  const [, Tnew] = checkRank(op, 'k', args.k, backend, 4) as [number, number];
  const context = `for keyCache ${describeShape(args.keyCache.shape)}, k ${describeShape(args.k.shape)}`;
  checkShape(op, 'valueCache', args.valueCache, backend, [B, maxT, Hkv, D], context);
  checkShape(op, 'k', args.k, backend, [B, Tnew, Hkv, D], context);
  checkShape(op, 'v', args.v, backend, [B, Tnew, Hkv, D], context);
  if (Tnew > maxT)
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: ${Tnew} new positions do not fit in a cache of ${maxT} ${context}`,
    );
  checkIndices(op, 'offsets', args.offsets, B, 0, maxT - Tnew + 1);
  checkNotAliased(op, { keyCache: args.keyCache, valueCache: args.valueCache }, { k: args.k, v: args.v });
  return { B, Tnew, maxT, Hkv, D };
}
