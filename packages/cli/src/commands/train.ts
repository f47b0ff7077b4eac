/**
 * `lorakit train --model DIR --data TRAIN.jsonl [--val VAL.jsonl] --out DIR [--method lora|full] [--rank 16]
 * [--alpha 32] [--targets …] [--epochs 1 | --steps N] [--batch 8] [--lr 2e-4] [--seed 0] [--json]` (CLI.md):
 * trains an adapter (or the whole model) and writes it with metrics.jsonl beside it.
 */
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import { train } from '@lorakit/trainer';
import type { TrainResult } from '@lorakit/trainer';
import { printJson } from '../json-output.js';
import { parseBackend, parsePositiveInteger, parsePositiveNumber } from '../options.js';
import type { CliStreams } from '../run-cli.js';
import { parseTargets } from './params.js';

export interface TrainReport {
  out: string | null;
  steps: number;
  train_loss: number;
  val_loss: number | null;
  tokens_per_s: number;
  seconds: number;
}

interface TrainCommandOptions {
  model: string;
  data: string;
  val?: string;
  out: string;
  method: string;
  rank: string;
  alpha?: string;
  targets?: string;
  epochs?: string;
  steps?: string;
  batch: string;
  lr: string;
  seed: string;
  backend: string;
  resume?: boolean;
  json?: boolean;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new LorakitError('INVALID_ARGUMENT', `--seed must be a non-negative integer, got "${value}"`);
  return Number(value);
}

export function toTrainReport(result: TrainResult): TrainReport {
  return {
    out: result.out,
    steps: result.steps,
    train_loss: result.trainLoss,
    val_loss: result.validationLoss,
    tokens_per_s: result.tokensPerSecond,
    seconds: result.seconds,
  };
}

export function registerTrain(program: Command, streams: CliStreams): void {
  program
    .command('train')
    .description('LoRA-train an adapter (or fine-tune the whole model) on a JSONL dataset')
    .requiredOption('--model <dir>', 'base model folder (config.json, weights, tokenizer.json)')
    .requiredOption('--data <file>', 'training JSONL: chat messages, Alpaca, prompt/completion or text')
    .option('--val <file>', 'validation JSONL (default: 10% of --data, split with --seed)')
    .requiredOption('--out <dir>', 'output folder: a PEFT adapter, or a model folder with --method full')
    .option('--method <method>', 'lora | full', 'lora')
    .option('--rank <r>', 'LoRA rank', '16')
    .option('--alpha <alpha>', 'LoRA alpha (default 2·rank)')
    .option(
      '--targets <targets>',
      'q_proj,k_proj,v_proj,o_proj | all-linear | minimum | recommended | maximum',
    )
    .option('--epochs <n>', 'passes over the training data (default 1)')
    .option('--steps <n>', 'optimizer steps (instead of --epochs)')
    .option('--batch <n>', 'sequences per step', '8')
    .option('--lr <rate>', 'peak learning rate (cosine decay)', '2e-4')
    .option('--seed <n>', 'seed of the split, data order, dropout and adapter init', '0')
    .option('--backend <name>', 'auto | cuda | cpu | reference', 'auto')
    .option('--resume', 'continue from the checkpoint of an interrupted run with the same options')
    .option('--json', 'print one JSON document')
    .action(async (options: TrainCommandOptions) => {
      if (options.method !== 'lora' && options.method !== 'full') {
        throw new LorakitError('INVALID_ARGUMENT', `--method must be lora or full, got "${options.method}"`);
      }
      if (options.epochs !== undefined && options.steps !== undefined) {
        throw new LorakitError('INVALID_ARGUMENT', '--epochs and --steps are exclusive', {
          fix: 'give one of them',
        });
      }
      const rank = parsePositiveInteger('--rank', options.rank);
      const controller = new AbortController();
      // Ctrl-C finishes the current step and writes a checkpoint that --resume continues from.
      const onInterrupt = (): void => controller.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const result = await train({
          model: options.model,
          data: options.data,
          ...(options.val !== undefined ? { validationData: options.val } : {}),
          out: options.out,
          method: options.method,
          rank,
          alpha: options.alpha === undefined ? 2 * rank : parsePositiveNumber('--alpha', options.alpha),
          ...(options.targets !== undefined ? { targets: parseTargets(options.targets) } : {}),
          ...(options.epochs !== undefined
            ? { epochs: parsePositiveNumber('--epochs', options.epochs) }
            : {}),
          ...(options.steps !== undefined ? { steps: parsePositiveInteger('--steps', options.steps) } : {}),
          batchSize: parsePositiveInteger('--batch', options.batch),
          learningRate: parsePositiveNumber('--lr', options.lr),
          seed: parseSeed(options.seed),
          backend: parseBackend(options.backend),
          ...(options.resume ? { resume: true } : {}),
          signal: controller.signal,
          onLog: (line) => streams.stderr(`${line}\n`),
        });
        const report = toTrainReport(result);
        if (options.json) return printJson(streams, report);
        streams.stdout(
          result.aborted
            ? `interrupted at step ${report.steps}; rerun with --resume to continue\n`
            : `wrote ${report.out}: ${report.steps} steps, train loss ${report.train_loss.toFixed(4)}, ` +
                `validation loss ${report.val_loss === null ? '-' : report.val_loss.toFixed(4)}, ` +
                `${Math.round(report.tokens_per_s)} tokens/s, ${report.seconds.toFixed(1)} s\n`,
        );
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
