/**
 * Parameter counts from a config alone, without loading weights.
 * Model: Σ over modules of in·out (+ out for a bias), skipping lm_head when it is tied to the input embedding,
 * plus every non-linear tensor (RMSNorm weights; GPT-2's LayerNorm weight and bias and its position table).
 * LoRA: a module adapted at rank r gains A (r×in) and B (out×r), so r·(in + out) parameters.
 */
import { listModelModules, resolveArchitecture } from './architectures.js';
import type { ParameterTensor } from './architectures.js';
import { MathError } from './errors.js';
import type { ModelConfig } from './model-config.js';

/** The parameter tensors that are not adaptable modules (norms, position embeddings), with full names. */
export function listParameterTensors(config: ModelConfig): ParameterTensor[] {
  const spec = resolveArchitecture(config);
  const dimensions = spec.dimensions(config);
  const perLayer = spec.layerTensors(dimensions);
  const tensors: ParameterTensor[] = [];
  for (let layer = 0; layer < dimensions.layers; layer++) {
    for (const tensor of perLayer) {
      tensors.push({ name: `${spec.layerPrefix}.${layer}.${tensor.name}`, shape: tensor.shape });
    }
  }
  return [...tensors, ...spec.globalTensors(dimensions)];
}

/** The exact number of parameters of the base model described by `config`. */
export function countModelParameters(config: ModelConfig): number {
  const spec = resolveArchitecture(config);
  const tied = spec.dimensions(config).tiedEmbeddings;
  let total = 0;
  for (const module of listModelModules(config)) {
    if (module.outputHead && tied) continue;
    total += module.in * module.out + (module.bias ? module.out : 0);
  }
  for (const tensor of listParameterTensors(config)) {
    total += tensor.shape.reduce((product, size) => product * size, 1);
  }
  return total;
}

/** Σ r·(in + out): the trainable parameters LoRA adds to the given modules. */
export function countLoraParameters(modules: readonly { r: number; in: number; out: number }[]): number {
  let total = 0;
  for (const [index, module] of modules.entries()) {
    for (const key of ['r', 'in', 'out'] as const) {
      const value = module[key];
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new MathError(
          'INVALID_ARGUMENT',
          `countLoraParameters: module ${index} has ${key} = ${value}`,
          {
            fix: `${key} must be a non-negative integer`,
          },
        );
      }
    }
    total += module.r * (module.in + module.out);
  }
  return total;
}
