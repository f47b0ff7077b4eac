/**
 * The output of a run: for 'lora' a PEFT adapter folder (core's writeAdapterFolder), for 'full' a model folder
 * (writeCheckpoint + the base's config, generation and tokenizer files); metrics.jsonl beside the weights.
 * Each folder is written under a temporary name and renamed, so a reader never sees half of one.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoraConfig } from '@lorakit/core';
import { writeAdapterFolder, writeCheckpoint, writeFileAtomic, writeFolderAtomic } from '@lorakit/core/node';
import type { Model } from '@lorakit/models';

const COPIED_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'chat_template.jinja',
  'special_tokens_map.json',
];

export interface WriteTrainingOutputOptions {
  model: Model;
  method: 'lora' | 'full';
  adapterName: string;
  /** For lora: records where the base came from, as PEFT does. */
  loraConfig?: LoraConfig;
  out: string;
  metricsPath: string;
}

export async function writeTrainingOutput(options: WriteTrainingOutputOptions): Promise<void> {
  const metrics = await readFile(options.metricsPath);
  if (options.method === 'lora') {
    const adapter = options.model.exportAdapter(options.adapterName);
    await writeAdapterFolder(
      options.out,
      options.loraConfig ? { ...adapter, config: options.loraConfig } : adapter,
    );
    await writeFileAtomic(join(options.out, 'metrics.jsonl'), metrics);
    return;
  }
  const weights = options.model.exportWeights();
  await writeFolderAtomic(options.out, async (temporary) => {
    await writeCheckpoint(temporary, weights);
    for (const name of COPIED_FILES) {
      const source = join(options.model.directory, name);
      if (existsSync(source)) await copyFile(source, join(temporary, name));
    }
    await writeFileAtomic(join(temporary, 'metrics.jsonl'), metrics);
  });
}
