/**
 * Merges an adapter into a base model's weights, as PEFT's merge_and_unload does, in fp32:
 *   linear:    W ← W + scale·B·A            (transposed for fan_in_fan_out: Conv1D stores W as [in, out])
 *   embedding: E ← E + scale·(B·A)ᵀ         (E is [vocab, width], A [r, vocab], B [width, r])
 *   DoRA:      W ← m/‖W+ΔW‖_row · (W+ΔW)
 *   lora_bias: b ← b + scale·lora_B.bias
 * Full tensors the adapter saved (modules_to_save copies, saved embedding layers) replace the base tensors.
 * Every merge is "safe": a NaN/Inf result throws and nothing is returned.
 */
import type { Adapter, AdapterModule } from './adapter.js';
import type { FloatDType } from './dtype.js';
import { LorakitError, ShapeError } from './errors.js';
import type { LoraFactors } from './lora-delta.js';
import { mergeDora } from './merge-dora.js';
import { safeMergeLora } from './merge-lora.js';
import { formatShape, fromFloat32, sameShape, toFloat32 } from './tensor.js';
import type { Tensor } from './tensor.js';

export interface MergeAdapterOptions {
  /** Store every floating tensor in this dtype; by default each keeps the base's dtype. */
  dtype?: FloatDType;
  /** Where the base weights came from, for error messages. */
  source?: string;
}

export interface MergeAdapterResult {
  /** All tensors of the merged model, in the base's order. */
  tensors: Map<string, Tensor>;
  mergedModules: number;
  /** max |W_merged − W_base| over every merged element (fp32). */
  maxAbsDelta: number;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/** Returns the merged model's tensors; the inputs are not modified. */
export function mergeAdapter(
  base: ReadonlyMap<string, Tensor>,
  adapter: Adapter,
  options: MergeAdapterOptions = {},
): MergeAdapterResult {
  const source = options.source ?? 'base model';
  const replaced = new Map<string, Tensor>();
  let maxAbsDelta = 0;

  // Saved full copies first: PEFT loads them into the base layer, and merge_and_unload then adds the LoRA delta.
  for (const [name, tensor] of adapter.otherTensors) {
    // PEFT saves embedding layers as "<module>.base_layer.weight"; in the plain model that is "<module>.weight".
    const key = findBaseKey(
      base,
      name.replace('.base_layer.', '.'),
      source,
      'the adapter saved a full copy of a module the base does not have',
    );
    const baseTensor = base.get(key) as Tensor;
    if (!sameShape(baseTensor.shape, tensor.shape)) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: ${key} has shape ${formatShape(baseTensor.shape)} but the adapter's saved copy has ${formatShape(tensor.shape)}`,
      );
    }
    replaced.set(key, tensor);
  }

  for (const module of adapter.modules) {
    const weightKey = findBaseKey(base, `${module.name}.weight`, source);
    const weightTensor = replaced.get(weightKey) ?? (base.get(weightKey) as Tensor);
    const fanInFanOut = module.kind === 'embedding' || module.fanInFanOut;
    const expected = fanInFanOut ? [module.in, module.out] : [module.out, module.in];
    if (!sameShape(weightTensor.shape, expected)) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${source}: ${weightKey} has shape ${formatShape(weightTensor.shape)} but the adapter's module "${module.name}" needs ${formatShape(expected)}`,
        { fix: 'this adapter was made for another base model' },
      );
    }
    const weight = toFloat32(weightTensor);
    const original = weight.slice();
    const factors = loraFactors(module, fanInFanOut);
    let bias: Float32Array | undefined;
    let biasKey: string | undefined;
    if (module.loraBias) {
      biasKey = findBaseKey(base, `${module.name}.bias`, source, 'lora_bias needs a base layer with a bias');
      bias = toFloat32(replaced.get(biasKey) ?? (base.get(biasKey) as Tensor));
    }
    if (module.magnitude) mergeDora(weight, { ...factors, magnitude: toFloat32(module.magnitude) });
    else safeMergeLora(weight, factors, bias);
    for (let i = 0; i < weight.length; i++) {
      const delta = Math.abs((weight[i] as number) - (original[i] as number));
      if (delta > maxAbsDelta) maxAbsDelta = delta;
    }
    replaced.set(
      weightKey,
      fromFloat32(weight, weightTensor.shape, outputDtype(base.get(weightKey) as Tensor, options.dtype)),
    );
    if (bias && biasKey) {
      const baseBias = base.get(biasKey) as Tensor;
      replaced.set(biasKey, fromFloat32(bias, baseBias.shape, outputDtype(baseBias, options.dtype)));
    }
  }

  const tensors = new Map<string, Tensor>();
  for (const [name, tensor] of base) {
    const merged = replaced.get(name);
    if (merged) tensors.set(name, convert(merged, outputDtype(tensor, options.dtype)));
    else tensors.set(name, options.dtype ? convert(tensor, options.dtype) : tensor);
  }
  return { tensors, mergedModules: adapter.modules.length, maxAbsDelta };
}

function loraFactors(module: AdapterModule, fanInFanOut: boolean): LoraFactors {
  return {
    A: toFloat32(module.loraA),
    B: toFloat32(module.loraB),
    r: module.r,
    in: module.in,
    out: module.out,
    scale: module.scale,
    fanInFanOut,
    name: module.name,
    ...(module.loraBias ? { bias: toFloat32(module.loraBias) } : {}),
  };
}

/**
 * The base key for a module tensor: the exact name, or the name without its first component (GPT-2's original
 * checkpoints say "h.0.attn.c_attn.weight" where PEFT's module path is "transformer.h.0.attn.c_attn").
 */
function findBaseKey(base: ReadonlyMap<string, Tensor>, key: string, source: string, fix?: string): string {
  if (base.has(key)) return key;
  const shorter = key.slice(key.indexOf('.') + 1);
  if (base.has(shorter)) return shorter;
  throw new LorakitError(
    'ADAPTER_INVALID',
    `${source}: has no tensor "${key}" for the adapter to merge into`,
    {
      fix: fix ?? 'this adapter was made for another base model',
    },
  );
}

function outputDtype(tensor: Tensor, requested: FloatDType | undefined): FloatDType {
  if (requested) return requested;
  return tensor.dtype === 'F16' || tensor.dtype === 'BF16' ? tensor.dtype : 'F32';
}

function convert(tensor: Tensor, dtype: FloatDType): Tensor {
  if (!FLOAT_DTYPES.has(tensor.dtype) || tensor.dtype === dtype) return tensor;
  return fromFloat32(toFloat32(tensor), tensor.shape, dtype);
}
