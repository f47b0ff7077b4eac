/**
 * What a training session updates: per linear layer its weights, its LoRA module (method 'lora') and the
 * gradient tensors, and the flat parameter list the optimizer walks. Gradients are allocated once, here.
 */
import type { DeviceTensor, DropoutOptions } from '@lorakit/kernels-cuda';
import type { AttachedAdapter, DeviceLoraModule } from './attached-adapter.js';
import type { ModelParts } from './model-parts.js';
import { LAYER_LINEARS } from './model-weights.js';
import type { LayerLinearName, LinearWeights } from './model-weights.js';

export interface TrainableParameter {
  /** PEFT/transformers name: "model.layers.0.self_attn.q_proj.lora_A.weight" or "model.norm.weight". */
  readonly name: string;
  /** The live tensor (f32): updating it in place updates the model or adapter. */
  readonly parameter: DeviceTensor;
  /** Same shape; written by backward(). */
  readonly gradient: DeviceTensor;
}

export interface LinearPlan {
  readonly weights: LinearWeights;
  /** Index among all linears of the model, to give each its own dropout stream. */
  readonly index: number;
  readonly lora?: DeviceLoraModule;
  readonly gradWeight?: DeviceTensor;
  readonly gradBias?: DeviceTensor;
  readonly gradA?: DeviceTensor;
  readonly gradB?: DeviceTensor;
}

export interface LayerPlan {
  readonly linears: Readonly<Record<LayerLinearName, LinearPlan>>;
  readonly gradInputNorm?: DeviceTensor;
  readonly gradPostAttentionNorm?: DeviceTensor;
}

export interface TrainingPlan {
  readonly layers: readonly LayerPlan[];
  readonly parameters: readonly TrainableParameter[];
  readonly gradEmbedding?: DeviceTensor;
  /** Undefined when tied (the head's gradient goes into gradEmbedding) or with method 'lora'. */
  readonly gradHead?: DeviceTensor;
  readonly gradFinalNorm?: DeviceTensor;
}

/** Builds the plan; `adapter` given means method 'lora' (base frozen), otherwise every weight trains. */
export function buildTrainingPlan(parts: ModelParts, adapter: AttachedAdapter | undefined): TrainingPlan {
  const { backend, weights } = parts;
  const parameters: TrainableParameter[] = [];
  const full = adapter === undefined;
  const gradFor = new Map<DeviceTensor, DeviceTensor>();
  const track = (name: string, parameter: DeviceTensor): DeviceTensor => {
    const gradient = backend.zeros(parameter.shape);
    parameters.push({ name, parameter, gradient });
    gradFor.set(parameter, gradient);
    return gradient;
  };
  if (full) for (const [name, tensor] of weights.byName) track(name, tensor);
  let index = 0;
  const layers = weights.layers.map((layer): LayerPlan => {
    const linears = {} as Record<LayerLinearName, LinearPlan>;
    for (const name of LAYER_LINEARS) {
      const linear = layer.linears[name];
      const lora = adapter?.modules.get(linear.name);
      const gradA = lora ? track(`${linear.name}.lora_A.weight`, lora.loraA) : undefined;
      const gradB = lora ? track(`${linear.name}.lora_B.weight`, lora.loraB) : undefined;
      linears[name] = {
        weights: linear,
        index: index++,
        ...(lora && gradA && gradB ? { lora, gradA, gradB } : {}),
        ...(full ? { gradWeight: gradFor.get(linear.weight) } : {}),
        ...(full && linear.bias ? { gradBias: gradFor.get(linear.bias) } : {}),
      };
    }
    return {
      linears,
      ...(full
        ? {
            gradInputNorm: gradFor.get(layer.inputNorm),
            gradPostAttentionNorm: gradFor.get(layer.postAttentionNorm),
          }
        : {}),
    };
  });
  const tied = weights.head === weights.embedding;
  return {
    layers,
    parameters,
    ...(full
      ? {
          gradEmbedding: gradFor.get(weights.embedding),
          gradFinalNorm: gradFor.get(weights.finalNorm),
          ...(tied ? {} : { gradHead: gradFor.get(weights.head) }),
        }
      : {}),
  };
}

/** The dropout of one linear at one step: a per-module seed so masks differ between modules. */
export function dropoutFor(
  plan: LinearPlan,
  probability: number,
  stepSeed: number,
): DropoutOptions | undefined {
  if (!plan.lora || probability <= 0) return undefined;
  const seed = (Math.imul(stepSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(plan.index + 1, 0x27d4eb2f)) >>> 0;
  return { probability, seed };
}

export function disposePlan(plan: TrainingPlan): void {
  for (const parameter of plan.parameters) parameter.gradient.dispose();
}
