/**
 * The committed embedded default (assets/, made by scripts/assets/make-assets.mjs) loads: the tiny base model,
 * its tokenizer and chat template, and the four task datasets with their split sizes. No training.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeChat, loadModel, loadTokenizer, renderChat } from '@lorakit/models';
import type { Model, Tokenizer } from '@lorakit/models';
import { readDataset } from './read-dataset.js';

const ASSETS = fileURLToPath(new URL('../../../assets/', import.meta.url));
const BASE = join(ASSETS, 'tiny-base');
const TASKS = ['extract-json', 'formal-to-casual', 'domain-lexicon', 'fact-recall'];
const EXPECTED_SIZES: Record<string, Record<string, number>> = {
  'extract-json': { train: 2000, validation: 200, test: 400 },
  'formal-to-casual': { train: 2000, validation: 200, test: 400 },
  'domain-lexicon': { train: 2000, validation: 200, test: 400 },
  'fact-recall': { train: 2400, validation: 200, test: 400 },
};

describe('bundled tiny base', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    model = await loadModel(BASE, { backend: 'cpu' });
    tokenizer = await loadTokenizer({ modelDirectory: BASE });
  });
  afterAll(() => model.dispose());

  it('is the tiny Llama the README describes, under 10 MB', () => {
    expect(model.config.model_type).toBe('llama');
    expect(model.dimensions).toMatchObject({
      hidden: 256,
      layers: 4,
      heads: 8,
      kvHeads: 2,
      vocab: 768,
      tiedEmbeddings: true,
    });
    expect(readFileSync(join(BASE, 'model.safetensors')).byteLength).toBeLessThan(10_000_000);
  });

  it('gives finite logits over the whole vocabulary', () => {
    const logits = model.logits(tokenizer.encode('Write a formal note.'));
    expect(logits.length).toBe(768);
    expect(logits.every((value) => Number.isFinite(value))).toBe(true);
  });

  it('round-trips text through the byte-level tokenizer, multi-byte characters included', () => {
    const text = 'Dear Ana, Kindly forward the report by Friday. {"age":34} café — 日本';
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length); // merges were learned
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.vocabularySize).toBe(768);
  });

  it('renders the chat template with bos, role tokens and eos', () => {
    const messages = [
      { role: 'user', content: 'Hi.' },
      { role: 'assistant', content: 'hey' },
    ];
    expect(renderChat(tokenizer, { messages, addGenerationPrompt: false })).toBe(
      '<|bos|><|user|>\nHi.<|eos|><|assistant|>\nhey<|eos|>',
    );
    const ids = encodeChat(tokenizer, { messages: messages.slice(0, 1), addGenerationPrompt: true });
    expect(ids[0]).toBe(tokenizer.bosTokenId);
    expect(tokenizer.decode(ids)).toBe('<|bos|><|user|>\nHi.<|eos|><|assistant|>\n');
    expect(model.generation.eosTokenIds).toEqual([tokenizer.eosTokenId]);
  });
});

describe('bundled task datasets', () => {
  for (const task of TASKS) {
    it(`${task}: task.json and chat splits of the expected sizes`, async () => {
      const dir = join(ASSETS, 'tasks', task);
      const description = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as Record<string, unknown>;
      expect(description['name']).toBe(task);
      expect(typeof description['metric']).toBe('string');
      expect(description['splits']).toEqual(EXPECTED_SIZES[task]);
      const prompts = new Map<string, Set<string>>();
      for (const split of ['train', 'validation', 'test']) {
        const dataset = await readDataset({ path: join(dir, `${split}.jsonl`) });
        expect(dataset.format).toBe('chat');
        expect(dataset.records.length).toBe(EXPECTED_SIZES[task]?.[split]);
        prompts.set(
          split,
          new Set(
            dataset.records.map((record) =>
              record.format === 'chat' ? (record.messages[0]?.content ?? '') : '',
            ),
          ),
        );
      }
      // Held-out means held out: no test prompt appears in train.
      const train = prompts.get('train') ?? new Set<string>();
      expect([...(prompts.get('test') ?? [])].filter((prompt) => train.has(prompt))).toEqual([]);
    });
  }
});

describe('assets/SHA256SUMS', () => {
  it('matches the committed files (they are what make-assets.mjs wrote)', () => {
    const lines = readFileSync(join(ASSETS, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const [hash, name] = line.split('  ');
      const actual = createHash('sha256')
        .update(readFileSync(join(ASSETS, name ?? '')))
        .digest('hex');
      expect({ name, hash: actual }).toEqual({ name, hash });
    }
  });
});
