/**
 * Node-only test doubles: a complete Hugging Face model folder with random weights for any supported config, and
 * a random adapter for resolved modules. Tests of every package use these instead of downloading a model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter } from '../adapter.js';
import { listModelModules } from '../architectures.js';
import { writeCheckpoint } from '../checkpoint-file.js';
import { listParameterTensors } from '../count-parameters.js';
import type { FloatDType } from '../dtype.js';
import type { LoraConfig } from '../lora-config.js';
import type { ModelConfig } from '../model-config.js';
import type { ResolvedModule } from '../resolve-targets.js';
import { fromFloat32 } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { randomValues, seededRandom } from './seeded-random.js';

export interface RandomModelOptions {
  seed?: number;
  dtype?: FloatDType;
  /** Split the weights into shards of at most this many bytes. */
  maxShardBytes?: number;
}

/** Every tensor of a model with `config`, random (weights ±0.1, norms 1), in transformers' names and layouts. */
export function randomModelTensors(
  config: ModelConfig,
  options: RandomModelOptions = {},
): Map<string, Tensor> {
  const random = seededRandom(options.seed ?? 1);
  const dtype = options.dtype ?? 'F32';
  const tensors = new Map<string, Tensor>();
  const tied = config.tie_word_embeddings ?? config.model_type === 'gpt2';
  for (const module of listModelModules(config)) {
    if (module.outputHead && tied) continue;
    const shape =
      module.kind === 'embedding' || module.fanInFanOut ? [module.in, module.out] : [module.out, module.in];
    tensors.set(
      `${module.name}.weight`,
      fromFloat32(randomValues(random, module.in * module.out, 0.1), shape, dtype),
    );
    if (module.bias)
      tensors.set(
        `${module.name}.bias`,
        fromFloat32(randomValues(random, module.out, 0.1), [module.out], dtype),
      );
  }
  for (const tensor of listParameterTensors(config)) {
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    const values =
      tensor.name.endsWith('norm.weight') || /ln_\w+\.weight$/.test(tensor.name)
        ? new Float32Array(count).fill(1)
        : randomValues(random, count, 0.1);
    tensors.set(tensor.name, fromFloat32(values, tensor.shape, dtype));
  }
  return tensors;
}

/** Writes config.json and random weights into `dir`: a model folder lorakit and transformers can load. */
export async function writeRandomModel(
  dir: string,
  config: ModelConfig,
  options: RandomModelOptions = {},
): Promise<Map<string, Tensor>> {
  const tensors = randomModelTensors(config, options);
  await mkdir(dir, { recursive: true });
  const { extra, ...known } = config;
  const torchDtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[options.dtype ?? 'F32'];
  await writeFile(
    join(dir, 'config.json'),
    `${JSON.stringify({ ...extra, ...known, torch_dtype: torchDtype }, null, 2)}\n`,
  );
  await writeCheckpoint(dir, tensors, options.maxShardBytes ? { maxShardBytes: options.maxShardBytes } : {});
  return tensors;
}

/** An adapter with random A and B (B non-zero, so it changes the model) for the given resolved modules. */
export function randomAdapter(
  config: LoraConfig,
  modules: readonly ResolvedModule[],
  options: { seed?: number; dtype?: FloatDType } = {},
): Adapter {
  const random = seededRandom(options.seed ?? 2);
  const dtype = options.dtype ?? 'F32';
  return {
    config,
    otherTensors: new Map(),
    modules: [...modules]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((module) => ({
        name: module.name,
        kind: module.kind,
        r: module.r,
        alpha: module.alpha,
        scale: module.scale,
        in: module.in,
        out: module.out,
        dtype,
        fanInFanOut: module.fanInFanOut,
        loraA: fromFloat32(randomValues(random, module.r * module.in, 0.2), [module.r, module.in], dtype),
        loraB: fromFloat32(randomValues(random, module.out * module.r, 0.2), [module.out, module.r], dtype),
      })),
  };
}
