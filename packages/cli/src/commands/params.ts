/**
 * `lorakit params --model DIR|config.json|CATALOG_NAME [--rank 16] [--alpha 32] [--targets …] [--json]`:
 * exact parameter counts of a model and of a LoRA adapter for it, from the config alone (CLI.md).
 */
import type { Command } from 'commander';
import {
  countLoraParameters,
  countModelParameters,
  listModelModules,
  resolveArchitecture,
  resolveTargets,
  TARGET_PRESET_MODULES,
} from '@lorakit/core';
import type { LoraConfig } from '@lorakit/core';
import { loadModelConfig } from '@lorakit/core/node';
import { printJson } from '../json-output.js';
import { parseList, parsePositiveInteger, parsePositiveNumber } from '../options.js';
import type { CliStreams } from '../run-cli.js';

export interface ParamsReport {
  model: string;
  total_params: number;
  lora_params: number;
  lora_percent: number;
  modules: number;
  adapter_bytes: { f32: number; bf16: number };
}

/** "all-linear", a preset name (minimum, recommended, maximum) or a comma-separated list of module names. */
export function parseTargets(value: string): string[] | 'all-linear' {
  if (Object.hasOwn(TARGET_PRESET_MODULES, value)) {
    const preset = TARGET_PRESET_MODULES[value as keyof typeof TARGET_PRESET_MODULES];
    return preset === 'all-linear' ? preset : [...preset];
  }
  if (value.toLowerCase() === 'all-linear') return 'all-linear';
  return parseList(value);
}

export async function countParams(options: {
  model: string;
  rank: number;
  alpha: number;
  targets: LoraConfig['target_modules'];
}): Promise<ParamsReport> {
  const { config, name, source } = await loadModelConfig(options.model);
  const architecture = resolveArchitecture(config, { source });
  const modules = listModelModules(config);
  const resolved = resolveTargets(
    modules,
    {
      target_modules: options.targets,
      exclude_modules: null,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      r: options.rank,
      lora_alpha: options.alpha,
      use_rslora: false,
      fan_in_fan_out: false,
    },
    {
      ...(architecture.defaultTargetModules ? { defaultTargets: architecture.defaultTargetModules } : {}),
      source: `--targets`,
    },
  );
  const total = countModelParameters(config);
  const lora = countLoraParameters(resolved);
  return {
    model: name,
    total_params: total,
    lora_params: lora,
    // three significant digits: 0.095 for Llama-2-70B at r=16 on q,k,v,o
    lora_percent: Number(((100 * lora) / total).toPrecision(3)),
    modules: resolved.length,
    adapter_bytes: { f32: lora * 4, bf16: lora * 2 },
  };
}

export function registerParams(program: Command, streams: CliStreams): void {
  program
    .command('params')
    .description('count the parameters of a model and of a LoRA adapter for it (no weights needed)')
    .requiredOption('--model <model>', 'a model folder, a config.json, or a catalog name such as llama-2-70b')
    .option('--rank <r>', 'LoRA rank', '16')
    .option('--alpha <alpha>', 'LoRA alpha (default 2·rank; does not change counts)')
    .option(
      '--targets <targets>',
      'q_proj,k_proj,v_proj,o_proj | all-linear | minimum | recommended | maximum',
      'q_proj,k_proj,v_proj,o_proj',
    )
    .option('--json', 'print one JSON document')
    .action(
      async (options: { model: string; rank: string; alpha?: string; targets: string; json?: boolean }) => {
        const rank = parsePositiveInteger('--rank', options.rank);
        const alpha = options.alpha === undefined ? 2 * rank : parsePositiveNumber('--alpha', options.alpha);
        const report = await countParams({
          model: options.model,
          rank,
          alpha,
          targets: parseTargets(options.targets),
        });
        if (options.json) return printJson(streams, report);
        const format = (value: number): string => value.toLocaleString('en-US');
        streams.stdout(
          [
            `model          ${report.model}`,
            `total params   ${format(report.total_params)}`,
            `LoRA params    ${format(report.lora_params)} (${report.lora_percent}%) over ${report.modules} modules at r=${rank}`,
            `adapter size   ${format(report.adapter_bytes.f32)} bytes in f32, ${format(report.adapter_bytes.bf16)} in bf16`,
          ].join('\n') + '\n',
        );
      },
    );
}
