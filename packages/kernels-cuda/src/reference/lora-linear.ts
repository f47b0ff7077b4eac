/**
 * Fused LoRA linear layer, forward and backward, in fp64 loops. With m = dropout mask/(1−p) (dropout-mask.ts,
 * element index = row·in + col of x) and x̃ = x ⊙ m:
 *   shrink = x̃·Aᵀ [T, r],  y = x·Wᵀ + b + s·shrink·Bᵀ;
 *   g = dy·B [T, r],  dx = dy·W + s·(g·A) ⊙ m,  dA = s·gᵀ·x̃,  dB = s·dyᵀ·shrink,  dW = dyᵀ·x,  db = Σ_t dy.
 * The backward takes shrink from the forward (as every backend does) rather than recomputing it.
 */
import { dropoutFactor } from '../dropout-mask.js';
import type { LoraLinearBackwardArgs, LoraLinearForwardArgs } from '../ops.js';
import { validateLoraLinearBackward, validateLoraLinearForward } from '../validate/lora-linear.js';
import { hostData } from './host-data.js';

/** The dropout multipliers of every element of x [T, in] (all 1 without dropout). */
function dropoutMultipliers(
  size: number,
  dropout: { probability: number; seed: number } | undefined,
): Float64Array {
  const multipliers = new Float64Array(size).fill(1);
  if (dropout !== undefined && dropout.probability > 0) {
    for (let index = 0; index < size; index++)
      multipliers[index] = dropoutFactor(dropout.seed, index, dropout.probability);
  }
  return multipliers;
}

export function referenceLoraLinearForward(args: LoraLinearForwardArgs): void {
  const { T, inFeatures, outFeatures, r, scale } = validateLoraLinearForward(
    'loraLinearForward',
    'reference',
    args,
  );
  const x = hostData(args.x);
  const weight = hostData(args.weight);
  const bias = args.bias ? hostData(args.bias) : undefined;
  const out = hostData(args.out);
  const shrink = new Float64Array(T * r);
  if (r > 0 && args.loraA) {
    const loraA = hostData(args.loraA);
    const multipliers = dropoutMultipliers(T * inFeatures, args.dropout);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < r; k++) {
        let sum = 0;
        for (let i = 0; i < inFeatures; i++) {
          const index = t * inFeatures + i;
          sum +=
            (x[index] as number) * (multipliers[index] as number) * (loraA[k * inFeatures + i] as number);
        }
        shrink[t * r + k] = sum;
      }
    }
    if (args.shrink) hostData(args.shrink).set(shrink);
  }
  const loraB = r > 0 && args.loraB ? hostData(args.loraB) : undefined;
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < outFeatures; o++) {
      let sum = bias ? (bias[o] as number) : 0;
      for (let i = 0; i < inFeatures; i++)
        sum += (x[t * inFeatures + i] as number) * (weight[o * inFeatures + i] as number);
      if (loraB) {
        let adapter = 0;
        for (let k = 0; k < r; k++) adapter += (shrink[t * r + k] as number) * (loraB[o * r + k] as number);
        sum += scale * adapter;
      }
      out[t * outFeatures + o] = sum;
    }
  }
}

/** target[i] = value (or += when accumulating). */
function store(target: Float32Array, index: number, value: number, accumulate: boolean): void {
  target[index] = accumulate ? (target[index] as number) + value : value;
}

export function referenceLoraLinearBackward(args: LoraLinearBackwardArgs): void {
  const { T, inFeatures, outFeatures, r, scale } = validateLoraLinearBackward(
    'loraLinearBackward',
    'reference',
    args,
  );
  const accumulate = args.accumulate === true;
  const dy = hostData(args.dy);
  const x = hostData(args.x);
  const weight = hostData(args.weight);
  const loraA = r > 0 && args.loraA ? hostData(args.loraA) : undefined;
  const loraB = r > 0 && args.loraB ? hostData(args.loraB) : undefined;
  const multipliers = dropoutMultipliers(T * inFeatures, r > 0 ? args.dropout : undefined);
  // g = dy·B [T, r]
  const g = new Float64Array(T * r);
  if (loraB) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < r; k++) {
        let sum = 0;
        for (let o = 0; o < outFeatures; o++)
          sum += (dy[t * outFeatures + o] as number) * (loraB[o * r + k] as number);
        g[t * r + k] = sum;
      }
    }
  }
  if (args.dx) {
    const dx = hostData(args.dx);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < inFeatures; i++) {
        let sum = 0;
        for (let o = 0; o < outFeatures; o++)
          sum += (dy[t * outFeatures + o] as number) * (weight[o * inFeatures + i] as number);
        if (loraA) {
          let adapter = 0;
          for (let k = 0; k < r; k++)
            adapter += (g[t * r + k] as number) * (loraA[k * inFeatures + i] as number);
          sum += scale * adapter * (multipliers[t * inFeatures + i] as number);
        }
        dx[t * inFeatures + i] = sum;
      }
    }
  }
  if (args.dA) {
    const dA = hostData(args.dA);
    for (let k = 0; k < r; k++) {
      for (let i = 0; i < inFeatures; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++) {
          const index = t * inFeatures + i;
          sum += (g[t * r + k] as number) * (x[index] as number) * (multipliers[index] as number);
        }
        store(dA, k * inFeatures + i, scale * sum, accumulate);
      }
    }
  }
  if (args.dB && args.shrink) {
    const dB = hostData(args.dB);
    const shrink = hostData(args.shrink);
    for (let o = 0; o < outFeatures; o++) {
      for (let k = 0; k < r; k++) {
        let sum = 0;
        for (let t = 0; t < T; t++)
          sum += (dy[t * outFeatures + o] as number) * (shrink[t * r + k] as number);
        store(dB, o * r + k, scale * sum, accumulate);
      }
    }
  }
  if (args.dWeight) {
    const dWeight = hostData(args.dWeight);
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++)
          sum += (dy[t * outFeatures + o] as number) * (x[t * inFeatures + i] as number);
        store(dWeight, o * inFeatures + i, sum, accumulate);
      }
    }
  }
  if (args.dBias) {
    const dBias = hostData(args.dBias);
    for (let o = 0; o < outFeatures; o++) {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += dy[t * outFeatures + o] as number;
      store(dBias, o, sum, accumulate);
    }
  }
}
