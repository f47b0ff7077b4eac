/** The settings of a training run (`train(options)`), the result, and the typed events a run emits. */
import type { Backend, BackendPreference } from '@lorakit/kernels-cuda';
import type { LearningRateDecay } from './learning-rate-schedule.js';
import type { StepMetrics } from './metrics-log.js';
import type { TypedEmitter } from './typed-emitter.js';

export type TrainingMethod = 'lora' | 'full';

export interface TrainOptions {
  /** A model folder in Hugging Face layout (config, weights, tokenizer). */
  model: string;
  /** The training JSONL file (chat, Alpaca, prompt/completion or text). */
  data: string;
  /** A validation JSONL file; without it `validationFraction` of `data` is held out with the seed. */
  validationData?: string;
  /** Held-out share of `data` when there is no validation file (default 0.1; 0: none). */
  validationFraction?: number;
  /** Output folder: a PEFT adapter (lora) or a full model folder (full), with metrics.jsonl. */
  out: string;
  method?: TrainingMethod;
  /** LoRA settings (default r 16, alpha 32, q/k/v/o, dropout 0). */
  rank?: number;
  alpha?: number;
  targets?: string[] | 'all-linear';
  dropout?: number;
  /** Epochs over the training set (default 1); ignored when `steps` is given. */
  epochs?: number;
  /** Optimizer steps in total. */
  steps?: number;
  /** Sequences per micro-batch (default 8). */
  batchSize?: number;
  /** Micro-batches per optimizer step (default 1). */
  gradientAccumulation?: number;
  /** Peak learning rate (default 2e-4). */
  learningRate?: number;
  /** Warmup steps (default 0). */
  warmupSteps?: number;
  /** Decay after warmup (default cosine). */
  decay?: LearningRateDecay;
  /** Final learning rate as a share of the peak (default 0). */
  minimumLearningRateRatio?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Global gradient-norm limit (default 1; 0 disables clipping). */
  maxGradientNorm?: number;
  /** Seeds adapter init, data order, split and dropout (default 0). */
  seed?: number;
  /** Longest sequence in tokens (default: the model's max_position_embeddings, at most 2048). */
  maxLength?: number;
  /** What to do with longer examples (default 'truncate', with a warning). */
  overflow?: 'truncate' | 'error';
  packing?: boolean;
  trainOnPrompts?: boolean;
  /** Evaluate on the validation set every this many steps (default: once per epoch), and at the end. */
  evaluationInterval?: number;
  /** Stop after this many evaluations without a better validation loss (default: never). */
  earlyStoppingPatience?: number;
  /** Write the best checkpoint's weights as the output instead of the last (default true with validation). */
  keepBest?: boolean;
  /** Save a resumable checkpoint every this many steps (default: the evaluation interval, else once per epoch), and on abort. */
  checkpointInterval?: number;
  /** Where checkpoints and the running metrics.jsonl live (default `<out>.checkpoints`). */
  checkpointDir?: string;
  /** Continue from `<checkpointDir>/last` when it exists. */
  resume?: boolean;
  /** Keep the checkpoint folder after a successful run (default false). */
  keepCheckpoints?: boolean;
  /** Stops the run after the current step; a checkpoint is written so it can be resumed. */
  signal?: AbortSignal;
  backend?: Backend | BackendPreference;
  /** Show a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Receives step-end, eval-end and checkpoint-saved events. */
  events?: TypedEmitter<TrainingEvents>;
  /** Warnings and notes, one line each (default: nothing). */
  onLog?: (line: string) => void;
}

export interface TrainingEvents {
  'step-end': StepMetrics & { totalSteps: number };
  'eval-end': { step: number; validationLoss: number; best: boolean };
  'checkpoint-saved': { step: number; path: string; kind: 'last' | 'best' };
  [name: string]: unknown;
}

export interface TrainResult {
  /** The output folder, or null when the run was aborted before finishing (resume it). */
  out: string | null;
  steps: number;
  /** Mean training loss of the last step. */
  trainLoss: number;
  validationLoss: number | null;
  bestStep: number | null;
  tokensPerSecond: number;
  seconds: number;
  stoppedEarly: boolean;
  aborted: boolean;
  checkpointDir: string;
}
