/**
 * An adapter attached to a loaded model: its LoRA A/B on the backend (f32) per module, with the module's scale.
 * The device tensors are the live values: training updates them in place, and `toAdapter` reads them back.
 */
import { fromFloat32, LorakitError, ShapeError, toFloat32, nearestNames } from '@lorakit/core';
import type { Adapter, AdapterModule, ModelModule, Tensor } from '@lorakit/core';
import type { Backend, DeviceTensor } from '@lorakit/kernels-cuda';

export interface DeviceLoraModule {
  /** Module path, e.g. "model.layers.0.self_attn.q_proj", "lm_head" or "model.embed_tokens". */
  readonly name: string;
  /** 'embedding': PEFT's lora_embedding_A/B (A [r, vocab], B [hidden, r]). */
  readonly kind: 'linear' | 'embedding';
  /** [r, in] */
  readonly loraA: DeviceTensor;
  /** [out, r] */
  readonly loraB: DeviceTensor;
  /** [out]: lora_B's bias (lora_bias=True), added as scale·bias. */
  readonly loraBias?: DeviceTensor;
  readonly scale: number;
  readonly r: number;
}

function disposeModule(module: DeviceLoraModule): void {
  module.loraA.dispose();
  module.loraB.dispose();
  module.loraBias?.dispose();
}

export class AttachedAdapter implements Disposable {
  readonly name: string;
  readonly source: Adapter;
  readonly modules: ReadonlyMap<string, DeviceLoraModule>;
  readonly #backend: Backend;

  constructor(
    backend: Backend,
    name: string,
    source: Adapter,
    modules: ReadonlyMap<string, DeviceLoraModule>,
  ) {
    this.#backend = backend;
    this.name = name;
    this.source = source;
    this.modules = modules;
  }

  /** The current values as a core Adapter (F32 host tensors), config and per-module settings kept. */
  toAdapter(): Adapter {
    const modules: AdapterModule[] = this.source.modules.map((module) => {
      const device = this.modules.get(module.name);
      if (!device) return module;
      return {
        ...module,
        dtype: 'F32',
        loraA: fromFloat32(this.#backend.toArray(device.loraA), device.loraA.shape, 'F32'),
        loraB: fromFloat32(this.#backend.toArray(device.loraB), device.loraB.shape, 'F32'),
        ...(device.loraBias
          ? { loraBias: fromFloat32(this.#backend.toArray(device.loraBias), device.loraBias.shape, 'F32') }
          : {}),
      };
    });
    return { config: this.source.config, modules, otherTensors: this.source.otherTensors };
  }

  dispose(): void {
    for (const module of this.modules.values()) disposeModule(module);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Checks `adapter` against the base modules and uploads it; unsupported parts are typed one-line errors. */
export function attachToBackend(
  backend: Backend,
  name: string,
  adapter: Adapter,
  baseModules: readonly ModelModule[],
): AttachedAdapter {
  const source = `adapter "${name}"`;
  const byName = new Map(baseModules.map((module) => [module.name, module]));
  if (adapter.otherTensors.size > 0) {
    const first = [...adapter.otherTensors.keys()][0] ?? '';
    throw new LorakitError(
      'ADAPTER_INVALID',
      `${source}: holds full tensors (${first}, modules_to_save) that lorakit cannot apply yet`,
      {
        fix: 'train the adapter without modules_to_save',
      },
    );
  }
  for (const module of adapter.modules) {
    const base = byName.get(module.name);
    if (!base) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: module "${module.name}" does not exist in the base model; nearest: ${nearestNames(module.name, [...byName.keys()]).join(', ')}`,
        { fix: 'this adapter was made for another base model' },
      );
    }
    if (base.in !== module.in || base.out !== module.out || base.kind !== module.kind) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: module "${module.name}" is ${module.kind} ${module.in}→${module.out} in the adapter but ${base.kind} ${base.in}→${base.out} in the base model`,
        { fix: 'this adapter was made for another base model' },
      );
    }
    // Linear layers of the decoder, the output head, and the input embedding; nothing else exists here.
    const supported = module.kind === 'embedding' || base.layer !== undefined || base.outputHead;
    if (!supported) {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: LoRA on "${module.name}" (outside the decoder layers) is not supported`,
        {
          fix: 'target the decoder projections, lm_head or embed_tokens',
        },
      );
    }
    if (module.magnitude) {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: module "${module.name}" uses DoRA (use_dora), which lorakit cannot run unmerged`,
        {
          fix: 'merge it into the base first (lorakit merge) and load the merged model',
        },
      );
    }
    if (module.loraBias && module.kind === 'embedding') {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: module "${module.name}" has a lora_bias on an embedding, which PEFT does not define`,
        { fix: 'save the adapter again without lora_bias on embed_tokens' },
      );
    }
  }
  const modules = new Map<string, DeviceLoraModule>();
  const uploaded: DeviceTensor[] = [];
  const upload = (tensor: Tensor, shape: readonly number[]): DeviceTensor => {
    const device = backend.fromArray(toFloat32(tensor), shape, 'f32');
    uploaded.push(device);
    return device;
  };
  try {
    for (const module of adapter.modules) {
      modules.set(module.name, {
        name: module.name,
        kind: module.kind,
        loraA: upload(module.loraA, [module.r, module.in]),
        loraB: upload(module.loraB, [module.out, module.r]),
        ...(module.loraBias ? { loraBias: upload(module.loraBias, [module.out]) } : {}),
        scale: module.scale,
        r: module.r,
      });
    }
  } catch (error) {
    for (const tensor of uploaded) tensor.dispose();
    throw error;
  }
  return new AttachedAdapter(backend, name, adapter, modules);
}
