/**
 * A fresh LoRA adapter for a model, initialised like PEFT (init_lora_weights=True): A ~ kaiming_uniform(a=√5),
 * which for fan_in = in is U(−1/√in, 1/√in); B = 0, so the adapted model starts equal to the base.
 * "gaussian": A ~ N(0, 1/r). false: B is also kaiming-uniform (fan_in = r), so the adapter changes the model.
 * Modules come from core's resolveTargets (rank/alpha patterns, rsLoRA); values from a seeded generator.
 */
import {
  fromFloat32,
  LorakitError,
  listModelModules,
  resolveArchitecture,
  resolveTargets,
} from '@lorakit/core';
import type { Adapter, AdapterModule, LoraConfig, ModelConfig, ResolvedModule } from '@lorakit/core';

/** mulberry32: small, fast, and the same stream on every platform. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(random: () => number, count: number, bound: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * bound;
  return values;
}

function normal(random: () => number, count: number, deviation: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    values[i] = radius * Math.cos(2 * Math.PI * random()) * deviation;
  }
  return values;
}

/** The per-module settings of an adapter module, without its tensors. */
function describe(module: ResolvedModule): Omit<AdapterModule, 'loraA' | 'loraB'> {
  return {
    name: module.name,
    kind: module.kind,
    r: module.r,
    alpha: module.alpha,
    scale: module.scale,
    in: module.in,
    out: module.out,
    dtype: 'F32',
    fanInFanOut: module.fanInFanOut,
  };
}

export interface CreateLoraAdapterOptions {
  /** Seed of the initial values (default 0). */
  seed?: number;
}

export function createLoraAdapter(
  model: { readonly config: ModelConfig },
  config: LoraConfig,
  options: CreateLoraAdapterOptions = {},
): Adapter {
  const architecture = resolveArchitecture(model.config);
  const resolved = resolveTargets(listModelModules(model.config), config, {
    ...(architecture.defaultTargetModules ? { defaultTargets: architecture.defaultTargetModules } : {}),
    source: 'LoRA config',
  });
  const init = config.init_lora_weights;
  if (init !== true && init !== false && init !== 'gaussian') {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `init_lora_weights ${JSON.stringify(init)} is not supported; supported: true, false, "gaussian"`,
    );
  }
  if (config.use_dora) {
    throw new LorakitError('INVALID_ARGUMENT', 'use_dora: lorakit cannot create or train DoRA adapters', {
      fix: 'set use_dora to false',
    });
  }
  const random = generator(options.seed ?? 0);
  const modules = resolved.map((module): AdapterModule => {
    if (module.kind === 'linear' && module.layer === undefined && module.name !== architecture.head) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `LoRA on "${module.name}" (outside the decoder layers) is not supported`,
        {
          fix: 'target the decoder projections, lm_head or embed_tokens',
        },
      );
    }
    const shapes = { a: [module.r, module.in], b: [module.out, module.r] };
    if (module.kind === 'embedding') {
      // PEFT: lora_embedding_A = 0, lora_embedding_B ~ N(0, 1); init false keeps torch.randn for both.
      const a =
        init === false ? normal(random, module.r * module.in, 1) : new Float32Array(module.r * module.in);
      return {
        ...describe(module),
        loraA: fromFloat32(a, shapes.a, 'F32'),
        loraB: fromFloat32(normal(random, module.out * module.r, 1), shapes.b, 'F32'),
      };
    }
    const a =
      init === 'gaussian'
        ? normal(random, module.r * module.in, 1 / module.r)
        : uniform(random, module.r * module.in, 1 / Math.sqrt(module.in));
    const b =
      init === false
        ? uniform(random, module.out * module.r, 1 / Math.sqrt(module.r))
        : new Float32Array(module.out * module.r);
    // lora_bias: zero like B (PEFT), or nn.Linear's default U(±1/√r) when nothing is initialised.
    const bias = config.lora_bias
      ? init === false
        ? uniform(random, module.out, 1 / Math.sqrt(module.r))
        : new Float32Array(module.out)
      : undefined;
    return {
      ...describe(module),
      loraA: fromFloat32(a, shapes.a, 'F32'),
      loraB: fromFloat32(b, shapes.b, 'F32'),
      ...(bias ? { loraBias: fromFloat32(bias, [module.out], 'F32') } : {}),
    };
  });
  modules.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { config, modules, otherTensors: new Map() };
}
