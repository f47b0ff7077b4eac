/**
 * Multi-adapter LoRA in one batch: y[t] = x[t]·Wᵀ + b + s_a·(x[t]·A_aᵀ)·B_aᵀ with a the row's adapter (−1: the
 * base layer only), each adapter at its own rank. The segmented form expands its segments into per-row adapter
 * indices, so both forms share one loop. Intermediates are fp64 here (the backends' fp32 stays within tolerance).
 */
import type { DeviceTensor } from '../device-tensor.js';
import type { AdapterSlot, LoraMultiForwardArgs, LoraSegmentedForwardArgs } from '../ops.js';
import { validateLoraMultiForward, validateLoraSegmentedForward } from '../validate/lora-multi.js';
import { hostData } from './host-data.js';

interface MultiInputs {
  x: DeviceTensor;
  weight: DeviceTensor;
  bias?: DeviceTensor | undefined;
  adapters: readonly AdapterSlot[];
  out: DeviceTensor;
}

function computeRows(
  args: MultiInputs,
  rowAdapter: Int32Array,
  T: number,
  inFeatures: number,
  outFeatures: number,
  ranks: readonly number[],
): void {
  const x = hostData(args.x);
  const weight = hostData(args.weight);
  const bias = args.bias ? hostData(args.bias) : undefined;
  const out = hostData(args.out);
  const adapters = args.adapters.map((slot) => ({
    loraA: hostData(slot.loraA),
    loraB: hostData(slot.loraB),
    scale: slot.scale,
  }));
  for (let t = 0; t < T; t++) {
    const adapterIndex = rowAdapter[t] as number;
    const adapter = adapterIndex >= 0 ? adapters[adapterIndex] : undefined;
    const r = adapterIndex >= 0 ? (ranks[adapterIndex] as number) : 0;
    const shrink = new Float64Array(r);
    if (adapter) {
      for (let k = 0; k < r; k++) {
        let sum = 0;
        for (let i = 0; i < inFeatures; i++)
          sum += (x[t * inFeatures + i] as number) * (adapter.loraA[k * inFeatures + i] as number);
        shrink[k] = sum;
      }
    }
    for (let o = 0; o < outFeatures; o++) {
      let sum = bias ? (bias[o] as number) : 0;
      for (let i = 0; i < inFeatures; i++)
        sum += (x[t * inFeatures + i] as number) * (weight[o * inFeatures + i] as number);
      if (adapter) {
        let delta = 0;
        for (let k = 0; k < r; k++) delta += (shrink[k] as number) * (adapter.loraB[o * r + k] as number);
        sum += adapter.scale * delta;
      }
      out[t * outFeatures + o] = sum;
    }
  }
}

export function referenceLoraMultiForward(args: LoraMultiForwardArgs): void {
  const { T, inFeatures, outFeatures, ranks } = validateLoraMultiForward(
    'loraMultiForward',
    'reference',
    args,
  );
  computeRows(args, args.rowAdapter, T, inFeatures, outFeatures, ranks);
}

export function referenceLoraSegmentedForward(args: LoraSegmentedForwardArgs): void {
  const { T, inFeatures, outFeatures, ranks, segments } = validateLoraSegmentedForward(
    'loraSegmentedForward',
    'reference',
    args,
  );
  const rowAdapter = new Int32Array(T).fill(-1);
  for (const segment of segments)
    rowAdapter.fill(segment.adapter, segment.start, segment.start + segment.length);
  computeRows(args, rowAdapter, T, inFeatures, outFeatures, ranks);
}
