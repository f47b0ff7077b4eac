/**
 * `lorakit cost --model DIR|config.json|CATALOG_NAME --method full|lora|qlora [--rank 16] [--targets …]
 * [--seq 2048] [--batch 1] [--gpus 1] [--gpu a100-80gb] [--tokens 1e6] [--checkpointing] [--json]`:
 * what a training plan costs before running it: parameters, memory per GPU by part, FLOPs, hours, dollars and
 * storage (CLI.md). The formulas and their sources live in @lorakit/cost.
 */
import type { Command } from 'commander';
import { LorakitError, resolveArchitecture } from '@lorakit/core';
import { loadModelConfig } from '@lorakit/core/node';
import { estimateCost, OPTIMIZERS, SHARDING_STRATEGIES, TRAINING_METHODS } from '@lorakit/cost';
import type { OptimizerName, ShardingName, TrainingMethod, WeightDtype } from '@lorakit/cost';
import { printJson } from '../json-output.js';
import { parsePositiveInteger, parsePositiveNumber } from '../options.js';
import type { CliStreams } from '../run-cli.js';
import { parseTargets } from './params.js';

export interface CostReport {
  model: string;
  method: TrainingMethod;
  gpu: string;
  gpus: number;
  total_params: number;
  trainable_params: number;
  trainable_percent: number;
  /** Per GPU, whole bytes. */
  memory_bytes: {
    weights: number;
    gradients: number;
    optimizer: number;
    activations: number;
    overhead: number;
    total: number;
  };
  gpu_memory_bytes: number;
  fits: boolean;
  offloaded_optimizer_bytes: number;
  train_flops: number;
  hours: number;
  usd: number;
  adapter_bytes: number;
  checkpoint_bytes: number;
}

interface CostCliOptions {
  model: string;
  method: string;
  rank: string;
  targets: string;
  seq: string;
  batch: string;
  gpus: string;
  gpu: string;
  tokens: string;
  checkpointing?: boolean;
  sharding?: string;
  optimizer: string;
  utilisation: string;
  dtype: string;
  json?: boolean;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new LorakitError(
    'INVALID_ARGUMENT',
    `${option} must be one of ${allowed.join(', ')}, got "${value}"`,
  );
}

function parseTokens(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `--tokens must be a non-negative number such as 1e6, got "${value}"`,
    );
  }
  return number;
}

export async function costPlan(options: CostCliOptions): Promise<CostReport> {
  const method = oneOf('--method', options.method, TRAINING_METHODS);
  const { config, name, source } = await loadModelConfig(options.model);
  resolveArchitecture(config, { source });
  const gpus = parsePositiveInteger('--gpus', options.gpus);
  const estimate = estimateCost(config, {
    method,
    rank: parsePositiveInteger('--rank', options.rank),
    targets: parseTargets(options.targets),
    sequenceLength: parsePositiveInteger('--seq', options.seq),
    batchSize: parsePositiveInteger('--batch', options.batch),
    gpus,
    gpu: options.gpu,
    tokens: parseTokens(options.tokens),
    checkpointing: options.checkpointing ?? false,
    ...(options.sharding === undefined
      ? {}
      : {
          sharding: oneOf('--sharding', options.sharding, Object.keys(SHARDING_STRATEGIES) as ShardingName[]),
        }),
    optimizer: oneOf('--optimizer', options.optimizer, Object.keys(OPTIMIZERS) as OptimizerName[]),
    utilisation: parsePositiveNumber('--utilisation', options.utilisation),
    weightDtype: oneOf<WeightDtype>('--dtype', options.dtype, ['bf16', 'fp16', 'fp32']),
  });
  const memory = estimate.memory;
  return {
    model: name,
    method,
    gpu: options.gpu,
    gpus,
    total_params: estimate.totalParameters,
    trainable_params: estimate.trainableParameters,
    trainable_percent: Number(
      ((100 * estimate.trainableParameters) / estimate.totalParameters).toPrecision(3),
    ),
    memory_bytes: {
      weights: Math.round(memory.weights),
      gradients: Math.round(memory.gradients),
      optimizer: Math.round(memory.optimizer),
      activations: Math.round(memory.activations),
      overhead: Math.round(memory.overhead),
      total: Math.round(memory.total),
    },
    gpu_memory_bytes: estimate.gpu.memoryBytes,
    fits: estimate.fits,
    offloaded_optimizer_bytes: Math.round(memory.offloadedOptimizer),
    train_flops: estimate.trainFlops,
    hours: estimate.hours,
    usd: estimate.usd,
    adapter_bytes: estimate.adapterBytes,
    checkpoint_bytes: estimate.checkpointBytes,
  };
}

const GIB = 2 ** 30;

export function registerCost(program: Command, streams: CliStreams): void {
  program
    .command('cost')
    .description(
      'estimate parameters, GPU memory, time, dollars and storage of a fine-tuning plan (no weights needed)',
    )
    .requiredOption('--model <model>', 'a model folder, a config.json, or a catalog name such as llama-3-8b')
    .requiredOption('--method <method>', 'full | lora | qlora')
    .option('--rank <r>', 'LoRA rank', '16')
    .option(
      '--targets <targets>',
      'q_proj,k_proj,v_proj,o_proj | all-linear | minimum | recommended | maximum',
      'q_proj,k_proj,v_proj,o_proj',
    )
    .option('--seq <tokens>', 'tokens per sequence', '2048')
    .option('--batch <n>', 'sequences per micro-batch on each GPU', '1')
    .option('--gpus <n>', 'GPUs', '1')
    .option(
      '--gpu <name>',
      'a GPU catalog name (a100-80gb, h100-80gb, h200, l4, l40s, a10g, rtx-4090, a6000, …)',
      'a100-80gb',
    )
    .option('--tokens <n>', 'training tokens in all (e.g. 1e6)', '1e6')
    .option('--checkpointing', 'activation checkpointing')
    .option(
      '--sharding <strategy>',
      'none | zero-1 | zero-2 | zero-3 | fsdp | pipeline (default fsdp on several GPUs)',
    )
    .option('--optimizer <name>', 'adamw | adamw-8bit | paged-adamw | paged-adamw-8bit | sgd', 'adamw')
    .option('--utilisation <fraction>', 'model FLOPs utilisation', '0.4')
    .option('--dtype <dtype>', 'base weights: bf16 | fp16 | fp32', 'bf16')
    .option('--json', 'print one JSON document')
    .action(async (options: CostCliOptions) => {
      const report = await costPlan(options);
      if (options.json) return printJson(streams, report);
      const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;
      const m = report.memory_bytes;
      streams.stdout(
        [
          `model        ${report.model} (${report.method}) on ${report.gpus}× ${report.gpu}`,
          `parameters   ${report.total_params.toLocaleString('en-US')} total, ${report.trainable_params.toLocaleString('en-US')} trainable (${report.trainable_percent}%)`,
          `memory/GPU   ${gib(m.total)} = weights ${gib(m.weights)} + gradients ${gib(m.gradients)} + optimizer ${gib(m.optimizer)} + activations ${gib(m.activations)} + overhead ${gib(m.overhead)}${report.fits ? '' : `  (does not fit in ${gib(report.gpu_memory_bytes)})`}`,
          `compute      ${report.train_flops.toExponential(3)} FLOPs, ${report.hours.toFixed(2)} h, $${report.usd.toFixed(2)}`,
          `storage      adapter ${report.adapter_bytes.toLocaleString('en-US')} bytes, full checkpoint ${report.checkpoint_bytes.toLocaleString('en-US')} bytes`,
        ].join('\n') + '\n',
      );
    });
}
