/**
 * An adapter in memory: its LoraConfig and, per adapted module, the LoRA tensors as PEFT stores them
 * (A: [r, in], B: [out, r]; for embeddings A: [r, vocab], B: [width, r]), with r, alpha and scale resolved
 * per module (rank_pattern / alpha_pattern, rsLoRA). `adapterFromTensors` turns a PEFT state dict into one and
 * checks every shape against the config and, when given, the base model's modules.
 */
import type { FloatDType } from './dtype.js';
import { ShapeError, LorakitError } from './errors.js';
import type { LoraConfig } from './lora-config.js';
import type { ModelModule } from './model-module.js';
import { nearestNames } from './nearest-names.js';
import { findPatternValue } from './resolve-targets.js';
import { formatShape } from './tensor.js';
import type { Tensor } from './tensor.js';

/** The prefix PEFT puts before every module path in adapter_model.safetensors. */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/** Per-module suffixes of PEFT's state dict (adapter names are never part of the saved keys). */
const SUFFIXES = {
  '.lora_A.weight': 'loraA',
  '.lora_B.weight': 'loraB',
  '.lora_B.bias': 'loraBias',
  '.lora_magnitude_vector': 'magnitude',
  '.lora_embedding_A': 'embeddingA',
  '.lora_embedding_B': 'embeddingB',
} as const satisfies Record<string, string>;

type Part = (typeof SUFFIXES)[keyof typeof SUFFIXES];

export interface AdapterModule {
  /** Module path without "base_model.model.", e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string;
  readonly kind: 'linear' | 'embedding';
  readonly r: number;
  readonly alpha: number;
  /** alpha / r, or alpha / √r with rsLoRA. */
  readonly scale: number;
  /** Input features (vocabulary size for an embedding). */
  readonly in: number;
  /** Output features (embedding width for an embedding). */
  readonly out: number;
  readonly dtype: FloatDType;
  /** True when the base weight is stored [in, out] (GPT-2 Conv1D): the delta is transposed when merged. */
  readonly fanInFanOut: boolean;
  /** [r, in] */
  readonly loraA: Tensor;
  /** [out, r] */
  readonly loraB: Tensor;
  /** [out], present with `lora_bias`. */
  readonly loraBias?: Tensor;
  /** [out], DoRA's magnitude vector, present with `use_dora`. */
  readonly magnitude?: Tensor;
}

export interface Adapter {
  readonly config: LoraConfig;
  /** Sorted by name. */
  readonly modules: readonly AdapterModule[];
  /** Full tensors saved beside the LoRA ones (modules_to_save copies, saved embedding layers), keyed without the prefix. */
  readonly otherTensors: ReadonlyMap<string, Tensor>;
}

export interface AdapterFromTensorsOptions {
  /** Where the tensors came from, for error messages. */
  source?: string;
  /** The base model's modules: when given, every adapted module must exist there with the same in/out. */
  baseModules?: readonly ModelModule[];
}

/** Builds an Adapter from a PEFT state dict (keys with or without "base_model.model."), checking every shape. */
export function adapterFromTensors(
  config: LoraConfig,
  tensors: ReadonlyMap<string, Tensor>,
  options: AdapterFromTensorsOptions = {},
): Adapter {
  const source = options.source ?? 'adapter';
  const parts = new Map<string, Partial<Record<Part, Tensor>>>();
  const otherTensors = new Map<string, Tensor>();
  for (const [key, tensor] of tensors) {
    const name = key.startsWith(PEFT_KEY_PREFIX) ? key.slice(PEFT_KEY_PREFIX.length) : key;
    const suffix = (Object.keys(SUFFIXES) as (keyof typeof SUFFIXES)[]).find((candidate) =>
      name.endsWith(candidate),
    );
    if (!suffix) {
      if (/\.lora_(A|B|embedding_A|embedding_B|magnitude_vector)\./.test(name)) {
        throw new LorakitError(
          'ADAPTER_INVALID',
          `${source}: tensor "${key}" has an adapter name inside its key`,
          {
            fix: 'save with PEFT save_pretrained (which strips adapter names), or rename the keys to "...lora_A.weight"',
          },
        );
      }
      otherTensors.set(name, tensor);
      continue;
    }
    const moduleName = name.slice(0, -suffix.length);
    const entry = parts.get(moduleName) ?? {};
    entry[SUFFIXES[suffix]] = tensor;
    parts.set(moduleName, entry);
  }

  const baseByName = options.baseModules
    ? new Map(options.baseModules.map((module) => [module.name, module]))
    : undefined;
  const modules = [...parts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, entry]) => buildModule(config, name, entry, source, baseByName));
  return { config, modules, otherTensors };
}

function buildModule(
  config: LoraConfig,
  name: string,
  entry: Partial<Record<Part, Tensor>>,
  source: string,
  baseByName: Map<string, ModelModule> | undefined,
): AdapterModule {
  const kind = entry.embeddingA || entry.embeddingB ? 'embedding' : 'linear';
  const loraA = kind === 'embedding' ? entry.embeddingA : entry.loraA;
  const loraB = kind === 'embedding' ? entry.embeddingB : entry.loraB;
  const [aName, bName] =
    kind === 'embedding' ? ['lora_embedding_A', 'lora_embedding_B'] : ['lora_A.weight', 'lora_B.weight'];
  if (!loraA || !loraB) {
    throw new LorakitError(
      'ADAPTER_INVALID',
      `${source}: module "${name}" has ${loraA ? aName : bName} but no ${loraA ? bName : aName}`,
      {
        fix: 'the adapter file is incomplete; export it again',
      },
    );
  }
  for (const [label, tensor] of [
    [aName, loraA],
    [bName, loraB],
    ['lora_B.bias', entry.loraBias],
    ['lora_magnitude_vector', entry.magnitude],
  ] as const) {
    if (tensor && tensor.dtype !== 'F32' && tensor.dtype !== 'F16' && tensor.dtype !== 'BF16') {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: ${name}.${label} has dtype ${tensor.dtype}; LoRA tensors must be F32, F16 or BF16`,
      );
    }
  }
  if (loraA.shape.length !== 2 || loraB.shape.length !== 2 || loraA.shape[0] !== loraB.shape[1]) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${source}: module "${name}" has ${aName} ${formatShape(loraA.shape)} and ${bName} ${formatShape(loraB.shape)}; expected [r, in] and [out, r] with the same r`,
    );
  }
  const r = loraA.shape[0] ?? 0;
  const inFeatures = loraA.shape[1] ?? 0;
  const outFeatures = loraB.shape[0] ?? 0;
  const expectedRank = findPatternValue(config.rank_pattern, name) ?? config.r;
  if (r !== expectedRank) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${source}: module "${name}" has rank ${r} in its tensors but the config says r=${expectedRank}`,
      {
        fix: 'fix "r" or "rank_pattern" in adapter_config.json to match the tensors',
      },
    );
  }
  for (const [label, tensor] of [
    ['lora_B.bias', entry.loraBias],
    ['lora_magnitude_vector', entry.magnitude],
  ] as const) {
    if (tensor && (tensor.shape.length !== 1 || tensor.shape[0] !== outFeatures)) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: ${name}.${label} has shape ${formatShape(tensor.shape)}; expected [${outFeatures}]`,
      );
    }
  }
  if (config.use_dora && kind === 'linear' && !entry.magnitude) {
    throw new LorakitError(
      'ADAPTER_INVALID',
      `${source}: use_dora is true but module "${name}" has no lora_magnitude_vector`,
      {
        fix: 'set "use_dora": false in adapter_config.json or export the magnitude vectors',
      },
    );
  }
  if (entry.magnitude && !config.use_dora) {
    throw new LorakitError(
      'ADAPTER_INVALID',
      `${source}: module "${name}" has a DoRA magnitude vector but use_dora is false`,
      {
        fix: 'set "use_dora": true in adapter_config.json',
      },
    );
  }
  let fanInFanOut = kind === 'linear' && config.fan_in_fan_out;
  if (baseByName) {
    const base = baseByName.get(name);
    if (!base) {
      const leaf = name.slice(name.lastIndexOf('.') + 1);
      const nearest = nearestNames(
        name,
        [...baseByName.keys()].filter((candidate) => candidate.endsWith(leaf)).concat([...baseByName.keys()]),
      );
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: adapter module "${name}" does not exist in the base model; nearest: ${nearest.join(', ')}`,
        {
          fix: 'this adapter was made for another base model',
        },
      );
    }
    if (base.in !== inFeatures || base.out !== outFeatures || base.kind !== kind) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: module "${name}" is ${kind} ${inFeatures}→${outFeatures} in the adapter but ${base.kind} ${base.in}→${base.out} in the base model`,
        { fix: 'this adapter was made for another base model' },
      );
    }
    fanInFanOut = base.fanInFanOut;
  }
  const alpha = findPatternValue(config.alpha_pattern, name) ?? config.lora_alpha;
  const scale = config.use_rslora ? alpha / Math.sqrt(r) : alpha / r;
  return {
    name,
    kind,
    r,
    alpha,
    scale,
    in: inFeatures,
    out: outFeatures,
    dtype: loraA.dtype as FloatDType,
    fanInFanOut,
    loraA,
    loraB,
    ...(entry.loraBias ? { loraBias: entry.loraBias } : {}),
    ...(entry.magnitude ? { magnitude: entry.magnitude } : {}),
  };
}

/** The PEFT state dict of an adapter (keys with "base_model.model."), ready for safetensors. */
export function adapterToTensors(adapter: Adapter): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const module of adapter.modules) {
    const prefix = PEFT_KEY_PREFIX + module.name;
    const embedding = module.kind === 'embedding';
    tensors.set(`${prefix}${embedding ? '.lora_embedding_A' : '.lora_A.weight'}`, module.loraA);
    tensors.set(`${prefix}${embedding ? '.lora_embedding_B' : '.lora_B.weight'}`, module.loraB);
    if (module.loraBias) tensors.set(`${prefix}.lora_B.bias`, module.loraBias);
    if (module.magnitude) tensors.set(`${prefix}.lora_magnitude_vector`, module.magnitude);
  }
  for (const [name, tensor] of adapter.otherTensors) tensors.set(PEFT_KEY_PREFIX + name, tensor);
  return tensors;
}
