/**
 * The generation loop shared by `generate` and `generateStream`: encode the prompt (plain text, or messages
 * through the chat template), prefill a KV cache with one forward pass, then sample one token at a time and feed
 * it back, until maxTokens, an end-of-sequence token, a stop string, or the model's position limit. Text goes
 * through the incremental detokenizer, then the stop-string matcher, so every piece is whole characters and no
 * piece contains (part of) a stop string.
 */
import { LorakitError } from '@lorakit/core';
import { encodeChat } from './chat-template-tokens.js';
import type { ChatMessage } from './chat-template.js';
import { StreamingDetokenizer } from './detokenizer.js';
import { createSeededRandom } from './sampler-random.js';
import { checkSamplingOptions, sampleToken } from './sampler.js';
import type { SamplingOptions } from './sampler.js';
import { StopSequenceMatcher } from './stop-sequences.js';
import type { Tokenizer } from './tokenizer.js';

/** What generation needs of a model (the `Model` of load-model satisfies it, with its KvCache). */
export interface GenerationModel<Cache extends { dispose(): void } = { dispose(): void }> {
  readonly generation: { readonly eosTokenIds: readonly number[] };
  readonly maxPositions: number;
  createKvCache(batch: number, maxLength: number): Cache;
  forward(input: {
    tokens: readonly number[];
    adapters?: readonly (string | null)[];
    cache?: Cache;
  }): Float32Array;
}

export interface GenerateOptions extends SamplingOptions {
  tokenizer: Tokenizer;
  /** Plain prompt text, encoded with the tokenizer's special tokens (bos where the tokenizer adds it). */
  prompt?: string;
  /** Chat messages, rendered with the tokenizer's chat template and a generation prompt. */
  messages?: readonly ChatMessage[];
  /** Most tokens to generate (an end-of-sequence token counts). */
  maxTokens: number;
  /** Seed of the sampler (default 0); the same seed and inputs give the same tokens. */
  seed?: number;
  /** Strings that end generation; the returned text stops before the first one. */
  stop?: readonly string[];
  /** Name of an adapter attached to the model, or null/absent for the base model. */
  adapter?: string | null;
}

export type FinishReason = 'stop' | 'length';

export interface GenerateResult {
  text: string;
  /** Generated token ids, including a final end-of-sequence token or the token that completed a stop string. */
  tokens: number[];
  finishReason: FinishReason;
  promptTokens: number[];
}

function promptTokens(options: GenerateOptions): number[] {
  const { tokenizer, prompt, messages } = options;
  if ((prompt === undefined) === (messages === undefined)) {
    throw new LorakitError('INVALID_ARGUMENT', 'give exactly one of prompt and messages');
  }
  if (prompt !== undefined) {
    if (prompt.length === 0)
      throw new LorakitError('INVALID_ARGUMENT', 'the prompt is empty', { fix: 'give some prompt text' });
    return tokenizer.encode(prompt);
  }
  return encodeChat(tokenizer, { messages: messages ?? [], addGenerationPrompt: true });
}

/** Yields text pieces as they become final; returns the whole result. */
export function* generationSteps<Cache extends { dispose(): void }>(
  model: GenerationModel<Cache>,
  options: GenerateOptions,
): Generator<string, GenerateResult, undefined> {
  const { tokenizer, maxTokens } = options;
  if (!Number.isSafeInteger(maxTokens) || maxTokens <= 0)
    throw new LorakitError('INVALID_ARGUMENT', `maxTokens must be a positive integer, got ${maxTokens}`);
  checkSamplingOptions(options);
  const prompt = promptTokens(options);
  if (prompt.length === 0)
    throw new LorakitError('INVALID_ARGUMENT', 'the prompt encodes to no tokens', {
      fix: 'give some prompt text',
    });
  if (prompt.length >= model.maxPositions) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `the prompt has ${prompt.length} tokens; the model allows ${model.maxPositions} positions in all`,
      { fix: 'shorten the prompt' },
    );
  }
  // Positions past the model's limit are not generated: that ends as "length" too.
  const budget = Math.min(maxTokens, model.maxPositions - prompt.length);
  const endTokens = new Set(model.generation.eosTokenIds);
  if (tokenizer.eosTokenId !== null) endTokens.add(tokenizer.eosTokenId);
  const random = createSeededRandom(options.seed ?? 0);
  const detokenizer = new StreamingDetokenizer(tokenizer);
  const matcher = new StopSequenceMatcher(options.stop ?? []);
  const adapters = [options.adapter ?? null];
  const tokens: number[] = [];
  let text = '';
  let finishReason: FinishReason = 'length';

  const cache = model.createKvCache(1, prompt.length + budget);
  try {
    let logits = model.forward({ tokens: prompt, adapters, cache });
    while (tokens.length < budget) {
      const token = sampleToken(logits, options, random);
      tokens.push(token);
      if (endTokens.has(token)) {
        finishReason = 'stop';
        break;
      }
      const piece = matcher.push(detokenizer.push(token));
      if (piece.text.length > 0) {
        text += piece.text;
        yield piece.text;
      }
      if (piece.stopped) {
        finishReason = 'stop';
        break;
      }
      if (tokens.length < budget) logits = model.forward({ tokens: [token], adapters, cache });
    }
  } finally {
    cache.dispose();
  }
  if (!matcher.stopped) {
    // An unfinished character at the end, then whatever the matcher still held back.
    const last = matcher.push(detokenizer.flush());
    if (last.stopped) finishReason = 'stop';
    const rest = last.text + matcher.flush();
    if (rest.length > 0) {
      text += rest;
      yield rest;
    }
  }
  return { text, tokens, finishReason, promptTokens: prompt };
}
