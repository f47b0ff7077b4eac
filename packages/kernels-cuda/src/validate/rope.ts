/**
 * Index: validateRope(op, backend, args) → { rows, heads, headDim }.
 * x [rows, heads, headDim] (f32, rotated in place) with headDim even; positions: rows values ≥ 0; theta > 0;
 * Llama-3 scaling: factor > 0, 0 < lowFreqFactor < highFreqFactor, originalMaxPositionEmbeddings > 0.
 */
import { ShapeError } from '@lorakit/core';
import { checkIndices, checkRank, describeShape } from '../check-tensor.js';
import type { BackendName } from '../device-tensor.js';
import type { RopeArgs } from '../ops.js';
import { checkNumber } from './check-arguments.js';

export interface RopeDimensions {
  rows: number;
  heads: number;
  headDim: number;
}

export function validateRope(op: string, backend: BackendName, args: RopeArgs): RopeDimensions {
  const [rows, heads, headDim] = checkRank(op, 'x', args.x, backend, 3) as [number, number, number];
  if (headDim % 2 !== 0)
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: x ${describeShape(args.x.shape)} has an odd head dimension ${headDim}; rope rotates pairs`,
    );
  checkIndices(op, 'positions', args.positions, rows, 0, 2 ** 31 - 1);
  checkNumber(op, 'theta', args.theta, { min: 0, minExclusive: true });
  const scaling = args.scaling;
  if (scaling !== undefined) {
    checkNumber(op, 'scaling.factor', scaling.factor, { min: 0, minExclusive: true });
    checkNumber(op, 'scaling.lowFreqFactor', scaling.lowFreqFactor, { min: 0, minExclusive: true });
    checkNumber(op, 'scaling.highFreqFactor', scaling.highFreqFactor, {
      min: scaling.lowFreqFactor,
      minExclusive: true,
    });
    checkNumber(op, 'scaling.originalMaxPositionEmbeddings', scaling.originalMaxPositionEmbeddings, {
      min: 0,
      minExclusive: true,
    });
  }
  return { rows, heads, headDim };
}
