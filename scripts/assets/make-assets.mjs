#!/usr/bin/env node
/**
 * Regenerates everything under assets/: the four task datasets, the tokenizer, and the tiny base model,
 * pretrained with lorakit's own trainer (method 'full', from a seeded random initialisation) on a synthetic
 * corpus. Every step is a pure function of SEED, so running it twice writes the same bytes (assets/SHA256SUMS).
 *
 *   pnpm build && node scripts/assets/make-assets.mjs [--steps N] [--work DIR] [--out DIR]
 *
 * The corpus (about 1 M tokens) is written to the work folder (default: the system temp folder), not the repo.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromFloat32, toFloat32 } from '../../packages/core/dist/index.js';
import { readCheckpoint } from '../../packages/core/dist/node.js';
import { train } from '../../packages/trainer/dist/index.js';
import { learnMerges, tokenizerJson } from './byte-level-bpe.mjs';
import { makeCorpus } from './corpus.mjs';
import { childSeed } from './random.mjs';
import { makeTasks } from './tasks.mjs';
import { SPECIAL_TOKENS, initialWeights, modelConfig, writeModelFiles, writeWeights } from './tiny-base.mjs';

export const SEED = 20250;
/** Pretraining settings; the figures in assets/README.md come from these. */
export const PRETRAINING = {
  conversations: 36000,
  validationConversations: 600,
  steps: 700,
  batchSize: 16,
  maxLength: 256,
  learningRate: 1.5e-3,
  warmupSteps: 30,
  minimumLearningRateRatio: 0.1,
  weightDecay: 0.01,
};
const NEW_TOKENS = 768 - 256 - SPECIAL_TOKENS.length;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: { steps: { type: 'string' }, work: { type: 'string' }, out: { type: 'string' } },
});
const out = resolve(args.out ?? join(root, 'assets'));
const work = resolve(args.work ?? join(tmpdir(), `lorakit-assets-${SEED}`));
const steps = args.steps ? Number(args.steps) : PRETRAINING.steps;
const jsonl = (records) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';
const log = (line) => process.stderr.write(`${line}\n`);
const started = performance.now();

// 1. Task datasets.
for (const { splits, task } of makeTasks(SEED)) {
  const dir = join(out, 'tasks', task.name);
  await mkdir(dir, { recursive: true });
  for (const split of ['train', 'validation', 'test'])
    await writeFile(join(dir, `${split}.jsonl`), jsonl(splits[split]));
  const sizes = Object.fromEntries(Object.entries(splits).map(([name, records]) => [name, records.length]));
  await writeFile(
    join(dir, 'task.json'),
    `${JSON.stringify({ ...task, seed: SEED, splits: sizes }, null, 2)}\n`,
  );
  log(`task ${task.name}: ${JSON.stringify(sizes)}`);
}

// 2. Corpus (train + validation), then the tokenizer learned from its first 8,000 conversations.
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const corpus = makeCorpus(SEED, PRETRAINING.conversations + PRETRAINING.validationConversations);
const corpusTrain = corpus.slice(0, PRETRAINING.conversations);
await writeFile(join(work, 'corpus.jsonl'), jsonl(corpusTrain));
await writeFile(join(work, 'corpus-validation.jsonl'), jsonl(corpus.slice(PRETRAINING.conversations)));
const texts = corpusTrain
  .slice(0, 8000)
  .flatMap(({ messages }) => messages.map((message) => `${message.content}\n`));
const tokenizer = tokenizerJson(learnMerges(texts, NEW_TOKENS), SPECIAL_TOKENS);
const id = (token) => tokenizer.model.vocab[token];
const config = modelConfig({ bos: id('<|bos|>'), eos: id('<|eos|>'), pad: id('<|pad|>') });
log(
  `tokenizer: ${Object.keys(tokenizer.model.vocab).length} tokens (${tokenizer.model.merges.length} merges)`,
);

// 3. Random initialisation, then full-parameter pretraining with lorakit's trainer.
const initial = join(work, 'initial');
await writeModelFiles(initial, { config: { ...config, torch_dtype: 'float32' }, tokenizer });
await writeWeights(initial, initialWeights(config, childSeed(SEED, 'weights')));
const pretrained = join(work, 'pretrained');
const result = await train({
  model: initial,
  data: join(work, 'corpus.jsonl'),
  validationData: join(work, 'corpus-validation.jsonl'),
  out: pretrained,
  method: 'full',
  steps,
  batchSize: PRETRAINING.batchSize,
  maxLength: PRETRAINING.maxLength,
  packing: true,
  trainOnPrompts: true,
  learningRate: PRETRAINING.learningRate,
  warmupSteps: Math.min(PRETRAINING.warmupSteps, steps),
  minimumLearningRateRatio: PRETRAINING.minimumLearningRateRatio,
  weightDecay: PRETRAINING.weightDecay,
  evaluationInterval: Math.max(1, Math.round(steps / 4)),
  keepBest: false,
  seed: SEED,
  backend: 'cpu',
  onLog: log,
});
log(
  `pretraining: ${result.steps} steps, train loss ${result.trainLoss.toFixed(4)}, validation loss ${result.validationLoss?.toFixed(4)}, ${Math.round(result.tokensPerSecond)} tokens/s, ${result.seconds.toFixed(0)} s`,
);

// 4. The committed model: bf16 weights (half the bytes; loadModel computes in f32) and the same files.
const base = join(out, 'tiny-base');
await rm(base, { recursive: true, force: true });
await writeModelFiles(base, { config, tokenizer });
const { tensors } = await readCheckpoint(pretrained);
const bf16 = new Map(
  [...tensors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, tensor]) => [name, fromFloat32(toFloat32(tensor), tensor.shape, 'BF16')]),
);
await writeWeights(base, bf16);
const metrics = (await readFile(join(pretrained, 'metrics.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const tokensPerStep = PRETRAINING.batchSize * PRETRAINING.maxLength;
await writeFile(
  join(base, 'pretraining.json'),
  `${JSON.stringify(
    {
      seed: SEED,
      ...PRETRAINING,
      steps: result.steps,
      warmupSteps: Math.min(PRETRAINING.warmupSteps, steps),
      packedTokensPerStep: tokensPerStep,
      tokensSeen: result.steps * tokensPerStep,
      finalTrainLoss: result.trainLoss,
      finalValidationLoss: result.validationLoss,
      validationLosses: metrics
        .filter((line) => line.validation_loss !== null)
        .map((line) => ({ step: line.step, loss: line.validation_loss })),
    },
    null,
    2,
  )}\n`,
);

// 5. Hashes of everything written, so a second run can be compared byte for byte.
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    ),
  );
  return nested.flat().sort();
}
const lines = [];
for (const file of await listFiles(out)) {
  const name = relative(out, file);
  if (name === 'SHA256SUMS' || name === 'README.md') continue;
  lines.push(
    `${createHash('sha256')
      .update(await readFile(file))
      .digest('hex')}  ${name}`,
  );
}
await writeFile(join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
log(`wrote ${lines.length} files under ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
