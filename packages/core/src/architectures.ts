/**
 * The architectures lorakit knows, as data: for each Hugging Face model_type, the module paths PEFT and
 * transformers use, their in/out features, PEFT's default target_modules, and the non-linear tensors (norms,
 * learned positions) that a full parameter count needs. Shapes follow transformers' modeling_*.py:
 * q: hidden→heads·head_dim, k/v: hidden→kv_heads·head_dim, o: heads·head_dim→hidden.
 */
import { ArchitectureError, ConfigError } from './errors.js';
import type { ModelConfig, ModelConfigKey } from './model-config.js';
import type { ModelModule } from './model-module.js';

/** A config reduced to the numbers a layout needs, defaults applied. */
export interface ModelDimensions {
  readonly hidden: number;
  readonly intermediate: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  readonly tiedEmbeddings: boolean;
  /** Mixture-of-experts: experts per layer (0 for dense models). */
  readonly experts: number;
  /** Learned position embeddings (GPT-2's wpe), 0 when positions are rotary. */
  readonly positions: number;
}

/** One adaptable linear inside a decoder layer, named relative to the layer (e.g. "self_attn.q_proj"). */
export interface LayerModuleSpec {
  readonly name: string;
  readonly in: number;
  readonly out: number;
  readonly bias: boolean;
}

/** A parameter tensor outside the adaptable modules (a norm weight or bias, position embeddings). */
export interface ParameterTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ArchitectureSpec {
  /** How people name the family, for messages and reports. */
  readonly displayName: string;
  /** The config.json model_type values this entry reads. */
  readonly modelTypes: readonly string[];
  /** PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING entry; null where PEFT has none (must be set). */
  readonly defaultTargetModules: readonly string[] | null;
  /** Keys config.json must have; parseModelConfig rejects a config without them. */
  readonly requiredKeys: readonly ModelConfigKey[];
  /** Module paths of the input embedding, the layer stack and the output head. */
  readonly embedding: string;
  readonly layerPrefix: string;
  readonly head: string;
  /** True when the layers' weights are stored [in, out] (GPT-2's Conv1D), which PEFT needs fan_in_fan_out for. */
  readonly fanInFanOut: boolean;
  /** Reads the numbers of the layout, applying this architecture's defaults. */
  readonly dimensions: (config: ModelConfig) => ModelDimensions;
  /** The adaptable linears of one decoder layer, in transformers' registration order. */
  readonly layerModules: (dimensions: ModelDimensions, config: ModelConfig) => readonly LayerModuleSpec[];
  /** Per-layer non-linear tensors, named relative to the layer. */
  readonly layerTensors: (dimensions: ModelDimensions) => readonly ParameterTensor[];
  /** Non-linear tensors outside the layer stack (final norm, position embeddings), full names. */
  readonly globalTensors: (dimensions: ModelDimensions) => readonly ParameterTensor[];
}

function need(config: ModelConfig, key: ModelConfigKey): number {
  const value = config[key];
  if (typeof value !== 'number') {
    throw new ConfigError(
      'CONFIG_INVALID',
      `config.json: model_type "${config.model_type}" needs "${key}", which is missing`,
      {
        fix: `add "${key}" from the model's published config.json`,
      },
    );
  }
  return value;
}

// head_dim falls back to hidden/heads, as transformers does; kv heads default to the query heads (no GQA).
function decoderDimensions(
  config: ModelConfig,
  tiedByDefault: boolean,
  defaultHeadDim?: number,
): ModelDimensions {
  const hidden = need(config, 'hidden_size');
  const heads = need(config, 'num_attention_heads');
  const kvHeads = config.num_key_value_heads ?? heads;
  if (config.head_dim === undefined && defaultHeadDim === undefined && hidden % heads !== 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `config.json: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`,
      {
        fix: 'set "head_dim" explicitly',
      },
    );
  }
  if (heads % kvHeads !== 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `config.json: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`,
      {
        fix: 'correct "num_key_value_heads"',
      },
    );
  }
  return {
    hidden,
    intermediate: need(config, 'intermediate_size'),
    layers: need(config, 'num_hidden_layers'),
    heads,
    kvHeads,
    headDim: config.head_dim ?? defaultHeadDim ?? hidden / heads,
    vocab: need(config, 'vocab_size'),
    tiedEmbeddings: config.tie_word_embeddings ?? tiedByDefault,
    experts: config.num_local_experts ?? 0,
    positions: 0,
  };
}

function attention(d: ModelDimensions, qkvBias: boolean, outputBias: boolean): LayerModuleSpec[] {
  return [
    { name: 'self_attn.q_proj', in: d.hidden, out: d.heads * d.headDim, bias: qkvBias },
    { name: 'self_attn.k_proj', in: d.hidden, out: d.kvHeads * d.headDim, bias: qkvBias },
    { name: 'self_attn.v_proj', in: d.hidden, out: d.kvHeads * d.headDim, bias: qkvBias },
    { name: 'self_attn.o_proj', in: d.heads * d.headDim, out: d.hidden, bias: outputBias },
  ];
}

function gatedMlp(d: ModelDimensions, bias: boolean): LayerModuleSpec[] {
  return [
    { name: 'mlp.gate_proj', in: d.hidden, out: d.intermediate, bias },
    { name: 'mlp.up_proj', in: d.hidden, out: d.intermediate, bias },
    { name: 'mlp.down_proj', in: d.intermediate, out: d.hidden, bias },
  ];
}

function norms(names: readonly string[], size: number): ParameterTensor[] {
  return names.map((name) => ({ name, shape: [size] }));
}

const DECODER_LAYER_NORMS = ['input_layernorm.weight', 'post_attention_layernorm.weight'];
const LLAMA_REQUIRED: readonly ModelConfigKey[] = [
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'vocab_size',
];

// Shared by the Llama-like families: embed_tokens, model.layers.{i}, RMSNorm (weight only), model.norm, lm_head.
const DECODER_PATHS = {
  embedding: 'model.embed_tokens',
  layerPrefix: 'model.layers',
  head: 'lm_head',
  fanInFanOut: false,
} as const;
const decoderGlobalTensors = (d: ModelDimensions): ParameterTensor[] =>
  norms(['model.norm.weight'], d.hidden);
const decoderLayerTensors = (d: ModelDimensions): ParameterTensor[] => norms(DECODER_LAYER_NORMS, d.hidden);

/**
 * The registry. To add an architecture: add an entry keyed by its lorakit name with the model_type(s) its
 * config.json uses, PEFT's default target_modules (peft/utils/constants.py), the keys it needs, and its layout
 * as in transformers' modeling_<type>.py; then add a parameter-count test against the published total.
 */
export const ARCHITECTURES = {
  llama: {
    displayName: 'Llama',
    modelTypes: ['llama'],
    defaultTargetModules: ['q_proj', 'v_proj'],
    requiredKeys: LLAMA_REQUIRED,
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, false),
    layerModules: (d, config) => [
      ...attention(d, config.attention_bias ?? false, config.attention_bias ?? false),
      ...gatedMlp(d, config.mlp_bias ?? false),
    ],
    layerTensors: decoderLayerTensors,
    globalTensors: decoderGlobalTensors,
  },
  mistral: {
    displayName: 'Mistral',
    modelTypes: ['mistral'],
    defaultTargetModules: ['q_proj', 'v_proj'],
    requiredKeys: LLAMA_REQUIRED,
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, false),
    // transformers' Mistral has no bias anywhere, whatever config.json says.
    layerModules: (d) => [...attention(d, false, false), ...gatedMlp(d, false)],
    layerTensors: decoderLayerTensors,
    globalTensors: decoderGlobalTensors,
  },
  mixtral: {
    displayName: 'Mixtral',
    modelTypes: ['mixtral'],
    defaultTargetModules: ['q_proj', 'v_proj'],
    requiredKeys: [...LLAMA_REQUIRED, 'num_local_experts'],
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, false),
    // Checkpoint / transformers 4 names: a router `gate` then per expert w1 (gate), w2 (down), w3 (up).
    layerModules: (d) => [
      ...attention(d, false, false),
      { name: 'block_sparse_moe.gate', in: d.hidden, out: d.experts, bias: false },
      ...Array.from({ length: d.experts }, (_, expert) => [
        { name: `block_sparse_moe.experts.${expert}.w1`, in: d.hidden, out: d.intermediate, bias: false },
        { name: `block_sparse_moe.experts.${expert}.w2`, in: d.intermediate, out: d.hidden, bias: false },
        { name: `block_sparse_moe.experts.${expert}.w3`, in: d.hidden, out: d.intermediate, bias: false },
      ]).flat(),
    ],
    layerTensors: decoderLayerTensors,
    globalTensors: decoderGlobalTensors,
  },
  qwen2: {
    displayName: 'Qwen2',
    modelTypes: ['qwen2'],
    defaultTargetModules: ['q_proj', 'v_proj'],
    requiredKeys: LLAMA_REQUIRED,
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, false),
    // Qwen2 hard-codes a bias on q/k/v and none on o_proj or the MLP.
    layerModules: (d) => [...attention(d, true, false), ...gatedMlp(d, false)],
    layerTensors: decoderLayerTensors,
    globalTensors: decoderGlobalTensors,
  },
  gemma2: {
    displayName: 'Gemma 2',
    modelTypes: ['gemma2'],
    defaultTargetModules: ['q_proj', 'v_proj'],
    requiredKeys: LLAMA_REQUIRED,
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, true, 256),
    layerModules: (d, config) => [
      ...attention(d, config.attention_bias ?? false, config.attention_bias ?? false),
      ...gatedMlp(d, false),
    ],
    // Gemma 2 normalizes before and after both attention and MLP: four norms per layer.
    layerTensors: (d) =>
      norms(
        [...DECODER_LAYER_NORMS, 'pre_feedforward_layernorm.weight', 'post_feedforward_layernorm.weight'],
        d.hidden,
      ),
    globalTensors: decoderGlobalTensors,
  },
  phi3: {
    displayName: 'Phi-3',
    modelTypes: ['phi3'],
    // PEFT's mapping has no phi3 entry: with target_modules null, PEFT refuses to guess.
    defaultTargetModules: null,
    requiredKeys: LLAMA_REQUIRED,
    ...DECODER_PATHS,
    dimensions: (config) => decoderDimensions(config, false),
    layerModules: (d) => [
      { name: 'self_attn.o_proj', in: d.heads * d.headDim, out: d.hidden, bias: false },
      { name: 'self_attn.qkv_proj', in: d.hidden, out: (d.heads + 2 * d.kvHeads) * d.headDim, bias: false },
      { name: 'mlp.gate_up_proj', in: d.hidden, out: 2 * d.intermediate, bias: false },
      { name: 'mlp.down_proj', in: d.intermediate, out: d.hidden, bias: false },
    ],
    layerTensors: decoderLayerTensors,
    globalTensors: decoderGlobalTensors,
  },
  gpt2: {
    displayName: 'GPT-2',
    modelTypes: ['gpt2'],
    defaultTargetModules: ['c_attn'],
    requiredKeys: ['n_embd', 'n_layer', 'n_head', 'n_positions', 'vocab_size'],
    embedding: 'transformer.wte',
    layerPrefix: 'transformer.h',
    head: 'lm_head',
    fanInFanOut: true,
    dimensions: (config) => {
      const hidden = need(config, 'n_embd');
      const heads = need(config, 'n_head');
      return {
        hidden,
        intermediate: config.n_inner ?? 4 * hidden,
        layers: need(config, 'n_layer'),
        heads,
        kvHeads: heads,
        headDim: hidden / heads,
        vocab: need(config, 'vocab_size'),
        tiedEmbeddings: config.tie_word_embeddings ?? true,
        experts: 0,
        positions: need(config, 'n_positions'),
      };
    },
    // Conv1D layers, all with a bias; the fused c_attn produces q, k and v.
    layerModules: (d) => [
      { name: 'attn.c_attn', in: d.hidden, out: 3 * d.hidden, bias: true },
      { name: 'attn.c_proj', in: d.hidden, out: d.hidden, bias: true },
      { name: 'mlp.c_fc', in: d.hidden, out: d.intermediate, bias: true },
      { name: 'mlp.c_proj', in: d.intermediate, out: d.hidden, bias: true },
    ],
    layerTensors: (d) => norms(['ln_1.weight', 'ln_1.bias', 'ln_2.weight', 'ln_2.bias'], d.hidden),
    globalTensors: (d) => [
      { name: 'transformer.wpe.weight', shape: [d.positions, d.hidden] },
      ...norms(['transformer.ln_f.weight', 'transformer.ln_f.bias'], d.hidden),
    ],
  },
} satisfies Record<string, ArchitectureSpec>;

export type ArchitectureName = keyof typeof ARCHITECTURES;

/** An architecture entry together with its registry name. */
export type ResolvedArchitecture = ArchitectureSpec & { readonly name: ArchitectureName };

export interface ResolveArchitectureOptions {
  /** Where the config came from, named in error messages (default "config.json"). */
  source?: string;
}

/** The registry entry for config.model_type; ARCHITECTURE_UNSUPPORTED, listing what is supported, otherwise. */
export function resolveArchitecture(
  config: ModelConfig,
  options: ResolveArchitectureOptions = {},
): ResolvedArchitecture {
  for (const [name, spec] of Object.entries(ARCHITECTURES) as [ArchitectureName, ArchitectureSpec][]) {
    if (spec.modelTypes.includes(config.model_type)) return { ...spec, name };
  }
  const supported = Object.values(ARCHITECTURES)
    .flatMap((spec): readonly string[] => spec.modelTypes)
    .sort()
    .join(', ');
  throw new ArchitectureError(
    'ARCHITECTURE_UNSUPPORTED',
    `${options.source ?? 'config.json'}: model_type "${config.model_type}" is not supported; supported: ${supported}`,
  );
}

/** The model's adaptable modules: embedding, then each layer's modules in order, then lm_head. */
export function listModelModules(config: ModelConfig): ModelModule[] {
  const spec = resolveArchitecture(config);
  const d = spec.dimensions(config);
  const modules: ModelModule[] = [
    {
      name: spec.embedding,
      kind: 'embedding',
      in: d.vocab,
      out: d.hidden,
      layer: undefined,
      fanInFanOut: false,
      bias: false,
      outputHead: false,
    },
  ];
  const layerModules = spec.layerModules(d, config);
  for (let layer = 0; layer < d.layers; layer++) {
    for (const module of layerModules) {
      modules.push({
        name: `${spec.layerPrefix}.${layer}.${module.name}`,
        kind: 'linear',
        in: module.in,
        out: module.out,
        layer,
        fanInFanOut: spec.fanInFanOut,
        bias: module.bias,
        outputHead: false,
      });
    }
  }
  modules.push({
    name: spec.head,
    kind: 'linear',
    in: d.hidden,
    out: d.vocab,
    layer: undefined,
    fanInFanOut: false,
    bias: false,
    outputHead: true,
  });
  return modules;
}
