/**
 * Index: validateRmsNorm(op, backend, out, x, weight, eps, rstd) → { rows, H },
 *        validateRmsNormBackward(op, backend, args) → { rows, H }.
 * x, out, dx, dy: any rank ≥ 1 with the same shape, normalised over the last dimension H; weight/dWeight [H];
 * rstd holds one value per row (rows = product of the leading dimensions), any shape of that size.
 */
import { ShapeError } from '@lorakit/core';
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import { checkNotAliased, checkNumber, checkShape, rowsOf } from './check-arguments.js';

export interface RmsNormDimensions {
  rows: number;
  H: number;
}

function checkRstd(
  op: string,
  backend: BackendName,
  rstd: DeviceTensor,
  x: DeviceTensor,
  rows: number,
): void {
  const shape = checkTensor(op, 'rstd', rstd, backend);
  if (rstd.size !== rows) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: rstd has shape ${describeShape(shape)}, expected ${rows} values (one per row of x ${describeShape(x.shape)})`,
    );
  }
}

function rowsAndWidth(op: string, backend: BackendName, x: DeviceTensor): RmsNormDimensions {
  const shape = checkTensor(op, 'x', x, backend);
  if (shape.length < 1)
    throw new ShapeError('SHAPE_MISMATCH', `${op}: x is a scalar, expected at least 1 dimension`);
  return { rows: rowsOf(shape), H: shape[shape.length - 1] as number };
}

export function validateRmsNorm(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  x: DeviceTensor,
  weight: DeviceTensor,
  eps: number,
  rstd?: DeviceTensor,
): RmsNormDimensions {
  const dimensions = rowsAndWidth(op, backend, x);
  const context = `for x ${describeShape(x.shape)}`;
  checkShape(op, 'weight', weight, backend, [dimensions.H], context);
  checkShape(op, 'out', out, backend, x.shape, context);
  if (rstd !== undefined) checkRstd(op, backend, rstd, x, dimensions.rows);
  checkNumber(op, 'eps', eps, { min: 0 });
  checkNotAliased(op, { out, rstd }, { x, weight });
  return dimensions;
}

export function validateRmsNormBackward(
  op: string,
  backend: BackendName,
  args: {
    dx: DeviceTensor;
    dy: DeviceTensor;
    x: DeviceTensor;
    weight: DeviceTensor;
    rstd: DeviceTensor;
    dWeight?: DeviceTensor;
  },
): RmsNormDimensions {
  const dimensions = rowsAndWidth(op, backend, args.x);
  const context = `for x ${describeShape(args.x.shape)}`;
  checkShape(op, 'dy', args.dy, backend, args.x.shape, context);
  checkShape(op, 'dx', args.dx, backend, args.x.shape, context);
  checkShape(op, 'weight', args.weight, backend, [dimensions.H], context);
  if (args.dWeight !== undefined) checkShape(op, 'dWeight', args.dWeight, backend, [dimensions.H], context);
  checkRstd(op, backend, args.rstd, args.x, dimensions.rows);
  checkNotAliased(
    op,
    { dx: args.dx, dWeight: args.dWeight },
    { dy: args.dy, x: args.x, weight: args.weight, rstd: args.rstd },
  );
  return dimensions;
}
