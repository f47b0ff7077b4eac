import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listModelModules, toFloat32 } from '@lorakit/core';
import type { Tensor } from '@lorakit/core';
import { loadModelConfig, readAdapterFolder, readCheckpoint } from '@lorakit/core/node';
import { train } from './train.js';
import type { TrainingEvents } from './train-options.js';
import { readTrainingCheckpoint } from './training-checkpoint.js';
import { writeTinyModel } from './testing/write-tiny-model.js';
import { TypedEmitter } from './typed-emitter.js';

// A memorisable task: 8 fixed question → answer pairs.
const PAIRS = ['red', 'blue', 'green', 'gold', 'pink', 'gray', 'teal', 'navy'].map((color, index) => ({
  messages: [
    { role: 'user', content: `color ${index}?` },
    { role: 'assistant', content: color },
  ],
}));

let root: string;
let modelDir: string;
let dataPath: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lorakit-train-'));
  modelDir = join(root, 'model');
  await writeTinyModel(modelDir);
  dataPath = join(root, 'train.jsonl');
  writeFileSync(dataPath, PAIRS.map((pair) => JSON.stringify(pair)).join('\n'));
});

const base = (): Parameters<typeof train>[0] => ({
  model: modelDir,
  data: dataPath,
  validationData: dataPath,
  out: join(root, `out-${Math.random().toString(36).slice(2)}`),
  rank: 4,
  alpha: 8,
  batchSize: 4,
  learningRate: 2e-2,
  steps: 30,
  evaluationInterval: 10,
  seed: 3,
  backend: 'cpu',
  progress: false,
});

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('train (lora, tiny random Llama, cpu backend)', () => {
  it('lowers the loss over 30 steps and writes a PEFT adapter with one metrics line per step', async () => {
    const options = base();
    const events = new TypedEmitter<TrainingEvents>();
    const steps: number[] = [];
    const evaluations: number[] = [];
    events.on('step-end', (event) => steps.push(event.step));
    events.on('eval-end', (event) => evaluations.push(event.validationLoss));
    const result = await train({ ...options, events });
    expect(result.steps).toBe(30);
    expect(steps).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    const metrics = lines(join(options.out, 'metrics.jsonl'));
    expect(metrics).toHaveLength(30);
    for (const line of metrics) {
      expect(Object.keys(line).sort()).toEqual([
        'epoch',
        'gradient_norm',
        'learning_rate',
        'loss',
        'step',
        'tokens_per_s',
        'validation_loss',
      ]);
    }
    const first = metrics[0]?.['loss'] as number;
    const last = metrics[29]?.['loss'] as number;
    // random init over 258 tokens starts near ln 258 ≈ 5.55. The frozen random head (|w| ≤ 0.1, hidden 32)
    // caps any logit near 1.9, so LoRA on attention cannot memorise here; measured 5.61 → 4.71.
    expect(first).toBeCloseTo(Math.log(258), 0);
    expect(last).toBeLessThan(first - 0.5);
    expect(evaluations).toHaveLength(3);
    expect(metrics[9]?.['validation_loss']).toBe(evaluations[0]);
    expect(metrics[10]?.['validation_loss']).toBeNull();
    const adapter = await readAdapterFolder(options.out);
    expect(adapter.config.r).toBe(4);
    expect(adapter.modules.length).toBe(8); // q,k,v,o × 2 layers
  });

  it('full fine-tuning memorises the pairs and writes a loadable model folder', async () => {
    const options = {
      ...base(),
      method: 'full' as const,
      learningRate: 1e-2,
      validationData: undefined,
      validationFraction: 0,
    };
    const result = await train(options);
    // measured 5.61 → 1.06 (the 8 answers are 3–5 bytes after a shared prompt)
    expect(result.trainLoss).toBeLessThan(1.5);
    expect(result.validationLoss).toBeNull();
    expect(readdirSync(options.out).sort()).toEqual([
      'config.json',
      'metrics.jsonl',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const weights = await readCheckpoint(options.out);
    expect(weights.tensors.get('model.layers.0.self_attn.q_proj.weight')?.shape).toEqual([32, 32]);
  });

  it('stops early when the validation loss stops improving and writes the best step, not the last', async () => {
    const validation = join(root, 'unrelated.jsonl');
    writeFileSync(validation, JSON.stringify({ text: 'the quick brown fox jumps over the lazy dog' }));
    const options = {
      ...base(),
      method: 'full' as const,
      learningRate: 3e-2,
      validationData: validation,
      evaluationInterval: 2,
      earlyStoppingPatience: 2,
      keepCheckpoints: true,
    };
    const evaluations: { step: number; validationLoss: number; best: boolean }[] = [];
    const events = new TypedEmitter<TrainingEvents>();
    events.on('eval-end', (event) => evaluations.push(event));
    const result = await train({ ...options, events });
    const bestIndex = evaluations.findIndex((event) => event.step === result.bestStep);
    // memorising the colours makes the unrelated text less likely after a while
    expect(result.stoppedEarly).toBe(true);
    expect(evaluations.slice(bestIndex + 1).map((event) => event.best)).toEqual([false, false]);
    expect(result.steps).toBe((evaluations.at(-1) as { step: number }).step);
    expect(result.validationLoss).toBe(Math.min(...evaluations.map((event) => event.validationLoss)));
    const best = await readTrainingCheckpoint(join(`${options.out}.checkpoints`, 'best'));
    const written = await readCheckpoint(options.out);
    const name = 'model.layers.1.mlp.down_proj.weight';
    expect(toFloat32(written.tensors.get(name) as Tensor)).toEqual(best.parameters.get(name));
  });

  it('a run resumed after step 12 reaches bit-identical weights (dropout, accumulation, 2 epochs)', async () => {
    const settings = {
      steps: 20,
      checkpointInterval: 4,
      dropout: 0.1,
      gradientAccumulation: 2,
      batchSize: 2,
      warmupSteps: 3,
    };
    const full = { ...base(), ...settings };
    await train(full);
    const interrupted = { ...base(), ...settings };
    const controller = new AbortController();
    const events = new TypedEmitter<TrainingEvents>();
    events.on('step-end', (event) => {
      if (event.step === 12) controller.abort();
    });
    const stopped = await train({ ...interrupted, events, signal: controller.signal });
    expect(stopped).toMatchObject({ aborted: true, steps: 12, out: null });
    const resumedSteps: number[] = [];
    const resumedEvents = new TypedEmitter<TrainingEvents>();
    resumedEvents.on('step-end', (event) => resumedSteps.push(event.step));
    const resumed = await train({ ...interrupted, resume: true, events: resumedEvents });
    expect(resumed.steps).toBe(20);
    expect(resumedSteps).toEqual([13, 14, 15, 16, 17, 18, 19, 20]); // it continued, it did not start over
    const a = readFileSync(join(full.out, 'adapter_model.safetensors'));
    const b = readFileSync(join(interrupted.out, 'adapter_model.safetensors'));
    expect(b.equals(a)).toBe(true);
    const metrics = lines(join(interrupted.out, 'metrics.jsonl'));
    expect(metrics.map((line) => line['step'])).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(metrics.map((line) => line['loss'])).toEqual(
      lines(join(full.out, 'metrics.jsonl')).map((line) => line['loss']),
    );
  });

  it('stops on a non-finite loss with a clear message and keeps the last good checkpoint', async () => {
    const options = {
      ...base(),
      learningRate: 1e30,
      maxGradientNorm: 0,
      checkpointInterval: 1,
      keepCheckpoints: true,
    };
    const saved: number[] = [];
    const events = new TypedEmitter<TrainingEvents>();
    events.on('checkpoint-saved', (event) => saved.push(event.step));
    const run = train({ ...options, events });
    // step 1 moves B by ~1e30; step 2's forward overflows
    await expect(run).rejects.toThrow(
      /^training stopped at step 2: the loss is NaN; the last good checkpoint is kept at .*last; lower the learning rate/,
    );
    expect(saved).toEqual([1]);
    const last = join(`${options.out}.checkpoints`, 'last');
    const state = JSON.parse(readFileSync(join(last, 'state.json'), 'utf8')) as { step: number };
    expect(state.step).toBe(1);
    const checkpoint = await readTrainingCheckpoint(last);
    for (const values of checkpoint.parameters.values()) expect(values.every(Number.isFinite)).toBe(true);
    expect(existsSync(options.out)).toBe(false); // no output from a failed run
  });
});

// The shared fixture is a tiny Llama saved by transformers with its real tokenizer files.
const FIXTURE_BASE = join(import.meta.dirname, '../../../../shared/fixtures/peft-tiny-llama/base');

describe.runIf(existsSync(FIXTURE_BASE))('train on ../shared/fixtures/peft-tiny-llama/base', () => {
  it('writes an adapter that loads against the base modules', async () => {
    const out = join(root, 'fixture-adapter');
    const result = await train({
      ...base(),
      model: FIXTURE_BASE,
      out,
      steps: 3,
      targets: ['q_proj', 'v_proj'],
    });
    expect(result.steps).toBe(3);
    const config = await loadModelConfig(FIXTURE_BASE);
    const adapter = await readAdapterFolder(out, { baseModules: listModelModules(config.config) });
    expect(adapter.modules.map((module) => module.name)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
  });
});
if (!existsSync(FIXTURE_BASE)) console.log(`skipped the fixture test: ${FIXTURE_BASE} is absent`);
