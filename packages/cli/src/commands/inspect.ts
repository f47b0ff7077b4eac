/** `lorakit inspect ADAPTER_DIR [--json]`: what an adapter folder holds, per module (CLI.md). */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { elementCount } from '@lorakit/core';
import type { Adapter } from '@lorakit/core';
import { ADAPTER_WEIGHTS_FILE, readAdapterFolder } from '@lorakit/core/node';
import { printJson } from '../json-output.js';
import type { CliStreams } from '../run-cli.js';

export interface InspectReport {
  peft_type: 'LORA';
  task_type: string | null;
  r: number;
  lora_alpha: number;
  use_rslora: boolean;
  use_dora: boolean;
  fan_in_fan_out: boolean;
  target_modules: string[] | string;
  modules: {
    name: string;
    kind: string;
    r: number;
    alpha: number;
    scale: number;
    in: number;
    out: number;
    dtype: string;
  }[];
  lora_modules: number;
  lora_params: number;
  other_params: number;
  bytes: number;
}

export function inspectAdapter(adapter: Adapter, bytes: number): InspectReport {
  const { config } = adapter;
  let loraParams = 0;
  let otherParams = 0;
  for (const module of adapter.modules) {
    loraParams += elementCount(module.loraA.shape) + elementCount(module.loraB.shape);
    if (module.loraBias) otherParams += elementCount(module.loraBias.shape);
    if (module.magnitude) otherParams += elementCount(module.magnitude.shape);
  }
  for (const tensor of adapter.otherTensors.values()) otherParams += elementCount(tensor.shape);
  const targets = config.target_modules;
  return {
    peft_type: 'LORA',
    task_type: config.task_type,
    r: config.r,
    lora_alpha: config.lora_alpha,
    use_rslora: config.use_rslora,
    use_dora: config.use_dora,
    fan_in_fan_out: config.fan_in_fan_out,
    target_modules: Array.isArray(targets) ? [...targets].sort() : (targets ?? []),
    modules: adapter.modules.map((module) => ({
      name: module.name,
      kind: module.kind,
      r: module.r,
      alpha: module.alpha,
      scale: module.scale,
      in: module.in,
      out: module.out,
      dtype: module.dtype,
    })),
    lora_modules: adapter.modules.length,
    lora_params: loraParams,
    other_params: otherParams,
    bytes,
  };
}

export function registerInspect(program: Command, streams: CliStreams): void {
  program
    .command('inspect')
    .description('show what a PEFT adapter folder holds: config, modules, parameter counts')
    .argument('<adapter-dir>', 'a PEFT adapter folder (adapter_config.json + adapter_model.safetensors)')
    .option('--name <adapter>', 'read DIR/<adapter>/ in a folder that holds several adapters')
    .option('--json', 'print one JSON document')
    .action(async (dir: string, options: { json?: boolean; name?: string }) => {
      const adapter = await readAdapterFolder(dir, {
        ...(options.name ? { name: options.name } : {}),
        onWarning: (message) => streams.stderr(`lorakit: warning: ${message}\n`),
      });
      const folder = options.name && options.name !== 'default' ? join(dir, options.name) : dir;
      const report = inspectAdapter(adapter, (await stat(join(folder, ADAPTER_WEIGHTS_FILE))).size);
      if (options.json) return printJson(streams, report);
      const lines = [
        `adapter      ${folder}`,
        `rank         r=${report.r}, alpha=${report.lora_alpha}${report.use_rslora ? ' (rsLoRA)' : ''}${report.use_dora ? ', DoRA' : ''}`,
        `targets      ${Array.isArray(report.target_modules) ? report.target_modules.join(', ') : report.target_modules}`,
        `modules      ${report.lora_modules} (${report.lora_params.toLocaleString('en-US')} LoRA parameters, ${report.other_params.toLocaleString('en-US')} other)`,
        `file         ${report.bytes.toLocaleString('en-US')} bytes`,
        '',
        ...report.modules.map(
          (m) => `  ${m.name}  r=${m.r} alpha=${m.alpha} scale=${m.scale} ${m.in}→${m.out} ${m.dtype}`,
        ),
      ];
      streams.stdout(`${lines.join('\n')}\n`);
    });
}
