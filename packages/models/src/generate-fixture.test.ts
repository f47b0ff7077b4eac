import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAdapterFolder } from '@lorakit/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStream } from './generate-stream.js';
import { generate } from './generate.js';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { loadTokenizer } from './tokenizer-file.js';
import type { Tokenizer } from './tokenizer.js';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
const base = join(fixtures, 'peft-tiny-llama', 'base');
if (!existsSync(base))
  console.warn(`shared fixtures not found at ${fixtures}: fixture generation tests skipped`);

// transformers 5.24 / torch 2.15, float32: model.generate(ids, max_new_tokens=24, do_sample=False) on the fixture
// base. The smallest top-1/top-2 logit gap along each path is ≥ 0.004, far above f32 forward differences (1e-5).
const GREEDY: { prompt: string; tokens: number[] }[] = [
  {
    prompt: 'Hello',
    tokens: [
      191, 51, 191, 51, 238, 51, 238, 191, 252, 191, 252, 191, 77, 239, 191, 241, 239, 191, 41, 191, 241, 204,
      191, 241,
    ],
  },
  {
    prompt: 'The quick brown fox',
    tokens: [
      233, 250, 115, 78, 99, 250, 250, 250, 250, 250, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
    ],
  },
  {
    prompt: 'héllo 日本',
    tokens: [
      155, 9, 9, 9, 190, 190, 235, 190, 235, 9, 176, 250, 252, 190, 69, 157, 245, 9, 210, 245, 9, 210, 245, 9,
    ],
  },
];
// apply_chat_template([{role: user, content: "Hi there"}], add_generation_prompt=True), then the same greedy call.
const CHAT_GREEDY = [
  194, 194, 194, 194, 215, 117, 194, 194, 194, 194, 215, 117, 194, 194, 194, 215, 117, 194, 215, 117, 194,
  194, 247, 1,
];
// PeftModel.from_pretrained(base, "adapter"), prompt "Hello", the same greedy call.
const ADAPTER_GREEDY = [
  151, 51, 62, 106, 241, 106, 241, 106, 241, 106, 241, 106, 241, 106, 106, 106, 106, 106, 106, 106, 106, 106,
  106, 106,
];

describe.skipIf(!existsSync(base))('generation on the tiny-llama fixture, against transformers', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    model = await loadModel(base, { backend: 'auto' });
    tokenizer = await loadTokenizer({ modelDirectory: base });
  });
  afterAll(() => model?.dispose());

  it('greedy tokens equal transformers generate(do_sample=False) and end with "length"', () => {
    for (const { prompt, tokens } of GREEDY) {
      const result = generate(model, { tokenizer, prompt, maxTokens: 24, temperature: 0 });
      expect(result.tokens).toEqual(tokens);
      expect(result.finishReason).toBe('length');
      expect(result.text).toBe(tokenizer.decode(tokens));
    }
  });

  it('greedy generation from chat messages equals transformers on the chat-templated prompt', () => {
    const result = generate(model, {
      tokenizer,
      messages: [{ role: 'user', content: 'Hi there' }],
      maxTokens: 24,
      temperature: 0,
    });
    expect(result.tokens).toEqual(CHAT_GREEDY);
  });

  it('greedy generation with the fixture adapter equals PEFT', async () => {
    model.attachAdapter('fixture', await readAdapterFolder(join(fixtures, 'peft-tiny-llama', 'adapter')));
    try {
      const result = generate(model, {
        tokenizer,
        prompt: 'Hello',
        maxTokens: 24,
        temperature: 0,
        adapter: 'fixture',
      });
      expect(result.tokens).toEqual(ADAPTER_GREEDY);
    } finally {
      model.detachAdapter('fixture');
    }
  });

  it('is deterministic, and a stop string ends with "stop" and is left out', () => {
    const options = { tokenizer, prompt: 'The quick brown fox', maxTokens: 24, temperature: 0, stop: ['s'] };
    const first = generate(model, options);
    // 233, 250 are invalid UTF-8 (each one U+FFFD, as transformers decodes them), then 115 = "s"
    expect(first).toMatchObject({ text: '\uFFFD\uFFFD', tokens: [233, 250, 115], finishReason: 'stop' });
    expect(generate(model, options)).toEqual(first);
  });

  it('a seeded sample is reproducible and streaming gives the same text', async () => {
    const options = {
      tokenizer,
      prompt: 'Hello',
      maxTokens: 16,
      temperature: 0.8,
      topP: 0.9,
      topK: 50,
      seed: 5,
    };
    const first = generate(model, options);
    expect(generate(model, options)).toEqual(first);
    const stream = generateStream(model, options);
    let text = '';
    for await (const piece of stream) text += piece;
    expect(text).toBe(first.text);
    expect((await stream.result).tokens).toEqual(first.tokens);
  });
});
