/**
 * Node-only. Merges a PEFT adapter folder into a Hugging Face model folder and writes a complete model folder:
 * merged weights (single file or shards, like the base), config.json, tokenizer and generation files copied.
 * The output appears whole or not at all (written beside it, then renamed).
 */
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAdapterFolder } from './adapter-folder.js';
import { writeFolderAtomic } from './atomic-folder.js';
import { INDEX_FILE, readCheckpoint, SINGLE_FILE, writeCheckpoint } from './checkpoint-file.js';
import type { FloatDType } from './dtype.js';
import { isLorakitError } from './errors.js';
import { listModelModules } from './architectures.js';
import { mergeAdapter } from './merge-adapter.js';
import { readModelConfigFile } from './model-config-file.js';
import type { ModelModule } from './model-module.js';

export interface MergeAdapterFolderOptions {
  /** The base model folder (config.json + model.safetensors or a sharded index). */
  base: string;
  /** The PEFT adapter folder. */
  adapter: string;
  /** Name of the adapter inside a folder that holds several (`DIR/<name>/`). */
  adapterName?: string;
  /** The output model folder; replaced whole if it exists. */
  out: string;
  /** Store the merged weights in this dtype instead of the base's. */
  dtype?: FloatDType;
  /** Called with warnings (unknown config keys). */
  onWarning?: (message: string) => void;
}

export interface MergeAdapterFolderResult {
  out: string;
  mergedModules: number;
  maxAbsDelta: number;
}

const TORCH_DTYPE_NAMES = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const satisfies Record<
  FloatDType,
  string
>;

export async function mergeAdapterFolder(
  options: MergeAdapterFolderOptions,
): Promise<MergeAdapterFolderResult> {
  const configPath = join(options.base, 'config.json');
  const modelConfig = await readModelConfigFile(configPath);
  let baseModules: ModelModule[] | undefined;
  try {
    baseModules = listModelModules(modelConfig);
  } catch (error) {
    // An architecture lorakit has no entry for can still be merged: shapes are then checked against the weights.
    if (!isLorakitError(error) || error.code !== 'ARCHITECTURE_UNSUPPORTED') throw error;
  }
  const adapter = await readAdapterFolder(options.adapter, {
    ...(options.adapterName ? { name: options.adapterName } : {}),
    ...(baseModules ? { baseModules } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const checkpoint = await readCheckpoint(options.base);
  const merged = mergeAdapter(checkpoint.tensors, adapter, {
    source: checkpoint.files.length === 1 ? (checkpoint.files[0] as string) : options.base,
    ...(options.dtype ? { dtype: options.dtype } : {}),
  });
  const baseFiles = await readdir(options.base, { withFileTypes: true });
  await writeFolderAtomic(options.out, async (temporary) => {
    const shardBytes = checkpoint.files.length > 1 ? largestShardBytes(checkpoint) : undefined;
    await writeCheckpoint(temporary, merged.tensors, shardBytes ? { maxShardBytes: shardBytes } : {});
    for (const entry of baseFiles) {
      if (
        !entry.isFile() ||
        entry.name.endsWith('.safetensors') ||
        entry.name === INDEX_FILE ||
        entry.name === SINGLE_FILE
      )
        continue;
      if (entry.name === 'config.json' && options.dtype) {
        const json = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
        const name = TORCH_DTYPE_NAMES[options.dtype];
        // transformers 4 writes torch_dtype, 5 writes dtype: update whichever the base has.
        if ('dtype' in json) json['dtype'] = name;
        if ('torch_dtype' in json || !('dtype' in json)) json['torch_dtype'] = name;
        await writeFile(join(temporary, entry.name), `${JSON.stringify(json, null, 2)}\n`);
      } else {
        await copyFile(join(options.base, entry.name), join(temporary, entry.name));
      }
    }
  });
  return { out: options.out, mergedModules: merged.mergedModules, maxAbsDelta: merged.maxAbsDelta };
}

function largestShardBytes(checkpoint: {
  indexMetadata: Record<string, unknown> | undefined;
  files: string[];
}): number | undefined {
  const total = checkpoint.indexMetadata?.['total_size'];
  return typeof total === 'number' && total > 0 ? Math.ceil(total / checkpoint.files.length) : undefined;
}
