/**
 * The ops interface: every tensor computation of lorakit (training, evaluation, serving) goes through these.
 * Conventions, for every op:
 * - row-major; weights in PyTorch layout ([out, in]); a linear layer computes y = x·Wᵀ + b;
 * - outputs are preallocated tensors passed in (`out`, `dx`, …) so hot loops allocate nothing;
 * - gradient outputs are overwritten unless `accumulate: true`, which adds into them (gradient accumulation);
 * - integer inputs (token ids, positions, targets, adapter indices) are host Int32Arrays;
 * - compute is fp32 (f16/bf16 tensors are converted with `cast`; the CUDA backend may store bf16 and
 *   accumulate in fp32, documented per op there);
 * - a shape/dtype mismatch, a disposed tensor or a tensor of another backend throws a typed error naming the op
 *   and the shapes, checked in TypeScript before any native code runs.
 */
import type { DeviceTensor } from './device-tensor.js';

type T = DeviceTensor;

export interface MatmulOptions {
  /** Use aᵀ: a is [K, M] (or [batch, K, M]). */
  transposeA?: boolean;
  /** Use bᵀ: b is [N, K] (or [batch, N, K]), the PyTorch weight layout. */
  transposeB?: boolean;
  /** out = alpha·op(a)·op(b) + beta·out; default alpha 1, beta 0. */
  alpha?: number;
  beta?: number;
}

/**
 * LoRA dropout on the adapter path only. The keep mask is a pure function of (seed, element index), the same on
 * every backend (see dropout-mask.ts), so the backward regenerates it instead of storing it.
 */
export interface DropoutOptions {
  probability: number;
  seed: number;
}

/** y = x·Wᵀ + b + s·((dropout(x)·Aᵀ)·Bᵀ) in one op. x [T, in], W [out, in], A [r, in], B [out, r]. */
export interface LoraLinearForwardArgs {
  x: T;
  weight: T;
  bias?: T;
  /** Omit A and B for a plain linear layer. */
  loraA?: T;
  loraB?: T;
  scale?: number;
  dropout?: DropoutOptions;
  /** [T, out] */
  out: T;
  /** [T, r]: receives dropout(x)·Aᵀ, which the backward reuses. Required when training. */
  shrink?: T;
}

/**
 * Gradients of LoraLinearForward given dy [T, out]:
 *   dx = dy·W + s·((dy·B)·A) ⊙ mask/(1−p),  dA = s·(dy·B)ᵀ·dropout(x),  dB = s·dyᵀ·shrink,
 *   dW = dyᵀ·x and db = Σ_rows dy only when asked (full fine-tuning).
 */
export interface LoraLinearBackwardArgs {
  dy: T;
  x: T;
  weight: T;
  loraA?: T;
  loraB?: T;
  scale?: number;
  dropout?: DropoutOptions;
  /** The shrink saved by the forward, [T, r]. */
  shrink?: T;
  dx?: T;
  dA?: T;
  dB?: T;
  dWeight?: T;
  dBias?: T;
  /** Add into dA/dB/dWeight/dBias instead of overwriting them (dx is always overwritten). */
  accumulate?: boolean;
}

/** One adapter of a multi-adapter batch; ranks may differ between adapters. */
export interface AdapterSlot {
  /** [r_i, in] */
  loraA: T;
  /** [out, r_i] */
  loraB: T;
  scale: number;
}

/**
 * Many adapters in one batch: y = x·Wᵀ + b + s_a·(x·A_aᵀ)·B_aᵀ for each row with adapter a = rowAdapter[row]
 * (−1: base model only). Each adapter runs at its own rank with an fp32 intermediate.
 */
export interface LoraMultiForwardArgs {
  x: T;
  weight: T;
  bias?: T;
  adapters: readonly AdapterSlot[];
  /** Per-row adapter index into `adapters`, or −1; length T. */
  rowAdapter: Int32Array;
  out: T;
}

/**
 * The segmented (prefill) form: rows [start, start+length) all use adapter `adapter` (or −1). Segments need not
 * cover every row; uncovered rows get the base output only.
 */
export interface LoraSegmentedForwardArgs {
  x: T;
  weight: T;
  bias?: T;
  adapters: readonly AdapterSlot[];
  segments: readonly { start: number; length: number; adapter: number }[];
  out: T;
}

/** Llama-3 rope scaling (rope_type "llama3") as transformers applies it to the inverse frequencies. */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

export interface RopeArgs {
  /** [rows, heads, headDim], rotated in place; row i has position positions[i]. */
  x: T;
  positions: Int32Array;
  theta: number;
  scaling?: Llama3RopeScaling;
  /** Rotate by −angle: the backward of rope (rotation is orthogonal). */
  inverse?: boolean;
}

/** Causal self-attention with grouped-query heads. q [B, T, Hq, D], k/v [B, T, Hkv, D], Hq a multiple of Hkv. */
export interface AttentionArgs {
  q: T;
  k: T;
  v: T;
  /** [B, T, Hq, D] */
  out: T;
  /** [B, Hq, T]: log-sum-exp of each row's scores, saved for the backward. */
  logSumExp: T;
  /** Score scale; default 1/√D. */
  scale?: number;
}

export interface AttentionBackwardArgs {
  dOut: T;
  q: T;
  k: T;
  v: T;
  out: T;
  logSumExp: T;
  dq: T;
  dk: T;
  dv: T;
  scale?: number;
}

/**
 * One decoding step per sequence over a KV cache: q [B, Hq, D]; caches [B, maxT, Hkv, D]; sequence b attends to
 * cache positions [0, lengths[b]).
 */
export interface DecodeAttentionArgs {
  q: T;
  keyCache: T;
  valueCache: T;
  lengths: Int32Array;
  out: T;
  scale?: number;
}

/** Writes k/v [B, Tnew, Hkv, D] into the caches at positions [offsets[b], offsets[b] + Tnew). */
export interface KvCacheWriteArgs {
  keyCache: T;
  valueCache: T;
  k: T;
  v: T;
  offsets: Int32Array;
}

/**
 * Fused softmax cross-entropy over the vocabulary: losses[t] = logsumexp(logits[t]) − logits[t, target[t]],
 * 0 where target = ignoreIndex. With `dLogits`, also writes gradScale·(softmax − onehot) (0 for ignored rows);
 * dLogits may be the logits tensor itself (in place), so probabilities are never stored twice.
 */
export interface CrossEntropyArgs {
  /** [T, V] */
  logits: T;
  targets: Int32Array;
  /** Default −100 (PyTorch's). */
  ignoreIndex?: number;
  /** [T] */
  losses: T;
  dLogits?: T;
  /** Multiplies the gradient, e.g. 1/(number of counted targets) for a mean loss. Default 1. */
  gradScale?: number;
}

/** One AdamW step with decoupled weight decay (Loshchilov & Hutter), bias-corrected, in place. */
export interface AdamWArgs {
  param: T;
  grad: T;
  /** First and second moments, same shape as param. */
  m: T;
  v: T;
  /** 1-based step number, for bias correction. */
  step: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface Ops {
  matmul(out: T, a: T, b: T, options?: MatmulOptions): void;
  loraLinearForward(args: LoraLinearForwardArgs): void;
  loraLinearBackward(args: LoraLinearBackwardArgs): void;
  loraMultiForward(args: LoraMultiForwardArgs): void;
  loraSegmentedForward(args: LoraSegmentedForwardArgs): void;

  /** out[t] = table[ids[t]]; table [V, H], out [T, H]. */
  embedding(out: T, table: T, ids: Int32Array): void;
  /** dTable[ids[t]] += dy[t] (scatter-add); dTable is overwritten first unless accumulate. */
  embeddingBackward(dTable: T, dy: T, ids: Int32Array, options?: { accumulate?: boolean }): void;

  /** out = x / rms(x) ⊙ weight over the last dimension; rstd [rows] receives 1/rms for the backward. */
  rmsNorm(out: T, x: T, weight: T, eps: number, rstd?: T): void;
  rmsNormBackward(args: { dx: T; dy: T; x: T; weight: T; rstd: T; dWeight?: T; accumulate?: boolean }): void;

  rope(args: RopeArgs): void;

  attention(args: AttentionArgs): void;
  attentionBackward(args: AttentionBackwardArgs): void;
  decodeAttention(args: DecodeAttentionArgs): void;
  writeKvCache(args: KvCacheWriteArgs): void;

  /** out = silu(gate) ⊙ up (SwiGLU). */
  siluMul(out: T, gate: T, up: T): void;
  siluMulBackward(args: { dGate: T; dUp: T; dy: T; gate: T; up: T }): void;

  crossEntropy(args: CrossEntropyArgs): void;

  adamw(args: AdamWArgs): void;
  /** Σ x² over all the tensors (the squared global gradient norm), in fp64 on the host side. */
  sumOfSquares(tensors: readonly T[]): number;
  /** x ← factor·x (gradient clipping). */
  scale(x: T, factor: number): void;
  /** out = a + b (residual connections); out may alias a. */
  add(out: T, a: T, b: T): void;

  /** W ← W + s·B·A (W [out, in]); with fanInFanOut W is [in, out] and gains s·(B·A)ᵀ. */
  merge(args: { weight: T; loraA: T; loraB: T; scale: number; fanInFanOut?: boolean }): void;
  /** out = x converted to out's dtype (f32, f16, bf16; round to nearest even). */
  cast(out: T, x: T): void;
}
