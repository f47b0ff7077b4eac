/**
 * A training session over a loaded model: forward with loss (saving activations), explicit backward into
 * gradient tensors, and the parameter list an optimizer walks. Method 'lora' trains one attached adapter's A/B
 * with the base frozen (no base gradient is computed); 'full' trains every base weight. Per-step tensors come
 * from a TensorPool, so steps of one batch shape allocate nothing after the first.
 */
import { LorakitError, MathError } from '@lorakit/core';
import { TensorPool } from '@lorakit/kernels-cuda';
import type { AttachedAdapter } from './attached-adapter.js';
import type { ModelParts } from './model-parts.js';
import { trainingBackward } from './training-backward.js';
import { trainingForward } from './training-forward.js';
import type { SavedForward } from './training-forward.js';
import { buildTrainingPlan, disposePlan } from './training-plan.js';
import type { TrainableParameter, TrainingPlan } from './training-plan.js';

export type { TrainableParameter } from './training-plan.js';

export interface TrainingSessionOptions {
  method: 'lora' | 'full';
  /** Method 'lora': the attached adapter whose A/B train. */
  adapter?: string;
  /** LoRA dropout probability in training (default: the adapter config's lora_dropout). */
  dropout?: number;
}

export interface TrainingBatch {
  /** Row-major [batch, T] input ids. */
  tokens: Int32Array;
  /** [batch, T] the id each position should predict; ignoreIndex (default −100) is not counted. */
  targets: Int32Array;
  batch: number;
}

export interface TrainingForwardOptions {
  /** Save activations and write the loss gradient for backward() (default true); false: evaluation only. */
  train?: boolean;
  /** Seeds LoRA dropout for this step (default 0). */
  seed?: number;
  /** Divides the loss gradient (default: this batch's counted tokens), e.g. the tokens of an accumulation window. */
  gradientDivisor?: number;
  ignoreIndex?: number;
}

export interface ForwardResult {
  /** Mean cross-entropy over the counted targets (0 when none). */
  loss: number;
  countedTokens: number;
}

export class TrainingSession implements Disposable {
  readonly method: 'lora' | 'full';
  readonly parameters: readonly TrainableParameter[];
  /** Per-step tensors; `pool.allocations` stops growing after the first step of a batch shape. */
  readonly pool: TensorPool;
  readonly #parts: ModelParts;
  readonly #plan: TrainingPlan;
  readonly #dropout: number;
  readonly #onDispose: (session: TrainingSession) => void;
  #saved: SavedForward | undefined;
  #disposed = false;

  constructor(
    parts: ModelParts,
    options: TrainingSessionOptions,
    adapter: AttachedAdapter | undefined,
    onDispose: (session: TrainingSession) => void = () => {},
  ) {
    if (options.method !== 'lora' && options.method !== 'full') {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `training method "${String(options.method)}" is unknown; use lora or full`,
      );
    }
    if (options.method === 'lora' && !adapter) {
      throw new LorakitError('INVALID_ARGUMENT', 'method lora needs an attached adapter', {
        fix: 'pass { adapter: name }',
      });
    }
    const dropout =
      options.dropout ?? (options.method === 'lora' ? (adapter?.source.config.lora_dropout ?? 0) : 0);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new MathError('INVALID_ARGUMENT', `LoRA dropout must be in [0, 1), got ${dropout}`);
    }
    this.method = options.method;
    this.#parts = parts;
    this.#plan = buildTrainingPlan(parts, options.method === 'lora' ? adapter : undefined);
    this.parameters = this.#plan.parameters;
    this.pool = new TensorPool(parts.backend);
    this.#dropout = dropout;
    this.#onDispose = onDispose;
  }

  /** Forward pass and loss; in training mode the activations and dLogits are kept for backward(). */
  forward(batch: TrainingBatch, options: TrainingForwardOptions = {}): ForwardResult {
    this.#alive();
    const { tokens, targets } = batch;
    if (
      !Number.isSafeInteger(batch.batch) ||
      batch.batch <= 0 ||
      tokens.length % batch.batch !== 0 ||
      tokens.length === 0
    ) {
      throw new MathError(
        'INVALID_ARGUMENT',
        `training batch: ${tokens.length} tokens do not split into ${batch.batch} equal sequences`,
      );
    }
    if (targets.length !== tokens.length) {
      throw new MathError(
        'INVALID_ARGUMENT',
        `training batch: ${targets.length} targets for ${tokens.length} tokens`,
      );
    }
    this.pool.releaseAll();
    const train = options.train ?? true;
    const result = trainingForward(
      this.#parts,
      this.#plan,
      {
        tokens,
        targets,
        batch: batch.batch,
        ignoreIndex: options.ignoreIndex ?? -100,
        train,
        gradientDivisor: options.gradientDivisor,
        dropoutProbability: this.#dropout,
        seed: (options.seed ?? 0) >>> 0,
      },
      this.pool,
    );
    this.#saved = train ? result.saved : undefined;
    return { loss: result.loss, countedTokens: result.countedTokens };
  }

  /** Gradients of the last training forward; `accumulate` adds into the gradients instead of overwriting. */
  backward(options: { accumulate?: boolean } = {}): void {
    this.#alive();
    if (!this.#saved) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        'backward() needs a training forward() first (each forward allows one backward)',
      );
    }
    trainingBackward(this.#parts, this.#plan, this.#saved, this.pool, options.accumulate ?? false);
    // dLogits were consumed in place: a second backward would be wrong.
    this.#saved = undefined;
  }

  zeroGradients(): void {
    for (const parameter of this.parameters) this.#parts.backend.fill(parameter.gradient, 0);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.pool.dispose();
    disposePlan(this.#plan);
    this.#onDispose(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #alive(): void {
    if (this.#disposed)
      throw new LorakitError('INVALID_ARGUMENT', 'the training session was used after dispose()');
  }
}
