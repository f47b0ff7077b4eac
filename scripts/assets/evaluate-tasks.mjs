#!/usr/bin/env node
/**
 * Shows that the bundled assets work: for each task, fine-tunes the tiny base on train (LoRA r=16 by default,
 * or --method full) and compares base and tuned model on the test split: mean loss on the completion tokens
 * (all test items) and greedy generations scored by the task's metrics (the first --sample test items).
 *
 *   pnpm build && node scripts/assets/evaluate-tasks.mjs [--task NAME] [--steps N] [--sample N] [--method lora|full]
 *     [--assets DIR]   (default: the repo's assets/; e.g. the --out folder of make-assets.mjs)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLoraConfig } from '../../packages/core/dist/index.js';
import { readAdapterFolder } from '../../packages/core/dist/node.js';
import { createLoraAdapter, generate, loadModel, loadTokenizer } from '../../packages/models/dist/index.js';
import {
  TrainingData,
  evaluateLoss,
  modelExampleTokenizer,
  readDataset,
  train,
} from '../../packages/trainer/dist/index.js';
import { LAB_NOUNS, LAB_VERBS } from './world.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    task: { type: 'string', multiple: true },
    steps: { type: 'string', default: '250' },
    sample: { type: 'string', default: '120' },
    method: { type: 'string', default: 'lora' },
    'learning-rate': { type: 'string' },
    targets: { type: 'string' },
    show: { type: 'string', default: '0' },
    assets: { type: 'string' },
  },
});
const assets = resolve(args.assets ?? join(root, 'assets'));
const baseDir = join(assets, 'tiny-base');
const tasks = args.task ?? ['extract-json', 'formal-to-casual', 'domain-lexicon', 'fact-recall'];
const LEXICON = [...LAB_NOUNS, ...LAB_VERBS].map(([, word]) => word.toLowerCase());

function jsonFieldF1(prediction, reference) {
  let predicted;
  try {
    predicted = JSON.parse(prediction);
  } catch {
    return 0;
  }
  if (typeof predicted !== 'object' || predicted === null) return 0;
  const expected = JSON.parse(reference);
  const keys = Object.keys(predicted);
  const correct = keys.filter(
    (key) => JSON.stringify(predicted[key]) === JSON.stringify(expected[key]),
  ).length;
  if (correct === 0) return 0;
  const precision = correct / keys.length;
  const recall = correct / Object.keys(expected).length;
  return (2 * precision * recall) / (precision + recall);
}

/** contains: fact-recall — the answer's value; domain-lexicon — every lexicon word the reference uses. */
function contains(task, prediction, reference) {
  if (task === 'fact-recall') {
    const value = reference.replace(/\.$/, '').split(/ (?:lives in|is an?) /)[1];
    return prediction.includes(value) ? 1 : 0;
  }
  const words = LEXICON.filter((word) => reference.toLowerCase().includes(word));
  return words.every((word) => prediction.toLowerCase().includes(word)) ? 1 : 0;
}

function scores(task, prediction, reference) {
  const out = { exact_match: prediction.trim() === reference ? 1 : 0 };
  if (task === 'extract-json') out.json_field_f1 = jsonFieldF1(prediction.trim(), reference);
  if (task === 'fact-recall' || task === 'domain-lexicon')
    out.contains = contains(task, prediction, reference);
  return out;
}

/** Test loss on completion tokens and mean generation scores with `adapterName` (null: the base). */
function measure(model, tokenizer, testData, records, task, adapterName, loraConfig) {
  let loss;
  if (adapterName === null) {
    // A fresh adapter has B = 0, so its forward is exactly the base model's.
    model.attachAdapter('zero', createLoraAdapter(model, loraConfig, { seed: 0 }));
    const session = model.createTrainingSession({ method: 'lora', adapter: 'zero' });
    loss = evaluateLoss(session, testData.validationBatches());
    session.dispose();
    model.detachAdapter('zero');
  } else {
    const session = model.createTrainingSession({ method: 'lora', adapter: adapterName });
    loss = evaluateLoss(session, testData.validationBatches());
    session.dispose();
  }
  const totals = {};
  for (const [index, record] of records.entries()) {
    const messages = record.messages.slice(0, -1);
    const reference = record.messages.at(-1).content;
    const result = generate(model, {
      tokenizer,
      messages,
      maxTokens: 64,
      temperature: 0,
      adapter: adapterName,
    });
    if (index < Number(args.show))
      console.error(
        `${adapterName ?? 'base'}: ${JSON.stringify(result.text)} vs ${JSON.stringify(reference)}`,
      );
    for (const [name, value] of Object.entries(scores(task, result.text, reference)))
      totals[name] = (totals[name] ?? 0) + value;
  }
  return {
    loss,
    ...Object.fromEntries(Object.entries(totals).map(([name, total]) => [name, total / records.length])),
  };
}

const results = [];
for (const task of tasks) {
  const dir = join(assets, 'tasks', task);
  const work = await mkdtemp(join(tmpdir(), `lorakit-eval-${task}-`));
  const started = performance.now();
  const run = await train({
    model: baseDir,
    data: join(dir, 'train.jsonl'),
    validationData: join(dir, 'validation.jsonl'),
    out: join(work, 'out'),
    method: args.method,
    rank: 16,
    alpha: 32,
    ...(args.targets
      ? { targets: args.targets === 'all-linear' ? 'all-linear' : args.targets.split(',') }
      : {}),
    steps: Number(args.steps),
    batchSize: 16,
    learningRate: Number(args['learning-rate'] ?? (args.method === 'full' ? 5e-4 : 2e-3)),
    warmupSteps: 10,
    evaluationInterval: Number(args.steps),
    keepBest: false,
    seed: 1,
    backend: 'cpu',
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const tokenizer = await loadTokenizer({ modelDirectory: baseDir });
  const loraConfig = createLoraConfig({ r: 16, lora_alpha: 32 });
  const testPath = join(dir, 'test.jsonl');
  const testData = await TrainingData.load({
    trainPath: testPath,
    validationPath: testPath,
    tokenizer: modelExampleTokenizer(tokenizer),
    maxLength: 512,
    seed: 0,
    batchSize: 16,
  });
  const sample = (await readDataset({ path: testPath })).records.slice(0, Number(args.sample));
  const base = await loadModel(baseDir, { backend: 'cpu' });
  const before = measure(base, tokenizer, testData, sample, task, null, loraConfig);
  let after;
  if (args.method === 'full') {
    const tuned = await loadModel(join(work, 'out'), { backend: 'cpu' });
    after = measure(tuned, tokenizer, testData, sample, task, null, loraConfig);
    tuned.dispose();
  } else {
    base.attachAdapter('task', await readAdapterFolder(join(work, 'out')));
    after = measure(base, tokenizer, testData, sample, task, 'task', loraConfig);
  }
  base.dispose();
  const line = {
    task,
    method: args.method,
    steps: run.steps,
    trainSeconds: Math.round(trainSeconds),
    tokensPerSecond: Math.round(run.tokensPerSecond),
    finalTrainLoss: run.trainLoss,
    validationLoss: run.validationLoss,
    testItems: testData.validation.length,
    sampled: sample.length,
    base: before,
    tuned: after,
  };
  results.push(line);
  console.log(JSON.stringify(line));
  await rm(work, { recursive: true, force: true });
}
