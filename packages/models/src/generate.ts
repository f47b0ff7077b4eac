/** Text generation with a KV cache, all at once: `generate(model, { tokenizer, prompt, maxTokens })`. */
import { generationSteps } from './generate-steps.js';
import type { GenerateOptions, GenerateResult, GenerationModel } from './generate-steps.js';

export function generate<Cache extends { dispose(): void }>(
  model: GenerationModel<Cache>,
  options: GenerateOptions,
): GenerateResult {
  const steps = generationSteps(model, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
