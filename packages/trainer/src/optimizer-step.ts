/**
 * One optimizer step: for each of the window's micro-batches a forward (the loss gradient divided by the window's
 * target count, so the accumulated gradient is that of the window's mean loss) and a backward that adds up;
 * then checks that loss and gradient norm are finite, clips to `maxGradientNorm`, and runs AdamW.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, MathError } from '@lorakit/core';
import type { Backend } from '@lorakit/kernels-cuda';
import type { TrainingSession } from '@lorakit/models';
import type { AdamWOptimizer, OptimizedParameter } from './adamw-optimizer.js';
import type { TokenBatch } from './make-batch.js';
import { mixSeed } from './seeded-permutation.js';

export interface OptimizerStepInput {
  session: TrainingSession;
  optimizer: AdamWOptimizer;
  /** The window's micro-batches. */
  batches: readonly TokenBatch[];
  /** Steps completed before this one. */
  step: number;
  seed: number;
  learningRate: number;
  /** 0 disables clipping. */
  maxGradientNorm: number;
  /** The checkpoint a failure message points at. */
  lastCheckpointDir: string;
}

export interface OptimizerStepResult {
  loss: number;
  /** Before clipping. */
  gradientNorm: number;
  tokens: number;
}

export function runOptimizerStep(input: OptimizerStepInput): OptimizerStepResult {
  const { session, optimizer, batches, step } = input;
  const windowTargets = Math.max(
    1,
    batches.reduce((sum, batch) => sum + batch.targetCount, 0),
  );
  let lossSum = 0;
  let tokens = 0;
  batches.forEach((batch, index) => {
    const result = session.forward(
      { tokens: batch.inputIds, targets: batch.targets, batch: batch.batchSize },
      // Dropout masks depend on (seed, step, micro-batch) only, so a resumed run draws the same ones.
      { train: true, seed: mixSeed(input.seed, step, index), gradientDivisor: windowTargets },
    );
    session.backward({ accumulate: index > 0 });
    lossSum += result.loss * result.countedTokens;
    tokens += batch.tokenCount;
  });
  const loss = lossSum / windowTargets;
  if (!Number.isFinite(loss)) throw nonFiniteError(step + 1, 'loss', loss, input.lastCheckpointDir);
  const gradientNorm =
    input.maxGradientNorm > 0 ? optimizer.clipGradients(input.maxGradientNorm) : optimizer.gradientNorm();
  if (!Number.isFinite(gradientNorm)) {
    throw nonFiniteError(step + 1, 'gradient norm', gradientNorm, input.lastCheckpointDir);
  }
  optimizer.update(input.learningRate);
  return { loss, gradientNorm, tokens };
}

/** The one-line error of a run that met NaN/Inf, saying whether a good checkpoint is there to resume from. */
export function nonFiniteError(
  step: number,
  what: string,
  value: number,
  lastCheckpointDir: string,
): MathError {
  const kept = existsSync(join(lastCheckpointDir, 'state.json'))
    ? `the last good checkpoint is kept at ${lastCheckpointDir}`
    : 'no checkpoint was written yet';
  return new MathError('NON_FINITE', `training stopped at step ${step}: the ${what} is ${value}; ${kept}`, {
    fix: 'lower the learning rate or keep gradient clipping on (maxGradientNorm), then resume',
  });
}

/** Overwrites the live parameters with saved values (resume, or the best checkpoint at the end). */
export function restoreParameters(
  backend: Backend,
  parameters: readonly OptimizedParameter[],
  values: ReadonlyMap<string, Float32Array>,
  source: string,
): void {
  for (const entry of parameters) {
    const saved = values.get(entry.name);
    if (!saved || saved.length !== entry.parameter.size) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${source}: no tensor ${entry.name} of ${entry.parameter.size} values`,
        {
          fix: 'the checkpoint belongs to another run; remove it to start over',
        },
      );
    }
    backend.write(entry.parameter, saved);
  }
}
