/**
 * Index: validateLoraMultiForward(op, backend, args) → { T, inFeatures, outFeatures, ranks },
 *        validateLoraSegmentedForward(op, backend, args) → the same plus `segments` sorted by start.
 *
 * Shapes: x [T, in], weight [out, in], bias [out], out [T, out]; adapter i: loraA [r_i, in], loraB [out, r_i]
 * (ranks may differ). rowAdapter[t] ∈ [0, adapters.length) or −1; segments lie inside [0, T) and do not overlap.
 */
import { ShapeError } from '@lorakit/core';
import { checkIndices, checkRank, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import type { AdapterSlot, LoraMultiForwardArgs, LoraSegmentedForwardArgs } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface LoraMultiDimensions {
  T: number;
  inFeatures: number;
  outFeatures: number;
  /** ranks[i] is adapter i's rank r_i. */
  ranks: number[];
}

export interface Segment {
  start: number;
  length: number;
  adapter: number;
}

interface MultiCommon {
  x: DeviceTensor;
  weight: DeviceTensor;
  bias?: DeviceTensor | undefined;
  adapters: readonly AdapterSlot[];
  out: DeviceTensor;
}

function validateMultiCommon(op: string, backend: BackendName, args: MultiCommon): LoraMultiDimensions {
  const [T, inFeatures] = checkRank(op, 'x', args.x, backend, 2) as [number, number];
  const weightShape = checkRank(op, 'weight', args.weight, backend, 2) as [number, number];
  const outFeatures = weightShape[0];
  const context = `for x ${describeShape(args.x.shape)}, weight ${describeShape(weightShape)}`;
  if (weightShape[1] !== inFeatures) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: weight ${describeShape(weightShape)} does not take x ${describeShape(args.x.shape)}: expected [*, ${inFeatures}]`,
    );
  }
  if (args.bias !== undefined) checkShape(op, 'bias', args.bias, backend, [outFeatures], context);
  checkShape(op, 'out', args.out, backend, [T, outFeatures], context);
  if (!Array.isArray(args.adapters))
    throw new ShapeError('INVALID_ARGUMENT', `${op}: adapters must be an array of { loraA, loraB, scale }`);
  // Serving batches carry many adapters: check each with plain comparisons first and build the messages only
  // for the one that fails (string building dominated this validator's cost at 64 adapters).
  const ranks = args.adapters.map((adapter, index) => {
    if (
      adapterLooksValid(adapter, backend, inFeatures, outFeatures) &&
      adapter.loraA !== args.out &&
      adapter.loraB !== args.out
    ) {
      return adapter.loraA.shape[0] as number;
    }
    const aShape = checkRank(op, `adapters[${index}].loraA`, adapter.loraA, backend, 2);
    const r = aShape[0] as number;
    const adapterContext = `${context}, adapters[${index}].loraA ${describeShape(aShape)}`;
    checkShape(op, `adapters[${index}].loraA`, adapter.loraA, backend, [r, inFeatures], adapterContext);
    checkShape(op, `adapters[${index}].loraB`, adapter.loraB, backend, [outFeatures, r], adapterContext);
    checkNumber(op, `adapters[${index}].scale`, adapter.scale);
    checkNotAliased(
      op,
      { out: args.out },
      { [`adapters[${index}].loraA`]: adapter.loraA, [`adapters[${index}].loraB`]: adapter.loraB },
    );
    return r;
  });
  checkNotAliased(op, { out: args.out }, { x: args.x, weight: args.weight, bias: args.bias });
  return { T, inFeatures, outFeatures, ranks };
}

function adapterLooksValid(
  adapter: AdapterSlot,
  backend: BackendName,
  inFeatures: number,
  outFeatures: number,
): boolean {
  const { loraA, loraB, scale } = adapter ?? {};
  if (
    !loraA ||
    !loraB ||
    loraA.backend !== backend ||
    loraB.backend !== backend ||
    loraA.disposed ||
    loraB.disposed
  )
    return false;
  if (loraA.dtype !== 'f32' || loraB.dtype !== 'f32' || loraA.shape.length !== 2 || loraB.shape.length !== 2)
    return false;
  const r = loraA.shape[0] as number;
  return (
    loraA.shape[1] === inFeatures &&
    loraB.shape[0] === outFeatures &&
    loraB.shape[1] === r &&
    typeof scale === 'number' &&
    Number.isFinite(scale)
  );
}

export function validateLoraMultiForward(
  op: string,
  backend: BackendName,
  args: LoraMultiForwardArgs,
): LoraMultiDimensions {
  const dimensions = validateMultiCommon(op, backend, args);
  checkIndices(op, 'rowAdapter', args.rowAdapter, dimensions.T, 0, args.adapters.length, -1);
  return dimensions;
}

export function validateLoraSegmentedForward(
  op: string,
  backend: BackendName,
  args: LoraSegmentedForwardArgs,
): LoraMultiDimensions & { segments: Segment[] } {
  const dimensions = validateMultiCommon(op, backend, args);
  const { T } = dimensions;
  if (!Array.isArray(args.segments))
    throw new ShapeError(
      'INVALID_ARGUMENT',
      `${op}: segments must be an array of { start, length, adapter }`,
    );
  args.segments.forEach((segment, index) => {
    checkNumber(op, `segments[${index}].start`, segment.start, { min: 0, integer: true });
    checkNumber(op, `segments[${index}].length`, segment.length, { min: 0, integer: true });
    if (segment.start + segment.length > T) {
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: segments[${index}] = [${segment.start}, ${segment.start + segment.length}) runs past the ${T} rows of x ${describeShape(args.x.shape)}`,
      );
    }
    const adapter = segment.adapter;
    if (!Number.isInteger(adapter) || (adapter !== -1 && (adapter < 0 || adapter >= args.adapters.length))) {
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: segments[${index}].adapter = ${adapter} is out of range [0, ${args.adapters.length}) (or -1)`,
      );
    }
  });
  const segments = args.segments.map((segment) => ({
    start: segment.start,
    length: segment.length,
    adapter: segment.adapter,
  }));
  segments.sort((first, second) => first.start - second.start);
  for (let i = 1; i < segments.length; i++) {
    const previous = segments[i - 1] as Segment;
    const current = segments[i] as Segment;
    if (current.length > 0 && previous.start + previous.length > current.start) {
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: segments [${previous.start}, ${previous.start + previous.length}) and [${current.start}, ${current.start + current.length}) overlap`,
      );
    }
  }
  return { ...dimensions, segments };
}
