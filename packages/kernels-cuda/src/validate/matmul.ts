/**
 * Index: validateMatmul(op, backend, out, a, b, options) → { batch, M, N, K, aBatchStride, bBatchStride }.
 *
 * out = alpha·op(a)·op(b) + beta·out with op(a) [M, K] (a is [K, M] when transposeA) and op(b) [K, N] (b is [N, K]
 * when transposeB). Either operand may carry a leading batch dimension; a 2-D operand is shared by every batch
 * entry (its batch stride is 0). out is [M, N], or [batch, M, N] when either operand is batched.
 */
import { ShapeError } from '@lorakit/core';
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import type { MatmulOptions } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface MatmulDimensions {
  batch: number;
  M: number;
  N: number;
  K: number;
  /** Elements between consecutive batch entries of a (0: a is 2-D and shared). */
  aBatchStride: number;
  bBatchStride: number;
}

export function validateMatmul(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  a: DeviceTensor,
  b: DeviceTensor,
  options: MatmulOptions = {},
): MatmulDimensions {
  const aShape = checkTensor(op, 'a', a, backend);
  const bShape = checkTensor(op, 'b', b, backend);
  checkTensor(op, 'out', out, backend);
  for (const [name, shape] of [
    ['a', aShape],
    ['b', bShape],
  ] as const) {
    if (shape.length !== 2 && shape.length !== 3) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${op}: ${name} has shape ${describeShape(shape)}, expected 2 or 3 dimensions`,
      );
    }
  }
  const aBatch = aShape.length === 3 ? (aShape[0] as number) : undefined;
  const bBatch = bShape.length === 3 ? (bShape[0] as number) : undefined;
  const [aRows, aColumns] = aShape.slice(-2) as [number, number];
  const [bRows, bColumns] = bShape.slice(-2) as [number, number];
  const [M, K] = options.transposeA ? [aColumns, aRows] : [aRows, aColumns];
  const [bK, N] = options.transposeB ? [bColumns, bRows] : [bRows, bColumns];
  const described = `a ${describeShape(aShape)}${options.transposeA ? 'ᵀ' : ''} · b ${describeShape(bShape)}${options.transposeB ? 'ᵀ' : ''}`;
  if (bK !== K)
    throw new ShapeError('SHAPE_MISMATCH', `${op}: inner dimensions differ in ${described} (${K} vs ${bK})`);
  if (aBatch !== undefined && bBatch !== undefined && aBatch !== bBatch) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: batch sizes differ in ${described} (${aBatch} vs ${bBatch})`,
    );
  }
  const batch = aBatch ?? bBatch;
  const expected = batch === undefined ? [M, N] : [batch, M, N];
  checkShape(op, 'out', out, backend, expected, `for ${described}`);
  checkNumber(op, 'alpha', options.alpha ?? 1);
  checkNumber(op, 'beta', options.beta ?? 0);
  checkNotAliased(op, { out }, { a, b });
  return {
    batch: batch ?? 1,
    M,
    N,
    K,
    aBatchStride: aBatch === undefined ? 0 : M * K,
    bBatchStride: bBatch === undefined ? 0 : K * N,
  };
}
