import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAdapterFolder } from '@lorakit/core/node';
import { generate, loadModel, loadTokenizer } from '@lorakit/models';
import { compareRuns } from './compare-runs.js';
import { continuationLogLikelihood, logSoftmaxAt } from './continuation-likelihood.js';
import { parseTestFile } from './test-file.js';
import { renderPrompt, sha256 } from './rendered-prompt.js';
import { evaluateModel } from './run-evaluation.js';
import { fixturesDir, fixturesSkipReason } from './testing/fixtures.js';

if (!fixturesDir) console.warn(fixturesSkipReason());
const base = fixturesDir ? join(fixturesDir, 'peft-tiny-llama', 'base') : '';
const adapterDir = fixturesDir ? join(fixturesDir, 'peft-tiny-llama', 'adapter') : '';

const TEST_FILE = [
  {
    id: 'a',
    messages: [
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'hi' },
    ],
  },
  { id: 'b', prompt: 'The sky is', completion: ' blue', choices: [' blue', ' green', ' loud'] },
  { id: 'c', prompt: '1 2 3', completion: ' 4', choices: [' 4', ' 5'] },
]
  .map((record) => JSON.stringify(record))
  .join('\n');

describe.skipIf(!fixturesDir)('evaluateModel on the fixture model', () => {
  it('records greedy outputs identical to generate at temperature 0, with prompt hashes', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: base });
    using model = await loadModel(base, { backend: 'cpu' });
    const items = parseTestFile(TEST_FILE, 'test.jsonl');
    const run = evaluateModel({ model, tokenizer, items, metric: 'rouge_l', maxTokensMargin: 4 });
    expect(run).toMatchObject({ metric: 'rouge_l', n: 3, method: 't', binary: false });
    const first = items[0]; // "hi" is 2 byte tokens; margin 4
    const expected = generate(model, {
      tokenizer,
      messages: first?.messages ?? [],
      maxTokens: 2 + 4,
      temperature: 0,
    });
    expect(run.records[0]).toMatchObject({ id: 'a', output: expected.text, reference: 'hi' });
    expect(run.records[0]?.prompt_hash).toBe(sha256('<|user|>\nSay hi<|endoftext|>\n<|assistant|>\n'));
    expect(run.records[1]?.prompt_hash).toBe(sha256('The sky is'));
    for (const record of run.records) expect(record.score).toBeGreaterThanOrEqual(0);
  });

  it('teacher-forced log-likelihood equals the sum of per-step log-softmax of full forwards', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: base });
    using model = await loadModel(base, { backend: 'cpu' });
    const prompt = tokenizer.encode('The sky is');
    const continuation = tokenizer.encode(' blue', { addSpecialTokens: false });
    let expected = 0;
    continuation.forEach((token, index) => {
      expected += logSoftmaxAt(model.logits([...prompt, ...continuation.slice(0, index)]), token);
    });
    expect(continuationLogLikelihood(model, { prompt, continuation })).toBeCloseTo(expected, 4);
  });

  it('scores base and base + adapter on the same items; the runs pair', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: base });
    using model = await loadModel(base, { backend: 'cpu' });
    model.attachAdapter('fixture', await readAdapterFolder(adapterDir, { baseModules: model.modules }));
    const items = parseTestFile(TEST_FILE, 'test.jsonl');
    const choices = items.slice(1);
    const baseRun = evaluateModel({ model, tokenizer, items: choices, metric: 'multiple_choice' });
    const adapterRun = evaluateModel({
      model,
      tokenizer,
      items: choices,
      metric: 'multiple_choice',
      adapter: 'fixture',
    });
    expect(baseRun.method).toBe('wilson');
    for (const record of [...baseRun.records, ...adapterRun.records]) expect([0, 1]).toContain(record.score);
    const perplexity = evaluateModel({ model, tokenizer, items, metric: 'perplexity' });
    // a random 258-token model: perplexity near the vocabulary size, far from 1
    for (const record of perplexity.records) expect(record.score).toBeGreaterThan(10);
    expect(compareRuns(baseRun.records, adapterRun.records).n).toBe(2);
    expect(renderPrompt(tokenizer, choices[0]!).tokens).toEqual(tokenizer.encode('The sky is'));
  });
});
