/**
 * Node-only. Finds a model's config from what a user types: a model folder (its config.json), a config.json
 * path, or a catalog name ("llama-2-70b").
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError, FormatError } from './errors.js';
import { getCatalogModel } from './model-catalog.js';
import { parseModelConfig } from './model-config.js';
import type { ModelConfig } from './model-config.js';

export interface LoadedModelConfig {
  config: ModelConfig;
  /** The catalog name, or the model folder's name. */
  name: string;
  /** The config.json path, or "catalog:<name>". */
  source: string;
}

/** Reads and checks a config.json file. */
export async function readModelConfigFile(path: string): Promise<ModelConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FileError(
      'FILE_NOT_FOUND',
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        fix: 'a model folder holds config.json as Hugging Face saves it',
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FormatError('JSON_INVALID', `${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseModelConfig(json, { source: path });
}

/** A model folder, a config.json path or a catalog name → its config. Paths win over catalog names. */
export async function loadModelConfig(spec: string): Promise<LoadedModelConfig> {
  if (existsSync(spec)) {
    const isFolder = statSync(spec).isDirectory();
    const path = isFolder ? join(spec, 'config.json') : spec;
    const name = basename(isFolder ? spec : dirname(spec));
    return { config: await readModelConfigFile(path), name, source: path };
  }
  if (/[\\/]/.test(spec) || spec.endsWith('.json')) {
    throw new FileError('FILE_NOT_FOUND', `${spec}: no such file or folder`, {
      fix: 'pass a model folder, a config.json or a catalog name such as llama-3-8b',
    });
  }
  return { config: getCatalogModel(spec), name: spec, source: `catalog:${spec}` };
}
