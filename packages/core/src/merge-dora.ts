/**
 * Merging a DoRA module (PEFT `use_dora=True`) into its base weight, as PEFT's DoraLinearVariant does.
 *
 *   V = W + ΔW                       (ΔW = scale·B·A, lora-delta.ts)
 *   n_o = ‖V[o, :]‖₂                 one L2 norm per output feature o (PEFT: norm over dim=1 of the [out, in] view)
 *   W' = (m_o / n_o) · V[o, :]       m = lora_magnitude_vector, [out]
 *
 * With fanInFanOut W is stored [in, out]: the norm is still per output feature (a column there), and the factor
 * scales that column. PEFT detaches n during training; that does not change the merged value.
 * Unmerging needs n as merged: it cannot be recovered from W' (each merged row has norm |m_o| whatever n_o was),
 * so mergeDora returns it and unmergeDora takes it back: W = W'·(n_o/m_o) − ΔW (exact up to fp32 rounding).
 * W must be the base weight alone: PEFT computes n from the weight with no other adapter merged.
 * PEFT refuses lora_bias with DoRA, so a LoRA bias is refused here too.
 */
import { ConfigError, MathError } from './errors.js';
import { checkLength, checkLoraFactors, describeModule, forEachDeltaRow } from './lora-delta.js';
import type { LoraFactors } from './lora-delta.js';

/** A DoRA module: LoRA factors plus the learned magnitude of every output feature. */
export interface DoraFactors extends LoraFactors {
  /** lora_magnitude_vector, [out]. */
  readonly magnitude: Float32Array;
}

/**
 * W ← (m/‖W+ΔW‖) ⊙ (W+ΔW) in place; returns the per-output-feature norms ‖W+ΔW‖ [out] that unmergeDora needs.
 * Checks every factor first: on a zero norm or a non-finite result it throws MathError NON_FINITE and W is unchanged.
 */
export function mergeDora(weight: Float32Array, dora: DoraFactors): Float32Array {
  checkDora(weight, dora);
  const { out } = dora;
  const fanInFanOut = dora.fanInFanOut === true;
  // First pass: norms only, so that nothing is written before the factors are known to be usable.
  const squares = new Float64Array(out);
  visitMerged(weight, dora, (row, col, value) => {
    const feature = fanInFanOut ? col : row;
    squares[feature] = (squares[feature] as number) + value * value;
  });
  const weightNorm = new Float32Array(out);
  const factors = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    weightNorm[o] = Math.sqrt(squares[o] as number);
    factors[o] = (dora.magnitude[o] as number) / (weightNorm[o] as number);
    if (!Number.isFinite(factors[o]) || !Number.isFinite(weightNorm[o])) {
      throw new MathError(
        'NON_FINITE',
        `${describeModule(dora)}: DoRA factor magnitude/norm is ${factors[o]} for output feature ${o} (norm ${weightNorm[o]})`,
        {
          fix: 'the adapter or base weight holds NaN/Inf, or W+ΔW has an all-zero row; the base weight was left unchanged',
        },
      );
    }
  }
  const cols = fanInFanOut ? out : dora.in;
  visitMerged(weight, dora, (row, col, value) => {
    weight[row * cols + col] = value * (factors[fanInFanOut ? col : row] as number);
  });
  return weightNorm;
}

/** W ← W'·(n/m) − ΔW in place, with `weightNorm` as returned by mergeDora for the same module. */
export function unmergeDora(weight: Float32Array, dora: DoraFactors, weightNorm: Float32Array): void {
  checkDora(weight, dora);
  const where = describeModule(dora);
  checkLength(where, 'DoRA weight norm', weightNorm, dora.out, 'out');
  const inverse = new Float64Array(dora.out);
  for (let o = 0; o < dora.out; o++) {
    inverse[o] = (weightNorm[o] as number) / (dora.magnitude[o] as number);
    if (!Number.isFinite(inverse[o])) {
      throw new MathError(
        'NON_FINITE',
        `${where}: cannot unmerge DoRA: norm/magnitude is ${inverse[o]} for output feature ${o}`,
        {
          fix: 'a zero magnitude erased that row when merging; reload the base weight instead',
        },
      );
    }
  }
  const fanInFanOut = dora.fanInFanOut === true;
  const cols = fanInFanOut ? dora.out : dora.in;
  forEachDeltaRow(dora, (row, values) => {
    const offset = row * cols;
    for (let col = 0; col < cols; col++) {
      const factor = inverse[fanInFanOut ? col : row] as number;
      weight[offset + col] = (weight[offset + col] as number) * factor - (values[col] as number);
    }
  });
}

function checkDora(weight: Float32Array, dora: DoraFactors): void {
  checkLoraFactors(dora);
  const where = describeModule(dora);
  checkLength(where, 'base weight', weight, dora.out * dora.in, `out·in = ${dora.out}·${dora.in}`);
  checkLength(where, 'lora_magnitude_vector', dora.magnitude, dora.out, 'out');
  if (dora.bias !== undefined) {
    throw new ConfigError('CONFIG_INVALID', `${where}: DoRA cannot be combined with lora_bias`, {
      fix: 'PEFT refuses use_dora with lora_bias=True; drop the LoRA bias',
    });
  }
}

/** Calls `visit(row, col, value)` with every element of W + ΔW in W's layout, rounded to fp32 as PEFT stores it. */
function visitMerged(
  weight: Float32Array,
  dora: DoraFactors,
  visit: (row: number, col: number, value: number) => void,
): void {
  const cols = dora.fanInFanOut === true ? dora.out : dora.in;
  forEachDeltaRow(dora, (row, values) => {
    const offset = row * cols;
    for (let col = 0; col < cols; col++)
      visit(row, col, Math.fround((weight[offset + col] as number) + (values[col] as number)));
  });
}
