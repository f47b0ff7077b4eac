/**
 * `lorakit logits --model MODEL_DIR [--adapter ADAPTER_DIR]… --ids 1,2,3 [--backend auto|cpu|reference] [--json]`:
 * one forward pass over the token ids; prints the logits of the last position (CLI.md). Several adapters are
 * active together as PEFT does it: their deltas add up (Σ sᵢ·Bᵢ·Aᵢ on each module).
 */
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import { readAdapterFolder } from '@lorakit/core/node';
import type { BackendPreference } from '@lorakit/kernels-cuda';
import { loadModel, sumAdapters } from '@lorakit/models';
import { printJson } from '../json-output.js';
import { BACKEND_CHOICES, parseBackend } from '../options.js';
import type { CliStreams } from '../run-cli.js';

export interface LogitsReport {
  vocab: number;
  logits: number[];
}

/** "1,2,3" → [1, 2, 3]; every entry a non-negative integer. */
export function parseIds(value: string): number[] {
  const entries = value.split(',').map((entry) => entry.trim());
  const ids = entries.map(Number);
  const bad = entries.findIndex((entry, index) => !/^\d+$/.test(entry) || !Number.isSafeInteger(ids[index]));
  if (entries.length === 0 || value.trim() === '' || bad >= 0) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `--ids must be comma-separated token ids such as 1,2,3; "${entries[bad] ?? value}" is not one`,
    );
  }
  return ids;
}

export async function computeLogits(options: {
  model: string;
  adapters: readonly string[];
  ids: readonly number[];
  backend: BackendPreference;
  onLog?: (line: string) => void;
}): Promise<LogitsReport> {
  const model = await loadModel(options.model, {
    backend: options.backend,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  try {
    const vocab = model.dimensions.vocab;
    const outside = options.ids.find((id) => id >= vocab);
    if (outside !== undefined) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `--ids: token ${outside} is outside the vocabulary of ${options.model} (size ${vocab})`,
      );
    }
    if (options.ids.length > model.maxPositions) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `--ids: ${options.ids.length} tokens exceed max_position_embeddings ${model.maxPositions}`,
      );
    }
    let adapter: string | null = null;
    if (options.adapters.length > 0) {
      const adapters = await Promise.all(
        options.adapters.map((dir) => readAdapterFolder(dir, { baseModules: model.modules })),
      );
      model.attachAdapter('cli', sumAdapters(adapters));
      adapter = 'cli';
    }
    return { vocab, logits: Array.from(model.logits(options.ids, { adapter })) };
  } finally {
    model.dispose();
  }
}

export function registerLogits(program: Command, streams: CliStreams): void {
  program
    .command('logits')
    .description('run one forward pass over token ids and print the logits of the last position')
    .requiredOption('--model <dir>', 'a model folder (config.json + safetensors weights)')
    .option(
      '--adapter <dir>',
      'a PEFT adapter folder; repeat to apply several (their deltas add up)',
      (dir: string, all: string[]) => [...all, dir],
      [] as string[],
    )
    .requiredOption('--ids <ids>', 'comma-separated token ids, e.g. 1,2,3')
    .option('--backend <backend>', BACKEND_CHOICES.join(' | '), 'auto')
    .option('--json', 'print one JSON document')
    .action(
      async (options: { model: string; adapter: string[]; ids: string; backend: string; json?: boolean }) => {
        const report = await computeLogits({
          model: options.model,
          adapters: options.adapter,
          ids: parseIds(options.ids),
          backend: parseBackend(options.backend),
          onLog: (line) => streams.stderr(`${line}\n`),
        });
        if (options.json) return printJson(streams, report);
        const ranked = report.logits
          .map((value, id) => ({ id, value }))
          .sort((a, b) => b.value - a.value)
          .slice(0, 5);
        streams.stdout(
          `vocab ${report.vocab}; top ids: ${ranked.map(({ id, value }) => `${id} (${value.toFixed(4)})`).join(', ')}\n`,
        );
      },
    );
}
