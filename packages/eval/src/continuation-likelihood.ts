/**
 * Teacher forcing with the inference API: log p(c₁…c_m | prompt) = Σᵢ log softmax(logits after prompt·c₁…c_{i−1})[cᵢ].
 * The prompt is run once into a KV cache, then each continuation token is fed one at a time; log-softmax in
 * float64 with the max subtracted. The continuation is encoded on its own, without special tokens (BPE merges
 * across the prompt/continuation boundary are therefore not seen; with chat templates the boundary is a marker).
 */
import { LorakitError } from '@lorakit/core';
import type { Model } from '@lorakit/models';

export function logSoftmaxAt(logits: Float32Array, index: number): number {
  let max = -Infinity;
  for (const value of logits) if (value > max) max = value;
  let sum = 0;
  for (const value of logits) sum += Math.exp(value - max);
  return (logits[index] as number) - max - Math.log(sum);
}

export function continuationLogLikelihood(
  model: Model,
  options: { prompt: readonly number[]; continuation: readonly number[]; adapter?: string | null },
): number {
  const { prompt, continuation } = options;
  if (prompt.length === 0) throw new LorakitError('INVALID_ARGUMENT', 'the prompt encodes to no tokens');
  const length = prompt.length + continuation.length;
  if (length > model.maxPositions)
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `prompt and answer take ${length} tokens, more than the model's ${model.maxPositions} positions`,
    );
  const adapters = [options.adapter ?? null];
  const cache = model.createKvCache(1, length);
  try {
    let logits = model.forward({ tokens: prompt, cache, adapters });
    let total = 0;
    continuation.forEach((token, index) => {
      total += logSoftmaxAt(logits, token);
      if (index + 1 < continuation.length) logits = model.forward({ tokens: [token], cache, adapters });
    });
    return total;
  } finally {
    cache.dispose();
  }
}
