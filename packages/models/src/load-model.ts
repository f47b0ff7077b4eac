/**
 * loadModel: a Hugging Face model folder (config.json, model.safetensors or a sharded index, optional
 * generation_config.json) → a Model on a backend, with every weight checked against the config.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ArchitectureError,
  ConfigError,
  FormatError,
  listModelModules,
  resolveArchitecture,
} from '@lorakit/core';
import type { ModelConfig } from '@lorakit/core';
import { readCheckpoint, readModelConfigFile } from '@lorakit/core/node';
import { createBackend } from '@lorakit/kernels-cuda';
import type { Backend, BackendPreference } from '@lorakit/kernels-cuda';
import { Model } from './model.js';
import type { GenerationDefaults } from './model.js';
import { arrangeWeights, expectedTensors, uploadWeights } from './model-weights.js';
import { ropeSettings } from './rope-settings.js';

/** The model_types this package runs (core knows more architectures, for counting and merging only). */
export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;

export interface LoadModelOptions {
  /** A backend instance (shared: the model does not dispose it) or a preference (default 'auto'). */
  backend?: Backend | BackendPreference;
  /** Receives one line per notable event (backend fallback, weight conversion). */
  onLog?: (line: string) => void;
}

function ids(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value))
    return value.filter((item): item is number => typeof item === 'number' && Number.isInteger(item));
  return [];
}

async function readGeneration(directory: string, config: ModelConfig): Promise<GenerationDefaults> {
  const path = join(directory, 'generation_config.json');
  let raw: Record<string, unknown> = {};
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        raw = parsed as Record<string, unknown>;
    } catch (error) {
      throw new FormatError('JSON_INVALID', `${path}: not valid JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  const pick = (key: string): unknown => raw[key] ?? config.extra[key];
  const bos = ids(pick('bos_token_id'))[0];
  const pad = ids(pick('pad_token_id'))[0];
  return {
    eosTokenIds: ids(pick('eos_token_id')),
    ...(bos === undefined ? {} : { bosTokenId: bos }),
    ...(pad === undefined ? {} : { padTokenId: pad }),
    raw,
  };
}

/** The backend asked for; `auto` takes the first of cuda → cpu → reference that runs here, logging each step down. */
function pickBackend(options: LoadModelOptions): Backend {
  const preference = options.backend;
  return createBackend(
    typeof preference === 'string' ? preference : 'auto',
    options.onLog ? { log: options.onLog } : {},
  );
}

/** Loads a model folder onto a backend. Throws typed one-line errors for missing or inconsistent files. */
export async function loadModel(directory: string, options: LoadModelOptions = {}): Promise<Model> {
  const configPath = join(directory, 'config.json');
  const config = await readModelConfigFile(configPath);
  const architecture = resolveArchitecture(config, { source: configPath });
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(config.model_type)) {
    throw new ArchitectureError(
      'ARCHITECTURE_UNSUPPORTED',
      `${configPath}: model_type "${config.model_type}" cannot run in @lorakit/models yet; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
  }
  const activation = config.extra['hidden_act'];
  if (activation !== undefined && activation !== 'silu') {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${configPath}: hidden_act "${String(activation)}" is not supported; supported: silu`,
    );
  }
  const dimensions = architecture.dimensions(config);
  const rope = ropeSettings(config, configPath);
  const checkpoint = await readCheckpoint(directory);
  const generation = await readGeneration(directory, config);
  const ownsBackend = typeof options.backend !== 'object';
  const backend = typeof options.backend === 'object' ? options.backend : pickBackend(options);
  try {
    const source = checkpoint.files.length === 1 ? (checkpoint.files[0] ?? directory) : directory;
    const dtypes = new Set([...checkpoint.tensors.values()].map((tensor) => tensor.dtype));
    if ([...dtypes].some((dtype) => dtype !== 'F32')) {
      options.onLog?.(`${directory}: weights stored as ${[...dtypes].join('/')} are computed in f32`);
    }
    const byName = uploadWeights(
      backend,
      checkpoint.tensors,
      expectedTensors(architecture, config, dimensions),
      source,
    );
    return new Model({
      directory,
      config,
      architecture,
      modules: listModelModules(config),
      generation,
      parts: {
        backend,
        weights: arrangeWeights(architecture, dimensions, byName),
        dimensions,
        rope,
        eps: config.rms_norm_eps ?? 1e-6,
      },
      ownsBackend,
    });
  } catch (error) {
    if (ownsBackend) backend.dispose();
    throw error;
  }
}
