/**
 * Writes the random model folder `lorakit bench train` loads, in a child Node process when the compiled file
 * is there: generating and serialising the weights briefly holds about three copies of them, and the benchmark
 * reports its own process's peak resident set, which must count training, not the test double's writing.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseModelConfig } from '@lorakit/core';
import { writeRandomModel } from '@lorakit/core/test';
import { TRAIN_BENCH_PRESETS } from './train-bench-presets.js';
import type { TrainBenchPresetName } from './train-bench-presets.js';

export interface WriteBenchModelOptions {
  /** The folder to write (config.json + model.safetensors). */
  directory: string;
  preset: TrainBenchPresetName;
  seed?: number;
}

async function writeHere(options: WriteBenchModelOptions): Promise<void> {
  const config = parseModelConfig({
    model_type: 'llama',
    hidden_act: 'silu',
    ...TRAIN_BENCH_PRESETS[options.preset],
  });
  await writeRandomModel(options.directory, config, { seed: options.seed ?? 0 });
}

/** Writes the preset's random model; in a child process when running from the compiled package. */
export async function writeBenchModel(options: WriteBenchModelOptions): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  // From sources (vitest) there is no .js file a child could run; writing here is then the fallback.
  if (!script.endsWith('.js') || !existsSync(script)) return writeHere(options);
  await new Promise<void>((resolve, reject) => {
    const child = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`writing the ${options.preset} bench model failed (exit ${code})`)),
    );
  });
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && pathToFileURL(invokedAs).href === import.meta.url) {
  await writeHere(JSON.parse(process.argv[2] ?? '{}') as WriteBenchModelOptions);
}
