/**
 * Scalar and aliasing checks the per-op validators share (tensor checks are in ../check-tensor.ts).
 * Index: checkNumber (a finite number in a range), checkNotAliased (outputs distinct from every other argument),
 * checkShape (checkTensor with the other operands' shapes in the message), rowsOf (product of the leading dimensions).
 */
import { MathError, ShapeError } from '@lorakit/core';
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceDType, DeviceTensor } from '../device-tensor.js';

export interface NumberRange {
  /** Smallest allowed value (inclusive unless minExclusive). */
  min?: number;
  minExclusive?: boolean;
  /** Largest allowed value (exclusive unless maxInclusive). */
  max?: number;
  maxInclusive?: boolean;
  integer?: boolean;
}

/** Throws a MathError naming the op when `value` is not a finite number within `range`. */
export function checkNumber(op: string, name: string, value: number, range: NumberRange = {}): number {
  const low = range.min === undefined ? '(-∞' : `${range.minExclusive ? '(' : '['}${range.min}`;
  const high = range.max === undefined ? '∞)' : `${range.max}${range.maxInclusive ? ']' : ')'}`;
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (range.integer === true && !Number.isInteger(value)) ||
    (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min)) ||
    (range.max !== undefined && (range.maxInclusive ? value > range.max : value >= range.max));
  if (bad) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `${op}: ${name} = ${String(value)} must be ${range.integer ? 'an integer' : 'a finite number'} in ${low}, ${high}`,
    );
  }
  return value;
}

/**
 * Each output must be a different tensor from every other argument: kernels read inputs while writing outputs,
 * so an alias would silently give a wrong answer. `allowed` lists the documented exceptions as [output, input]
 * name pairs (e.g. cross-entropy's dLogits may be logits).
 */
export function checkNotAliased(
  op: string,
  outputs: Readonly<Record<string, DeviceTensor | undefined>>,
  inputs: Readonly<Record<string, DeviceTensor | undefined>>,
  allowed: readonly (readonly [string, string])[] = [],
): void {
  const outputEntries = Object.entries(outputs);
  for (let i = 0; i < outputEntries.length; i++) {
    const [outputName, output] = outputEntries[i] as [string, DeviceTensor | undefined];
    if (output === undefined) continue;
    const others: [string, DeviceTensor | undefined][] = [
      ...outputEntries.slice(i + 1),
      ...Object.entries(inputs),
    ];
    for (const [otherName, other] of others) {
      // Views share memory without being the same object: compare the memory, not the tensor objects.
      if (other === undefined || (other !== output && other.memory !== output.memory)) continue;
      if (allowed.some(([first, second]) => first === outputName && second === otherName)) continue;
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: ${outputName} ${describeShape(output.shape)} shares its memory with ${otherName}; outputs may not alias other arguments${
          allowed.length
            ? ` (allowed: ${allowed.map(([first, second]) => `${first} = ${second}`).join(', ')})`
            : ''
        }`,
        { fix: `pass a separate ${outputName} tensor` },
      );
    }
  }
}

/** Product of all dimensions but the last (the number of rows a row-wise op sees). */
export function rowsOf(shape: readonly number[]): number {
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i] as number;
  return rows;
}

/**
 * checkTensor, then the exact shape, with `context` (the shapes it was derived from, e.g. "for x [4, 8], weight
 * [16, 8]") appended to the message so the caller sees why that shape was expected.
 */
export function checkShape(
  op: string,
  name: string,
  tensor: DeviceTensor | undefined,
  backend: BackendName,
  expected: readonly number[],
  context: string,
  dtype: DeviceDType | 'any' = 'f32',
): readonly number[] {
  const shape = checkTensor(op, name, tensor, backend, undefined, dtype);
  if (shape.length !== expected.length || shape.some((size, index) => size !== expected[index])) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: ${name} has shape ${describeShape(shape)}, expected ${describeShape(expected)} ${context}`,
    );
  }
  return shape;
}
