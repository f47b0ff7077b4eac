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
  /** The gradient of lora_B's bias, when the module has one. */
  readonly gradLoraBias?: DeviceTensor;
}

/** Embedding LoRA under training: the module and the gradients of its A [r, vocab] and B [hidden, r]. */
export interface EmbeddingLoraPlan {
  readonly module: DeviceLoraModule;
  readonly gradA: DeviceTensor;
  readonly gradB: DeviceTensor;
}

export interface LayerPlan {
  readonly linears: Readonly<Record<LayerLinearName, LinearPlan>>;
  readonly gradInputNorm?: DeviceTensor;
  readonly gradPostAttentionNorm?: DeviceTensor;
}

export interface TrainingPlan {
  readonly layers: readonly LayerPlan[];
  /** The output head as a linear layer (LoRA on lm_head with method 'lora'). */
  readonly head: LinearPlan;
  readonly embeddingLora?: EmbeddingLoraPlan;
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
  const embeddingModule = adapter?.modules.get(weights.embeddingName);
  // PEFT's parameter names for embedding LoRA: lora_embedding_A / lora_embedding_B (no ".weight").
  const embeddingLora: EmbeddingLoraPlan | undefined = embeddingModule
    ? {
        module: embeddingModule,
        gradA: track(`${embeddingModule.name}.lora_embedding_A`, embeddingModule.loraA),
        gradB: track(`${embeddingModule.name}.lora_embedding_B`, embeddingModule.loraB),
      }
    : undefined;
  let index = 0;
  const linearPlan = (linear: LinearWeights): LinearPlan => {
    const lora = adapter?.modules.get(linear.name);
    const gradA = lora ? track(`${linear.name}.lora_A.weight`, lora.loraA) : undefined;
    const gradB = lora ? track(`${linear.name}.lora_B.weight`, lora.loraB) : undefined;
    const gradLoraBias = lora?.loraBias ? track(`${linear.name}.lora_B.bias`, lora.loraBias) : undefined;
    return {
      weights: linear,
      index: index++,
      ...(lora && gradA && gradB ? { lora, gradA, gradB } : {}),
      ...(gradLoraBias ? { gradLoraBias } : {}),
      ...(full ? { gradWeight: gradFor.get(linear.weight) } : {}),
      ...(full && linear.bias ? { gradBias: gradFor.get(linear.bias) } : {}),
    };
  };
  const layers = weights.layers.map((layer): LayerPlan => {
    const linears = {} as Record<LayerLinearName, LinearPlan>;
    for (const name of LAYER_LINEARS) linears[name] = linearPlan(layer.linears[name]);
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
  // Full fine-tuning trains the head through gradHead/gradEmbedding, so its plan carries no gradients.
  const head = full ? { weights: weights.headLinear, index: index++ } : linearPlan(weights.headLinear);
  const tied = weights.head === weights.embedding;
  return {
    layers,
    head,
    ...(embeddingLora ? { embeddingLora } : {}),
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
