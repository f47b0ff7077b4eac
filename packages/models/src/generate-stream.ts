/**
 * Streaming generation for servers: an async iterator of text pieces (whole characters, never part of a stop
 * string) and, once it ends, the full result. The event loop gets a turn after every token, so one long
 * generation does not starve other requests; breaking out of the loop stops generation and frees the cache.
 */
import { LorakitError } from '@lorakit/core';
import { generationSteps } from './generate-steps.js';
import type { GenerateOptions, GenerateResult, GenerationModel } from './generate-steps.js';

export interface GenerationStream extends AsyncIterable<string> {
  /** Settles when iteration ends: the result, the error that ended it, or an error if the caller stopped early. */
  readonly result: Promise<GenerateResult>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function generateStream<Cache extends { dispose(): void }>(
  model: GenerationModel<Cache>,
  options: GenerateOptions,
): GenerationStream {
  let resolveResult: (result: GenerateResult) => void = () => undefined;
  let rejectResult: (error: unknown) => void = () => undefined;
  const result = new Promise<GenerateResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // A caller that never awaits `result` must not see an unhandled rejection; iteration rethrows the error.
  result.catch(() => undefined);

  async function* pieces(): AsyncGenerator<string, void, undefined> {
    let outcome: 'done' | 'failed' | 'stopped' = 'stopped';
    // Typed with an optional return so that an early close can pass none.
    const steps: Generator<string, GenerateResult | undefined, undefined> = generationSteps(model, options);
    try {
      for (;;) {
        const step = steps.next();
        if (step.done) {
          outcome = 'done';
          if (step.value) resolveResult(step.value);
          return;
        }
        yield step.value;
        await nextTurn();
      }
    } catch (error) {
      outcome = 'failed';
      rejectResult(error);
      throw error;
    } finally {
      if (outcome === 'stopped') {
        // The caller broke out: finish generationSteps so that its finally disposes the KV cache.
        steps.return(undefined);
        rejectResult(new LorakitError('INVALID_ARGUMENT', 'generation was stopped before it finished'));
      }
    }
  }
  return { [Symbol.asyncIterator]: pieces, result };
}
