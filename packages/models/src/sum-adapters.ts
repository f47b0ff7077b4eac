/**
 * Several adapters as one whose delta is the sum of theirs (PEFT's behaviour when several adapters are active):
 *   Σ_i s_i·B_i·A_i = [B_1 … B_n]·[s_1·A_1; …; s_n·A_n], so ranks concatenate and the scale becomes 1.
 * The result's config is the first adapter's with r = the largest summed rank (informational only).
 */
import { fromFloat32, LorakitError, toFloat32 } from '@lorakit/core';
import type { Adapter, AdapterModule } from '@lorakit/core';

export function sumAdapters(adapters: readonly Adapter[]): Adapter {
  const first = adapters[0];
  if (!first) throw new LorakitError('INVALID_ARGUMENT', 'sumAdapters needs at least one adapter');
  if (adapters.length === 1) return first;
  const byName = new Map<string, AdapterModule[]>();
  for (const adapter of adapters) {
    if (adapter.otherTensors.size > 0) {
      throw new LorakitError('ADAPTER_INVALID', 'adapters with modules_to_save tensors cannot be summed');
    }
    for (const module of adapter.modules) {
      if (module.kind !== 'linear' || module.loraBias || module.magnitude) {
        throw new LorakitError(
          'ADAPTER_INVALID',
          `module "${module.name}": only plain linear LoRA can be summed`,
        );
      }
      byName.set(module.name, [...(byName.get(module.name) ?? []), module]);
    }
  }
  const modules = [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, parts]): AdapterModule => {
      const head = parts[0]!;
      const r = parts.reduce((total, part) => total + part.r, 0);
      const a = new Float32Array(r * head.in);
      const b = new Float32Array(head.out * r);
      let offset = 0;
      for (const part of parts) {
        const partA = toFloat32(part.loraA);
        const partB = toFloat32(part.loraB);
        for (let i = 0; i < partA.length; i++) a[offset * head.in + i] = partA[i]! * part.scale;
        for (let row = 0; row < head.out; row++) {
          for (let j = 0; j < part.r; j++) b[row * r + offset + j] = partB[row * part.r + j]!;
        }
        offset += part.r;
      }
      return {
        ...head,
        name,
        r,
        alpha: r,
        scale: 1,
        dtype: 'F32',
        loraA: fromFloat32(a, [r, head.in], 'F32'),
        loraB: fromFloat32(b, [head.out, r], 'F32'),
      };
    });
  const largest = Math.max(...modules.map((module) => module.r));
  return {
    config: { ...first.config, r: largest, lora_alpha: largest, rank_pattern: {}, alpha_pattern: {} },
    modules,
    otherTensors: new Map(),
  };
}
