/**
 * The base model's weights on a backend, checked against the config: every tensor the architecture names must
 * be in the checkpoint with the shape the config implies; f16/bf16 are widened to f32 (compute is f32).
 */
import { FormatError, formatShape, ShapeError, toFloat32 } from '@lorakit/core';
import type { ModelDimensions, ResolvedArchitecture, ModelConfig, Tensor } from '@lorakit/core';
import type { Backend, DeviceTensor } from '@lorakit/kernels-cuda';

/** The seven linear layers of a Llama-family decoder layer, in transformers' order. */
export const LAYER_LINEARS = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
] as const;
export type LayerLinearName = (typeof LAYER_LINEARS)[number];

export interface LinearWeights {
  /** Full module path, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string;
  /** [out, in] */
  readonly weight: DeviceTensor;
  readonly bias?: DeviceTensor;
}

export interface LayerWeights {
  readonly inputNorm: DeviceTensor;
  readonly postAttentionNorm: DeviceTensor;
  readonly linears: Readonly<Record<LayerLinearName, LinearWeights>>;
}

export interface ModelWeights {
  /** [vocab, hidden] */
  readonly embedding: DeviceTensor;
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: DeviceTensor;
  /** [vocab, hidden]; the embedding itself when the embeddings are tied. */
  readonly head: DeviceTensor;
  /** The head as a linear layer named by its module path ("lm_head"), for LoRA on it. */
  readonly headLinear: LinearWeights;
  /** Module path of the input embedding ("model.embed_tokens"), for embedding LoRA. */
  readonly embeddingName: string;
  /** Every distinct tensor by its transformers name (the tied head is not listed twice). */
  readonly byName: ReadonlyMap<string, DeviceTensor>;
}

/** Names and shapes of every tensor the model needs, in checkpoint order. */
export function expectedTensors(
  architecture: ResolvedArchitecture,
  config: ModelConfig,
  dimensions: ModelDimensions,
): Map<string, readonly number[]> {
  const expected = new Map<string, readonly number[]>();
  expected.set(`${architecture.embedding}.weight`, [dimensions.vocab, dimensions.hidden]);
  const specs = architecture.layerModules(dimensions, config);
  for (let layer = 0; layer < dimensions.layers; layer++) {
    const prefix = `${architecture.layerPrefix}.${layer}`;
    for (const tensor of architecture.layerTensors(dimensions))
      expected.set(`${prefix}.${tensor.name}`, tensor.shape);
    for (const spec of specs) {
      expected.set(`${prefix}.${spec.name}.weight`, [spec.out, spec.in]);
      if (spec.bias) expected.set(`${prefix}.${spec.name}.bias`, [spec.out]);
    }
  }
  for (const tensor of architecture.globalTensors(dimensions)) expected.set(tensor.name, tensor.shape);
  if (!dimensions.tiedEmbeddings)
    expected.set(`${architecture.head}.weight`, [dimensions.vocab, dimensions.hidden]);
  return expected;
}

/** Uploads the checkpoint's tensors, checking names and shapes first so a bad folder allocates nothing. */
export function uploadWeights(
  backend: Backend,
  tensors: ReadonlyMap<string, Tensor>,
  expected: ReadonlyMap<string, readonly number[]>,
  source: string,
): Map<string, DeviceTensor> {
  for (const [name, shape] of expected) {
    const tensor = tensors.get(name);
    if (!tensor) {
      throw new FormatError(
        'SAFETENSORS_INVALID',
        `${source}: the weights have no tensor "${name}" (${formatShape(shape)})`,
        {
          fix: 'the checkpoint does not match config.json; download or save the model again',
        },
      );
    }
    if (tensor.shape.length !== shape.length || tensor.shape.some((size, index) => size !== shape[index])) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: tensor "${name}" has shape ${formatShape(tensor.shape)} but config.json implies ${formatShape(shape)}`,
        { fix: 'config.json and the weights belong to different models' },
      );
    }
    if (
      tensor.dtype !== 'F32' &&
      tensor.dtype !== 'F16' &&
      tensor.dtype !== 'BF16' &&
      tensor.dtype !== 'F64'
    ) {
      throw new FormatError(
        'SAFETENSORS_INVALID',
        `${source}: tensor "${name}" has dtype ${tensor.dtype}; expected a float type`,
      );
    }
  }
  const uploaded = new Map<string, DeviceTensor>();
  try {
    for (const [name, shape] of expected) {
      uploaded.set(name, backend.fromArray(toFloat32(tensors.get(name) as Tensor), shape, 'f32'));
    }
  } catch (error) {
    for (const tensor of uploaded.values()) tensor.dispose();
    throw error;
  }
  return uploaded;
}

/** Arranges uploaded tensors by layer and role. */
export function arrangeWeights(
  architecture: ResolvedArchitecture,
  dimensions: ModelDimensions,
  byName: ReadonlyMap<string, DeviceTensor>,
): ModelWeights {
  const get = (name: string): DeviceTensor => {
    const tensor = byName.get(name);
    if (!tensor) throw new FormatError('SAFETENSORS_INVALID', `model weights: "${name}" is missing`);
    return tensor;
  };
  const layers: LayerWeights[] = [];
  for (let layer = 0; layer < dimensions.layers; layer++) {
    const prefix = `${architecture.layerPrefix}.${layer}`;
    const linears = {} as Record<LayerLinearName, LinearWeights>;
    for (const linear of LAYER_LINEARS) {
      const name = `${prefix}.${linear}`;
      const bias = byName.get(`${name}.bias`);
      linears[linear] = { name, weight: get(`${name}.weight`), ...(bias ? { bias } : {}) };
    }
    layers.push({
      inputNorm: get(`${prefix}.input_layernorm.weight`),
      postAttentionNorm: get(`${prefix}.post_attention_layernorm.weight`),
      linears,
    });
  }
  const embedding = get(`${architecture.embedding}.weight`);
  const head = dimensions.tiedEmbeddings ? embedding : get(`${architecture.head}.weight`);
  return {
    embedding,
    layers,
    finalNorm: get('model.norm.weight'),
    head,
    headLinear: { name: architecture.head, weight: head },
    embeddingName: architecture.embedding,
    byName,
  };
}
