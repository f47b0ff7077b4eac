/**
 * Node-only. PEFT adapter folders on disk: `adapter_config.json` + `adapter_model.safetensors`, and several
 * adapters in one folder as PEFT's save_pretrained lays them out (the default one at the top, each other named
 * one in `DIR/<name>/`).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adapterFromTensors, adapterToTensors } from './adapter.js';
import type { Adapter } from './adapter.js';
import { writeFolderAtomic } from './atomic-folder.js';
import { FileError } from './errors.js';
import { parseLoraConfigText, serializeLoraConfig } from './lora-config.js';
import type { ModelModule } from './model-module.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { serializeSafetensors } from './safetensors.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

export interface ReadAdapterFolderOptions {
  /** Read `DIR/<name>/` instead of the default adapter at the top of the folder. */
  name?: string;
  /** The base model's modules: every adapted module must exist there with the same shape. */
  baseModules?: readonly ModelModule[];
  /** Called once with a line about unknown config keys. */
  onWarning?: (message: string) => void;
}

/** Reads a PEFT adapter folder, checking the tensors against the config (and the base, when given). */
export async function readAdapterFolder(
  dir: string,
  options: ReadAdapterFolderOptions = {},
): Promise<Adapter> {
  const folder = options.name && options.name !== 'default' ? join(dir, options.name) : dir;
  const configPath = join(folder, ADAPTER_CONFIG_FILE);
  const weightsPath = join(folder, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configPath)) {
    throw new FileError('FILE_NOT_FOUND', `${configPath}: not found`, {
      fix: `an adapter folder holds ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`,
    });
  }
  if (!existsSync(weightsPath)) {
    const hint = existsSync(join(folder, 'adapter_model.bin'))
      ? 'this folder has adapter_model.bin (pickle); convert it to safetensors with PEFT (save_pretrained(safe_serialization=True))'
      : `an adapter folder holds ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`;
    throw new FileError('FILE_NOT_FOUND', `${weightsPath}: not found`, { fix: hint });
  }
  const config = parseLoraConfigText(await readFile(configPath, 'utf8'), {
    source: configPath,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const weights = await readSafetensorsFile(weightsPath);
  return adapterFromTensors(config, weights.tensors, {
    source: weightsPath,
    ...(options.baseModules ? { baseModules: options.baseModules } : {}),
  });
}

/** Names of the adapters in a folder: "default" for one at the top, then each `DIR/<name>/` that holds one. */
export async function listAdapterFolders(dir: string): Promise<string[]> {
  const names = existsSync(join(dir, ADAPTER_CONFIG_FILE)) ? ['default'] : [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory() && existsSync(join(dir, entry.name, ADAPTER_CONFIG_FILE))) names.push(entry.name);
  }
  return names;
}

/** Writes an adapter as PEFT does: sorted config keys, the resolved target list, safetensors with {"format":"pt"}. */
export async function writeAdapterFolder(dir: string, adapter: Adapter): Promise<void> {
  const targets = [
    ...new Set(adapter.modules.map((module) => module.name.slice(module.name.lastIndexOf('.') + 1))),
  ].sort();
  const configText = serializeLoraConfig(adapter.config, { resolvedTargets: targets });
  const weights = serializeSafetensors(adapterToTensors(adapter), { format: 'pt' });
  await writeFolderAtomic(dir, async (temporary) => {
    await writeFile(join(temporary, ADAPTER_CONFIG_FILE), configText);
    await writeFile(join(temporary, ADAPTER_WEIGHTS_FILE), weights);
  });
}
