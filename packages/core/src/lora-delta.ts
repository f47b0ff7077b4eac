/**
 * The weight update of one LoRA module, in fp32 with fp64 sums.
 *
 *   W is [out, in] (PyTorch nn.Linear), A (lora_A) is [r, in], B (lora_B) is [out, r];
 *   ΔW = scale · B·A, with scale = alpha/r (or alpha/√r for rsLoRA: the caller passes it).
 *   fan_in_fan_out (GPT-2 Conv1D) stores W as [in, out], so the update in W's layout is scale · (B·A)ᵀ.
 *
 * Matrices are Float32Array, row-major, with the dimensions given explicitly.
 */
import { MathError, ShapeError } from './errors.js';

/** One LoRA module's factors and the dimensions that give them a shape. */
export interface LoraFactors {
  /** lora_A, [r, in] row-major. */
  readonly A: Float32Array;
  /** lora_B, [out, r] row-major. */
  readonly B: Float32Array;
  readonly r: number;
  readonly in: number;
  readonly out: number;
  /** alpha/r, or alpha/√r with rsLoRA. */
  readonly scale: number;
  /** True when the base weight is stored [in, out] (GPT-2 Conv1D); default false. */
  readonly fanInFanOut?: boolean;
  /** lora_B's bias [out] (PEFT `lora_bias=True`); merging adds scale·bias to the base bias. */
  readonly bias?: Float32Array;
  /** Module name, used in error messages. */
  readonly name?: string;
}

/** Throws a typed error naming the module when the factors' sizes or numbers are unusable. */
export function checkLoraFactors(lora: LoraFactors): void {
  const where = describeModule(lora);
  for (const [key, value] of [
    ['r', lora.r],
    ['in', lora.in],
    ['out', lora.out],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new MathError('INVALID_ARGUMENT', `${where}: ${key} must be a positive integer, got ${value}`);
    }
  }
  if (!Number.isFinite(lora.scale)) {
    throw new MathError('INVALID_ARGUMENT', `${where}: scale must be a finite number, got ${lora.scale}`, {
      fix: 'pass alpha/r (or alpha/√r with rsLoRA)',
    });
  }
  checkLength(where, 'lora_A', lora.A, lora.r * lora.in, `r·in = ${lora.r}·${lora.in}`);
  checkLength(where, 'lora_B', lora.B, lora.out * lora.r, `out·r = ${lora.out}·${lora.r}`);
  if (lora.bias !== undefined) checkLength(where, 'lora_B bias', lora.bias, lora.out, 'out');
}

/** "LoRA module q_proj" or "LoRA module" when unnamed: the subject of every error message here. */
export function describeModule(lora: { readonly name?: string }): string {
  return lora.name === undefined ? 'LoRA module' : `LoRA module ${lora.name}`;
}

export function checkLength(
  where: string,
  tensor: string,
  values: ArrayLike<number>,
  expected: number,
  formula: string,
): void {
  if (values.length !== expected) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${where}: ${tensor} has ${values.length} values, expected ${formula} = ${expected}`,
      { fix: 'check r, in and out against the tensor shapes' },
    );
  }
}

/**
 * Calls `visit(row, values)` for every row of ΔW in W's layout ([out, in], or [in, out] with fanInFanOut), the
 * values summed in fp64 and already multiplied by scale. `values` is reused between calls: copy it to keep it.
 */
export function forEachDeltaRow(lora: LoraFactors, visit: (row: number, values: Float64Array) => void): void {
  const { r, scale } = lora;
  // Row j of the delta is Σ_k left[j,k]·right[k,:]; with fanInFanOut left = Aᵀ and right = Bᵀ.
  const rows = lora.fanInFanOut === true ? lora.in : lora.out;
  const cols = lora.fanInFanOut === true ? lora.out : lora.in;
  const left = lora.fanInFanOut === true ? transpose(lora.A, r, lora.in) : lora.B;
  const right = lora.fanInFanOut === true ? transpose(lora.B, lora.out, r) : lora.A;
  const values = new Float64Array(cols);
  for (let row = 0; row < rows; row++) {
    values.fill(0);
    for (let k = 0; k < r; k++) {
      const coefficient = (left[row * r + k] as number) * scale;
      if (coefficient === 0) continue;
      const offset = k * cols;
      for (let col = 0; col < cols; col++)
        values[col] = (values[col] as number) + coefficient * (right[offset + col] as number);
    }
    visit(row, values);
  }
}

/** ΔW = scale·B·A in the layout of W: [out, in], or [in, out] when `fanInFanOut` is set. */
export function loraDelta(lora: LoraFactors): Float32Array {
  checkLoraFactors(lora);
  const cols = lora.fanInFanOut === true ? lora.out : lora.in;
  const delta = new Float32Array(lora.out * lora.in);
  forEachDeltaRow(lora, (row, values) => delta.set(values, row * cols));
  return delta;
}

function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) result[col * rows + row] = matrix[row * cols + col] as number;
  }
  return result;
}
