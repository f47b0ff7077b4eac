/**
 * `benchTrain`: the LoRA training step of `lorakit bench train`, measured. A random model with a preset's shapes
 * (TRAIN_BENCH_PRESETS) is written to a temporary folder and loaded; LoRA r (alpha 2r, no dropout) on q, k, v, o
 * of every layer; each step = forward over [batch, seq] random ids with next-token cross-entropy on all seq
 * positions (targets are the ids shifted by one), backward (LoRA gradients only), AdamW. The first `warmupSteps`
 * steps fill the tensor pool and are not timed. tokens/s = batch·seq·steps / seconds of the timed steps.
 * Peak memory is this process's peak resident set (getrusage), model writing excluded (bench-model-writer.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLoraConfig } from '@lorakit/core';
import { createCpuBackend } from '@lorakit/kernels-cuda';
import type { Backend, BackendPreference } from '@lorakit/kernels-cuda';
import { createLoraAdapter, loadModel } from '@lorakit/models';
import { AdamWOptimizer } from './adamw-optimizer.js';
import { writeBenchModel } from './bench-model-writer.js';
import { mixSeed } from './seeded-permutation.js';
import { TRAIN_BENCH_PRESETS } from './train-bench-presets.js';
import type { TrainBenchPresetName } from './train-bench-presets.js';

export interface BenchTrainOptions {
  preset: TrainBenchPresetName;
  /** LoRA rank (default 16); alpha is 2·rank. */
  rank?: number;
  /** Sequences per step. */
  batch: number;
  /** Tokens per sequence. */
  seq: number;
  /** Timed steps. */
  steps: number;
  /** Untimed steps first (default 1). */
  warmupSteps?: number;
  backend?: Backend | BackendPreference;
  /** Threads of the cpu backend (default: every CPU). With it, 'auto' means the cpu backend. */
  threads?: number;
  /** Seeds the weights, the adapter and the token ids (default 0). */
  seed?: number;
  /** Where the random model folder goes (default: a new temporary folder, removed afterwards). */
  workDirectory?: string;
  onLog?: (line: string) => void;
}

export interface BenchTrainResult {
  preset: TrainBenchPresetName;
  backend: string;
  rank: number;
  batch: number;
  seq: number;
  steps: number;
  tokensPerSecond: number;
  /** Mean milliseconds per timed step, and its parts. */
  stepMs: number;
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  /** Peak resident set of this process (bytes), and the resident set once the model was loaded. */
  peakRssBytes: number;
  setupRssBytes: number;
  trainableParameters: number;
  /** Loss of every step, warm-up included. */
  losses: number[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  return value;
}

/** Random ids in [0, vocab), from a 32-bit LCG seeded by `seed` (deterministic, no allocation per draw). */
function randomIds(count: number, vocab: number, seed: number): Int32Array {
  const ids = new Int32Array(count);
  let state = mixSeed(seed, 0x5eed) >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    ids[i] = (state >>> 8) % vocab; // the low bits of an LCG cycle quickly
  }
  return ids;
}

export async function benchTrain(options: BenchTrainOptions): Promise<BenchTrainResult> {
  if (!Object.hasOwn(TRAIN_BENCH_PRESETS, options.preset)) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `preset "${options.preset}" is unknown; presets: ${Object.keys(TRAIN_BENCH_PRESETS).join(', ')}`,
    );
  }
  const preset = TRAIN_BENCH_PRESETS[options.preset];
  const rank = positiveInteger('rank', options.rank ?? 16);
  const batch = positiveInteger('batch', options.batch);
  const seq = positiveInteger('seq', options.seq);
  const steps = positiveInteger('steps', options.steps);
  const warmupSteps = options.warmupSteps ?? 1;
  const seed = options.seed ?? 0;
  const log = options.onLog ?? ((): void => undefined);
  if (seq > preset.max_position_embeddings)
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `seq ${seq} is more than the ${options.preset} preset's ${preset.max_position_embeddings} positions`,
    );

  const directory = options.workDirectory ?? (await mkdtemp(join(tmpdir(), 'lorakit-bench-train-')));
  try {
    log(`writing a random ${options.preset} model to ${directory}`);
    await writeBenchModel({ directory, preset: options.preset, seed });
    const preference = options.backend ?? 'auto';
    // A backend made here for a thread count is the model's to use but this function's to dispose.
    using ownBackend =
      options.threads !== undefined && (preference === 'auto' || preference === 'cpu')
        ? createCpuBackend({ threads: positiveInteger('threads', options.threads) })
        : undefined;
    using model = await loadModel(directory, { backend: ownBackend ?? preference, onLog: log });
    const loraConfig = createLoraConfig({
      r: rank,
      lora_alpha: 2 * rank,
      lora_dropout: 0,
      target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
    });
    model.attachAdapter('bench', createLoraAdapter(model, loraConfig, { seed }));
    using session = model.createTrainingSession({ method: 'lora', adapter: 'bench', dropout: 0 });
    using optimizer = new AdamWOptimizer(model.backend, session.parameters);
    const trainableParameters = session.parameters.reduce((sum, entry) => sum + entry.parameter.size, 0);
    const ids = randomIds(batch * (seq + 1), preset.vocab_size, seed);
    const tokens = new Int32Array(batch * seq);
    const targets = new Int32Array(batch * seq);
    for (let row = 0; row < batch; row++) {
      tokens.set(ids.subarray(row * (seq + 1), row * (seq + 1) + seq), row * seq);
      targets.set(ids.subarray(row * (seq + 1) + 1, (row + 1) * (seq + 1)), row * seq);
    }
    const setupRssBytes = process.memoryUsage.rss();

    const losses: number[] = [];
    const totals = { forward: 0, backward: 0, optimizer: 0 };
    for (let step = 0; step < warmupSteps + steps; step++) {
      const started = performance.now();
      const { loss } = session.forward({ tokens, targets, batch }, { seed: step });
      const forwardDone = performance.now();
      session.backward();
      const backwardDone = performance.now();
      optimizer.update(1e-4);
      const done = performance.now();
      losses.push(loss);
      if (step < warmupSteps) continue;
      totals.forward += forwardDone - started;
      totals.backward += backwardDone - forwardDone;
      totals.optimizer += done - backwardDone;
    }
    const milliseconds = totals.forward + totals.backward + totals.optimizer;
    return {
      preset: options.preset,
      backend: model.backend.name,
      rank,
      batch,
      seq,
      steps,
      tokensPerSecond: (batch * seq * steps) / (milliseconds / 1000),
      stepMs: milliseconds / steps,
      forwardMs: totals.forward / steps,
      backwardMs: totals.backward / steps,
      optimizerMs: totals.optimizer / steps,
      // maxRSS is in kilobytes.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      setupRssBytes,
      trainableParameters,
      losses,
    };
  } finally {
    if (options.workDirectory === undefined) await rm(directory, { recursive: true, force: true });
  }
}
