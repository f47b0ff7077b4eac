/** `lorakit merge --base MODEL_DIR --adapter ADAPTER_DIR --out OUT_DIR [--dtype f32|f16|bf16] [--json]` (CLI.md). */
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import type { FloatDType } from '@lorakit/core';
import { mergeAdapterFolder } from '@lorakit/core/node';
import { printJson } from '../json-output.js';
import type { CliStreams } from '../run-cli.js';

const DTYPES = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const satisfies Record<string, FloatDType>;

function parseDtype(value: string | undefined): FloatDType | undefined {
  if (value === undefined) return undefined;
  const dtype = (DTYPES as Record<string, FloatDType>)[value.toLowerCase()];
  if (!dtype)
    throw new LorakitError('INVALID_ARGUMENT', `--dtype must be one of f32, f16, bf16, got "${value}"`);
  return dtype;
}

export function registerMerge(program: Command, streams: CliStreams): void {
  program
    .command('merge')
    .description('merge an adapter into its base model and write a full model folder (W ← W + scale·B·A)')
    .requiredOption(
      '--base <model-dir>',
      'the base model folder (config.json, model.safetensors or a sharded index)',
    )
    .requiredOption('--adapter <adapter-dir>', 'the PEFT adapter folder')
    .requiredOption('--out <dir>', 'the merged model folder to write (replaced whole if it exists)')
    .option('--name <adapter>', 'the adapter to use in a folder that holds several (DIR/<name>/)')
    .option('--dtype <dtype>', 'store weights as f32, f16 or bf16 (default: the base model dtype)')
    .option('--json', 'print one JSON document')
    .action(
      async (options: {
        base: string;
        adapter: string;
        out: string;
        name?: string;
        dtype?: string;
        json?: boolean;
      }) => {
        const dtype = parseDtype(options.dtype);
        const result = await mergeAdapterFolder({
          base: options.base,
          adapter: options.adapter,
          out: options.out,
          ...(options.name ? { adapterName: options.name } : {}),
          ...(dtype ? { dtype } : {}),
          onWarning: (message) => streams.stderr(`lorakit: warning: ${message}\n`),
        });
        const report = {
          out: result.out,
          merged_modules: result.mergedModules,
          max_abs_delta: result.maxAbsDelta,
        };
        if (options.json) return printJson(streams, report);
        streams.stdout(
          `merged ${report.merged_modules} modules into ${report.out} (max |ΔW| = ${report.max_abs_delta.toExponential(3)})\n`,
        );
      },
    );
}
