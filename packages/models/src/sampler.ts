/**
 * Next-token sampling from logits z (transformers' order of warpers):
 *   temperature 0 → argmax z (greedy; ties go to the lowest id);
 *   else p_i ∝ exp(z_i / T); top-k keeps the k largest; top-p keeps the smallest set of most likely tokens whose
 *   mass (after top-k, renormalised) is ≥ p; one token is drawn from what is kept, renormalised, with u ∈ [0, 1)
 *   from the seeded generator: the first token whose cumulative mass exceeds u·(kept mass).
 */
import { LorakitError, MathError } from '@lorakit/core';

export interface SamplingOptions {
  /** 0 = greedy (default 1). */
  temperature?: number;
  /** Keep the k most likely tokens (0 or absent: all). */
  topK?: number;
  /** Keep the smallest most-likely set with mass ≥ topP (1 or absent: all). */
  topP?: number;
}

export function checkSamplingOptions(options: SamplingOptions): void {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new LorakitError('INVALID_ARGUMENT', `temperature must be ≥ 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0)
    throw new LorakitError('INVALID_ARGUMENT', `topK must be a non-negative integer, got ${topK}`);
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1)
    throw new LorakitError('INVALID_ARGUMENT', `topP must be in (0, 1], got ${topP}`);
}

function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index++)
    if ((logits[index] ?? 0) > (logits[best] ?? 0)) best = index;
  return best;
}

/**
 * The kept candidates and their unnormalised probabilities, most likely first. Sorting all ids is only done when
 * top-k or top-p needs an order; it is O(V log V), small next to a forward pass.
 */
export function samplingDistribution(
  logits: Float32Array,
  options: SamplingOptions,
): { ids: Int32Array; weights: Float64Array } {
  checkSamplingOptions(options);
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  if (temperature === 0) return { ids: Int32Array.of(argmax(logits)), weights: Float64Array.of(1) };
  const maximum = logits[argmax(logits)] ?? 0;
  if (!Number.isFinite(maximum)) {
    throw new MathError('NON_FINITE', `sampling met logits whose maximum is ${maximum}`, {
      fix: 'check the model weights and the adapter for NaN/Inf',
    });
  }
  let ids = Int32Array.from(logits.keys());
  const needsOrder = (topK > 0 && topK < logits.length) || topP < 1;
  // Stable order: equal logits keep increasing ids, so a tie at the top-k boundary keeps the lower id.
  if (needsOrder) ids.sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0) || a - b);
  if (topK > 0 && topK < ids.length) ids = ids.subarray(0, topK);
  const weights = new Float64Array(ids.length);
  let total = 0;
  for (let index = 0; index < ids.length; index++) {
    const weight = Math.exp(((logits[ids[index] ?? 0] ?? 0) - maximum) / temperature);
    weights[index] = weight;
    total += weight;
  }
  if (topP < 1) {
    let mass = 0;
    let kept = 0;
    while (kept < ids.length && mass < topP * total) mass += weights[kept++] ?? 0;
    ids = ids.subarray(0, Math.max(kept, 1));
    return { ids, weights: weights.subarray(0, ids.length) };
  }
  return { ids, weights };
}

/** Draws one token id; `random` yields uniforms in [0, 1) (createSeededRandom). */
export function sampleToken(logits: Float32Array, options: SamplingOptions, random: () => number): number {
  const { ids, weights } = samplingDistribution(logits, options);
  if (ids.length === 1) return ids[0] ?? 0;
  let total = 0;
  for (const weight of weights) total += weight;
  const threshold = random() * total;
  let cumulative = 0;
  for (let index = 0; index < ids.length; index++) {
    cumulative += weights[index] ?? 0;
    if (cumulative > threshold) return ids[index] ?? 0;
  }
  // Rounding can leave the threshold at the very top: the last kept token is the answer then.
  return ids[ids.length - 1] ?? 0;
}
