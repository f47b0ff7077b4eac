/**
 * An adapter attached to a loaded model: its LoRA A/B on the backend (f32) per module, with the module's scale.
 * The device tensors are the live values: training updates them in place, and `toAdapter` reads them back.
 */
import { fromFloat32, LorakitError, ShapeError, toFloat32, nearestNames } from '@lorakit/core';
import type { Adapter, AdapterModule, ModelModule } from '@lorakit/core';
import type { Backend, DeviceTensor } from '@lorakit/kernels-cuda';

export interface DeviceLoraModule {
  /** Module path, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string;
  /** [r, in] */
  readonly loraA: DeviceTensor;
  /** [out, r] */
  readonly loraB: DeviceTensor;
  readonly scale: number;
  readonly r: number;
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
      };
    });
    return { config: this.source.config, modules, otherTensors: this.source.otherTensors };
  }

  dispose(): void {
    for (const module of this.modules.values()) {
      module.loraA.dispose();
      module.loraB.dispose();
    }
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
    if (module.kind !== 'linear' || base.layer === undefined) {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: LoRA on "${module.name}" (outside the decoder layers) is not supported yet`,
        {
          fix: 'target the attention and MLP projections only',
        },
      );
    }
    if (module.loraBias || module.magnitude) {
      throw new LorakitError(
        'ADAPTER_INVALID',
        `${source}: module "${module.name}" uses ${module.magnitude ? 'DoRA' : 'lora_bias'}, which lorakit cannot run yet`,
        {
          fix: 'merge it into the base (lorakit merge) and load the merged model',
        },
      );
    }
  }
  const modules = new Map<string, DeviceLoraModule>();
  try {
    for (const module of adapter.modules) {
      modules.set(module.name, {
        name: module.name,
        loraA: backend.fromArray(toFloat32(module.loraA), [module.r, module.in], 'f32'),
        loraB: backend.fromArray(toFloat32(module.loraB), [module.out, module.r], 'f32'),
        scale: module.scale,
        r: module.r,
      });
    }
  } catch (error) {
    for (const module of modules.values()) {
      module.loraA.dispose();
      module.loraB.dispose();
    }
    throw error;
  }
  return new AttachedAdapter(backend, name, adapter, modules);
}
