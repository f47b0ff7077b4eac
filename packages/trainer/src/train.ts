/**
 * `train(options)`: LoRA or full fine-tuning of a model folder on a JSONL file. One optimizer step:
 *   for each of the `gradientAccumulation` micro-batches: forward (loss gradient divided by the window's target
 *   count, so the window's gradient is that of its mean loss) and backward, accumulating;
 *   check loss and gradient norm are finite; clip to `maxGradientNorm`; AdamW at learningRateAt(step).
 * Every random choice is a pure function of (seed, step): data order, dropout masks, the adapter's init. A
 * checkpoint therefore holds only weights, AdamW moments and counters, and a resumed run is bit-identical.
 */
import { mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createLoraConfig } from '@lorakit/core';
import { createLoraAdapter, loadModel, loadTokenizer } from '@lorakit/models';
import type { TrainingSession } from '@lorakit/models';
import { AdamWOptimizer } from './adamw-optimizer.js';
import { evaluateLoss } from './evaluate-loss.js';
import { learningRateAt } from './learning-rate-schedule.js';
import { MetricsLog } from './metrics-log.js';
import { modelExampleTokenizer } from './model-example-tokenizer.js';
import { createProgressBar } from './progress-bar.js';
import { nonFiniteError, restoreParameters, runOptimizerStep } from './optimizer-step.js';
import type { TrainingEvents, TrainOptions, TrainResult } from './train-options.js';
import { readTrainingCheckpoint, writeTrainingCheckpoint } from './training-checkpoint.js';
import type { TrainingState } from './training-checkpoint.js';
import { TrainingData } from './training-data.js';
import { TypedEmitter } from './typed-emitter.js';
import { writeTrainingOutput } from './write-training-output.js';

const ADAPTER_NAME = 'train';

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  return value;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const method = options.method ?? 'lora';
  const seed = options.seed ?? 0;
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 8);
  const accumulation = positiveInteger('gradientAccumulation', options.gradientAccumulation ?? 1);
  const events = options.events ?? new TypedEmitter<TrainingEvents>();
  const log = options.onLog ?? ((): void => undefined);
  const checkpointDir = options.checkpointDir ?? `${options.out}.checkpoints`;
  const lastDir = join(checkpointDir, 'last');
  const bestDir = join(checkpointDir, 'best');

  using model = await loadModel(options.model, { backend: options.backend ?? 'auto', onLog: log });
  const tokenizer = modelExampleTokenizer(await loadTokenizer({ modelDirectory: options.model }));
  const maxLength = options.maxLength ?? Math.min(model.maxPositions, 2048);
  if (maxLength > model.maxPositions) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `maxLength ${maxLength} is more than the model's max_position_embeddings ${model.maxPositions}`,
    );
  }
  const data = await TrainingData.load({
    trainPath: options.data,
    ...(options.validationData !== undefined ? { validationPath: options.validationData } : {}),
    ...(options.validationFraction !== undefined ? { validationFraction: options.validationFraction } : {}),
    tokenizer,
    maxLength,
    seed,
    batchSize,
    ...(options.overflow ? { overflow: options.overflow } : {}),
    ...(options.packing ? { packing: true } : {}),
    ...(options.trainOnPrompts ? { trainOnPrompts: true } : {}),
    onWarning: log,
  });

  const stepsPerEpoch = Math.ceil(data.batchesPerEpoch / accumulation);
  const totalSteps = positiveInteger(
    'steps',
    options.steps ?? Math.round((options.epochs ?? 1) * stepsPerEpoch),
  );
  const evaluationInterval = data.validation.length === 0 ? 0 : (options.evaluationInterval ?? stepsPerEpoch);
  const checkpointInterval = options.checkpointInterval ?? (evaluationInterval || stepsPerEpoch);
  const keepBest = (options.keepBest ?? true) && data.validation.length > 0;
  const schedule = {
    peak: options.learningRate ?? 2e-4,
    totalSteps,
    warmupSteps: options.warmupSteps ?? 0,
    decay: options.decay ?? 'cosine',
    minimumRatio: options.minimumLearningRateRatio ?? 0,
  } as const;

  const loraConfig =
    method === 'lora'
      ? createLoraConfig({
          r: options.rank ?? 16,
          lora_alpha: options.alpha ?? 2 * (options.rank ?? 16),
          lora_dropout: options.dropout ?? 0,
          ...(options.targets ? { target_modules: options.targets } : {}),
          base_model_name_or_path: options.model,
        })
      : undefined;
  if (loraConfig) model.attachAdapter(ADAPTER_NAME, createLoraAdapter(model, loraConfig, { seed }));
  using session: TrainingSession = model.createTrainingSession(
    loraConfig
      ? { method: 'lora', adapter: ADAPTER_NAME, dropout: loraConfig.lora_dropout }
      : { method: 'full' },
  );
  using optimizer = new AdamWOptimizer(model.backend, session.parameters, {
    ...(options.beta1 !== undefined ? { beta1: options.beta1 } : {}),
    ...(options.beta2 !== undefined ? { beta2: options.beta2 } : {}),
    ...(options.eps !== undefined ? { eps: options.eps } : {}),
    weightDecay: options.weightDecay ?? 0,
  });

  // Settings that decide the trajectory: a checkpoint of another trajectory must not be resumed.
  const fingerprint = JSON.stringify({
    method,
    seed,
    batchSize,
    accumulation,
    totalSteps,
    schedule,
    loraConfig,
    sequences: data.train.length,
  });
  let state: TrainingState = {
    step: 0,
    seed,
    bestValidationLoss: null,
    bestStep: null,
    evaluationsWithoutImprovement: 0,
    fingerprint,
  };
  if (options.resume && existsSync(join(lastDir, 'state.json'))) {
    const checkpoint = await readTrainingCheckpoint(lastDir);
    if (checkpoint.state.fingerprint !== fingerprint) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${lastDir}: the checkpoint was made with other settings or data`,
        {
          fix: 'resume with the same options, or remove the checkpoint folder to start over',
        },
      );
    }
    restoreParameters(model.backend, session.parameters, checkpoint.parameters, lastDir);
    optimizer.importState(checkpoint.optimizer);
    state = checkpoint.state;
    log(`resuming from ${lastDir} at step ${state.step}`);
  }
  // A fresh run must not mix with (or report) checkpoints of an earlier one.
  if (state.step === 0) await rm(checkpointDir, { recursive: true, force: true });
  await mkdir(checkpointDir, { recursive: true });
  const metrics = new MetricsLog(join(checkpointDir, 'metrics.jsonl'));
  await metrics.open({ keepThroughStep: state.step });

  const saveCheckpoint = async (kind: 'last' | 'best'): Promise<void> => {
    // Never replace a good checkpoint with weights that already overflowed.
    const squares = model.backend.sumOfSquares(session.parameters.map((entry) => entry.parameter));
    if (!Number.isFinite(squares)) throw nonFiniteError(state.step, 'weights', squares, lastDir);
    const parameters = new Map(
      session.parameters.map((entry) => [entry.name, model.backend.toArray(entry.parameter)]),
    );
    const path = kind === 'last' ? lastDir : bestDir;
    await writeTrainingCheckpoint(path, { state, parameters, optimizer: optimizer.exportState() });
    events.emit('checkpoint-saved', { step: state.step, path, kind });
  };

  const progress = createProgressBar(totalSteps, state.step, options.progress);
  let trainLoss = Number.NaN;
  let validationLoss: number | null = null;
  let stoppedEarly = false;
  let tokens = 0;
  let trainingSeconds = 0;
  try {
    while (state.step < totalSteps && !stoppedEarly && !options.signal?.aborted) {
      const stepStart = performance.now();
      const learningRate = learningRateAt(state.step + 1, schedule);
      const {
        loss,
        gradientNorm,
        tokens: stepTokens,
      } = runOptimizerStep({
        session,
        optimizer,
        batches: Array.from({ length: accumulation }, (_, index) =>
          data.trainBatch(state.step * accumulation + index),
        ),
        step: state.step,
        seed,
        learningRate,
        maxGradientNorm: options.maxGradientNorm ?? 1,
        lastCheckpointDir: lastDir,
      });
      state = { ...state, step: state.step + 1 };
      const seconds = (performance.now() - stepStart) / 1000;
      tokens += stepTokens;
      trainingSeconds += seconds;
      trainLoss = loss;

      let evaluated: number | null = null;
      if (evaluationInterval > 0 && (state.step % evaluationInterval === 0 || state.step === totalSteps)) {
        evaluated = evaluateLoss(session, data.validationBatches());
        validationLoss = evaluated;
        const best = state.bestValidationLoss === null || evaluated < state.bestValidationLoss;
        state = best
          ? {
              ...state,
              bestValidationLoss: evaluated,
              bestStep: state.step,
              evaluationsWithoutImprovement: 0,
            }
          : { ...state, evaluationsWithoutImprovement: state.evaluationsWithoutImprovement + 1 };
        if (best && keepBest) await saveCheckpoint('best');
        events.emit('eval-end', { step: state.step, validationLoss: evaluated, best });
        if (
          options.earlyStoppingPatience !== undefined &&
          state.evaluationsWithoutImprovement >= options.earlyStoppingPatience
        ) {
          stoppedEarly = true;
          log(
            `early stop at step ${state.step}: no better validation loss in ${options.earlyStoppingPatience} evaluation(s)`,
          );
        }
      }
      const line = {
        step: state.step,
        epoch: (state.step * accumulation) / data.batchesPerEpoch,
        loss,
        learning_rate: learningRate,
        tokens_per_s: stepTokens / seconds,
        gradient_norm: gradientNorm,
        validation_loss: evaluated,
      };
      await metrics.append(line);
      events.emit('step-end', { ...line, totalSteps });
      progress.update(state.step, { loss, learningRate });
      const due = checkpointInterval > 0 && state.step % checkpointInterval === 0;
      if (due || options.signal?.aborted) await saveCheckpoint('last');
    }
  } finally {
    progress.stop();
  }
  const result = {
    steps: state.step,
    trainLoss,
    validationLoss,
    bestStep: state.bestStep,
    tokensPerSecond: trainingSeconds > 0 ? tokens / trainingSeconds : 0,
    stoppedEarly,
    checkpointDir,
  };
  if (options.signal?.aborted && state.step < totalSteps && !stoppedEarly) {
    return { ...result, out: null, aborted: true, seconds: (performance.now() - started) / 1000 };
  }
  if (keepBest && state.bestStep !== null && state.bestStep !== state.step) {
    const best = await readTrainingCheckpoint(bestDir);
    restoreParameters(model.backend, session.parameters, best.parameters, bestDir);
    validationLoss = best.state.bestValidationLoss;
    log(`writing the best checkpoint (step ${state.bestStep}, validation loss ${validationLoss})`);
  }
  await writeTrainingOutput({
    model,
    method,
    adapterName: ADAPTER_NAME,
    ...(loraConfig ? { loraConfig } : {}),
    out: options.out,
    metricsPath: metrics.path,
  });
  if (!options.keepCheckpoints) await rm(checkpointDir, { recursive: true, force: true });
  return {
    ...result,
    validationLoss,
    out: options.out,
    aborted: false,
    seconds: (performance.now() - started) / 1000,
  };
}
