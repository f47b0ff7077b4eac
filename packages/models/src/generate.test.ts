import { describe, expect, it } from 'vitest';
import { generateStream } from './generate-stream.js';
import type { GenerationModel } from './generate-steps.js';
import { generate } from './generate.js';
import { createByteLevelTokenizer } from './testing/byte-level-tokenizer.js';

const EOS = 256;
const tokenizer = createByteLevelTokenizer({
  tokenizerConfig: {
    chat_template: "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}>",
  },
});

/**
 * A scripted model: whatever the input, the k-th forward call (k = 0 is the prefill) puts all mass on
 * script[k]. It records calls so tests can check the KV-cache protocol.
 */
function scriptedModel(script: readonly number[], maxPositions = Number.POSITIVE_INFINITY) {
  const calls: { tokens: number[]; adapters: readonly (string | null)[] | undefined }[] = [];
  const caches: { maxLength: number; disposed: boolean }[] = [];
  const model: GenerationModel = {
    generation: { eosTokenIds: [EOS] },
    maxPositions,
    createKvCache(batch, maxLength) {
      expect(batch).toBe(1);
      const cache = { maxLength, disposed: false, dispose: () => void (cache.disposed = true) };
      caches.push(cache);
      return cache;
    },
    forward(input) {
      expect(input.cache).toBe(caches.at(-1));
      calls.push({ tokens: [...input.tokens], adapters: input.adapters });
      const logits = new Float32Array(258).fill(-5);
      logits[script[calls.length - 1] ?? 0] = 5;
      return logits;
    },
  };
  return { model, calls, caches };
}

const bytes = (text: string): number[] => [...new TextEncoder().encode(text)];

describe('generate', () => {
  it('prefills the cache once, then feeds one token per step, and ends at maxTokens with "length"', () => {
    const { model, calls, caches } = scriptedModel(bytes('abcdef'));
    const result = generate(model, {
      tokenizer,
      prompt: 'hi',
      maxTokens: 4,
      temperature: 0,
      adapter: 'style',
    });
    expect(result).toEqual({
      text: 'abcd',
      tokens: bytes('abcd'),
      finishReason: 'length',
      promptTokens: bytes('hi'),
    });
    // the last sampled token needs no forward pass
    expect(calls.map((call) => call.tokens)).toEqual([bytes('hi'), bytes('a'), bytes('b'), bytes('c')]);
    expect(calls.every((call) => call.adapters?.[0] === 'style')).toBe(true);
    expect(caches).toEqual([expect.objectContaining({ maxLength: 2 + 4, disposed: true })]);
  });

  it('stops at an end-of-sequence token with "stop"; the token is in tokens, not in text', () => {
    const { model } = scriptedModel([...bytes('ok'), EOS, ...bytes('zz')]);
    const result = generate(model, { tokenizer, prompt: 'q', maxTokens: 10, temperature: 0 });
    expect(result).toMatchObject({ text: 'ok', tokens: [...bytes('ok'), EOS], finishReason: 'stop' });
  });

  it('stops at a stop string spread over tokens and leaves it out of the text', () => {
    const { model } = scriptedModel(bytes('answer\n\nmore'));
    const result = generate(model, { tokenizer, prompt: 'q', maxTokens: 20, temperature: 0, stop: ['\n\n'] });
    expect(result).toMatchObject({ text: 'answer', tokens: bytes('answer\n\n'), finishReason: 'stop' });
  });

  it('treats reaching the model position limit as "length"', () => {
    const { model, caches } = scriptedModel(bytes('abcdef'), 5);
    const result = generate(model, { tokenizer, prompt: 'hi', maxTokens: 10, temperature: 0 });
    expect(result).toMatchObject({ text: 'abc', finishReason: 'length' });
    expect(caches[0]?.maxLength).toBe(5);
    expect(() => generate(model, { tokenizer, prompt: 'hello', maxTokens: 1 })).toThrow(
      /5 tokens; the model allows 5/,
    );
  });

  it('renders messages through the chat template with a generation prompt', () => {
    const { model, calls } = scriptedModel(bytes('x'));
    generate(model, { tokenizer, messages: [{ role: 'user', content: 'hi' }], maxTokens: 1, temperature: 0 });
    expect(calls[0]?.tokens).toEqual(bytes('<user>hi>'));
  });

  it('reproduces a sampled generation from its seed', () => {
    const { model } = scriptedModel([]);
    // all logits equal except one token: sampling at a high temperature spreads over the vocabulary
    const options = { tokenizer, prompt: 'p', maxTokens: 8, temperature: 50, seed: 9 };
    const first = generate(model, options).tokens;
    expect(generate(scriptedModel([]).model, options).tokens).toEqual(first);
    expect(generate(scriptedModel([]).model, { ...options, seed: 10 }).tokens).not.toEqual(first);
  });

  it('rejects an empty prompt, both or neither of prompt and messages, and a bad maxTokens', () => {
    const { model } = scriptedModel([]);
    expect(() => generate(model, { tokenizer, prompt: '', maxTokens: 1 })).toThrow(/the prompt is empty/);
    expect(() => generate(model, { tokenizer, maxTokens: 1 })).toThrow(/exactly one of prompt and messages/);
    expect(() => generate(model, { tokenizer, prompt: 'a', maxTokens: 0 })).toThrow(
      /maxTokens must be a positive/,
    );
  });
});

describe('generateStream', () => {
  it('yields whole characters that concatenate to the text, then resolves the result', async () => {
    const { model } = scriptedModel(bytes('é日🙂!'));
    const stream = generateStream(model, {
      tokenizer,
      prompt: 'p',
      maxTokens: 20,
      temperature: 0,
      stop: ['!'],
    });
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    expect(pieces).toEqual(['é', '日', '🙂']);
    expect(await stream.result).toMatchObject({ text: 'é日🙂', finishReason: 'stop' });
  });

  it('frees the cache when the caller stops early', async () => {
    const { model, caches } = scriptedModel(bytes('abcdef'));
    const stream = generateStream(model, { tokenizer, prompt: 'p', maxTokens: 6, temperature: 0 });
    for await (const piece of stream) if (piece === 'b') break;
    expect(caches[0]?.disposed).toBe(true);
    await expect(stream.result).rejects.toThrow(/stopped before it finished/);
  });
});
