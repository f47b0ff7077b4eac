/**
 * Merging a LoRA module into its base weight and taking it out again, in place (see lora-delta.ts for ΔW).
 *
 *   merge:   W ← W + ΔW,  bias ← bias + scale·lora_bias
 *   unmerge: W ← W − ΔW,  bias ← bias − scale·lora_bias
 *
 * The bias rule is PEFT's `lora_bias=True`: the base layer's bias gains lora_B's bias times the LoRA scale (PEFT
 * refuses when the base layer has no bias; so do we). ΔW is summed in fp64 and added before rounding to fp32.
 */
import { MathError } from './errors.js';
import { checkLength, checkLoraFactors, describeModule, forEachDeltaRow } from './lora-delta.js';
import type { LoraFactors } from './lora-delta.js';

/** W ← W + ΔW in place (W in the layout given by `fanInFanOut`); `baseBias` gains scale·lora.bias if present. */
export function mergeLora(weight: Float32Array, lora: LoraFactors, baseBias?: Float32Array): void {
  applyLora(weight, lora, baseBias, 1);
}

/** W ← W − ΔW in place: the inverse of mergeLora, up to fp32 rounding. */
export function unmergeLora(weight: Float32Array, lora: LoraFactors, baseBias?: Float32Array): void {
  applyLora(weight, lora, baseBias, -1);
}

/**
 * mergeLora that first computes the merged weight (and bias) in a copy and writes back only when every value is
 * finite; otherwise it throws MathError NON_FINITE naming the module and leaves W and the bias untouched.
 */
export function safeMergeLora(weight: Float32Array, lora: LoraFactors, baseBias?: Float32Array): void {
  checkInputs(weight, lora, baseBias);
  const merged = weight.slice();
  const mergedBias = baseBias?.slice();
  addDelta(merged, lora, mergedBias, 1);
  const where = describeModule(lora);
  const badWeight = firstNonFinite(merged);
  if (badWeight >= 0) {
    throw new MathError(
      'NON_FINITE',
      `${where}: merging gives a non-finite weight (${merged[badWeight]} at index ${badWeight})`,
      {
        fix: 'the adapter seems broken (NaN/Inf in lora_A/lora_B or an overflowing scale); the base weight was left unchanged',
      },
    );
  }
  if (mergedBias !== undefined && firstNonFinite(mergedBias) >= 0) {
    throw new MathError('NON_FINITE', `${where}: merging gives a non-finite bias`, {
      fix: 'lora_B bias holds NaN/Inf; the base weight and bias were left unchanged',
    });
  }
  weight.set(merged);
  if (baseBias !== undefined && mergedBias !== undefined) baseBias.set(mergedBias);
}

function applyLora(
  weight: Float32Array,
  lora: LoraFactors,
  baseBias: Float32Array | undefined,
  sign: 1 | -1,
): void {
  checkInputs(weight, lora, baseBias);
  addDelta(weight, lora, baseBias, sign);
}

function checkInputs(weight: Float32Array, lora: LoraFactors, baseBias: Float32Array | undefined): void {
  checkLoraFactors(lora);
  const where = describeModule(lora);
  const layout = lora.fanInFanOut === true ? 'in·out' : 'out·in';
  checkLength(where, 'base weight', weight, lora.out * lora.in, `${layout} = ${lora.out}·${lora.in}`);
  if (lora.bias !== undefined) {
    if (baseBias === undefined) {
      throw new MathError(
        'INVALID_ARGUMENT',
        `${where}: cannot merge lora_B's bias (lora_bias=True) because the base layer has no bias`,
        {
          fix: 'pass the base bias, or drop the LoRA bias',
        },
      );
    }
    checkLength(where, 'base bias', baseBias, lora.out, 'out');
  }
}

function addDelta(
  weight: Float32Array,
  lora: LoraFactors,
  baseBias: Float32Array | undefined,
  sign: 1 | -1,
): void {
  const cols = lora.fanInFanOut === true ? lora.out : lora.in;
  forEachDeltaRow(lora, (row, values) => {
    const offset = row * cols;
    for (let col = 0; col < cols; col++)
      weight[offset + col] = (weight[offset + col] as number) + sign * (values[col] as number);
  });
  if (lora.bias !== undefined && baseBias !== undefined) {
    for (let o = 0; o < lora.out; o++)
      baseBias[o] = (baseBias[o] as number) + sign * lora.scale * (lora.bias[o] as number);
  }
}

/** Index of the first NaN/±Inf, or −1. */
export function firstNonFinite(values: Float32Array): number {
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index])) return index;
  }
  return -1;
}
