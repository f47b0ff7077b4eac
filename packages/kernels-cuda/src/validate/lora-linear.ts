/**
 * Index: validateLoraLinearForward(op, backend, args) → { T, inFeatures, outFeatures, r, scale, dropoutProbability },
 *        validateLoraLinearBackward(op, backend, args) → the same,
 *        validateDropout(op, dropout) → probability (0 when absent).
 *
 * Shapes: x [T, in], weight [out, in], bias [out], loraA [r, in], loraB [out, r], out/dy [T, out], shrink [T, r].
 * r is 0 for a plain linear layer (loraA and loraB both omitted). Every output must be its own tensor.
 */
import { ShapeError } from '@lorakit/core';
import { checkRank, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import type { DropoutOptions, LoraLinearBackwardArgs, LoraLinearForwardArgs } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface LoraLinearDimensions {
  T: number;
  inFeatures: number;
  outFeatures: number;
  /** 0 without an adapter. */
  r: number;
  /** The LoRA scale s (default 1). */
  scale: number;
  /** Dropout probability in [0, 1); 0 when there is no dropout. */
  dropoutProbability: number;
}

/** Dropout probability must be in [0, 1) (p = 1 would scale kept values by 1/0) and the seed an integer in [0, 2³²). */
export function validateDropout(op: string, dropout: DropoutOptions | undefined): number {
  if (dropout === undefined) return 0;
  checkNumber(op, 'dropout.probability', dropout.probability, { min: 0, max: 1 });
  // A uint32: the mask hashes it as one in TypeScript, C++ and CUDA alike.
  checkNumber(op, 'dropout.seed', dropout.seed, { min: 0, max: 2 ** 32, integer: true });
  return dropout.probability;
}

interface CommonShapes {
  x: DeviceTensor;
  weight: DeviceTensor;
  loraA?: DeviceTensor | undefined;
  loraB?: DeviceTensor | undefined;
  scale?: number | undefined;
  dropout?: DropoutOptions | undefined;
}

function validateCommon(op: string, backend: BackendName, args: CommonShapes): LoraLinearDimensions {
  const [T, inFeatures] = checkRank(op, 'x', args.x, backend, 2) as [number, number];
  const weightShape = checkRank(op, 'weight', args.weight, backend, 2) as [number, number];
  if (weightShape[1] !== inFeatures) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: weight ${describeShape(weightShape)} does not take x ${describeShape(args.x.shape)}: expected [*, ${inFeatures}]`,
    );
  }
  const out = weightShape[0];
  let r = 0;
  if ((args.loraA === undefined) !== (args.loraB === undefined)) {
    throw new ShapeError(
      'INVALID_ARGUMENT',
      `${op}: pass both loraA and loraB, or neither (plain linear layer)`,
    );
  }
  if (args.loraA !== undefined && args.loraB !== undefined) {
    const aShape = checkRank(op, 'loraA', args.loraA, backend, 2);
    r = aShape[0] as number;
    const context = `for x ${describeShape(args.x.shape)}, weight ${describeShape(weightShape)}, loraA ${describeShape(aShape)}`;
    checkShape(op, 'loraA', args.loraA, backend, [r, inFeatures], context);
    checkShape(op, 'loraB', args.loraB, backend, [out, r], context);
  }
  const scale = checkNumber(op, 'scale', args.scale ?? 1);
  const dropoutProbability = validateDropout(op, args.dropout);
  return { T, inFeatures, outFeatures: out, r, scale, dropoutProbability };
}

export function validateLoraLinearForward(
  op: string,
  backend: BackendName,
  args: LoraLinearForwardArgs,
): LoraLinearDimensions {
  const dimensions = validateCommon(op, backend, args);
  const { T, outFeatures, r } = dimensions;
  const context = `for x ${describeShape(args.x.shape)}, weight ${describeShape(args.weight.shape)}`;
  if (args.bias !== undefined) checkShape(op, 'bias', args.bias, backend, [outFeatures], context);
  checkShape(op, 'out', args.out, backend, [T, outFeatures], context);
  if (args.shrink !== undefined) {
    if (r === 0) throw new ShapeError('INVALID_ARGUMENT', `${op}: shrink was given without loraA/loraB`);
    checkShape(op, 'shrink', args.shrink, backend, [T, r], `${context}, rank ${r}`);
  }
  checkNotAliased(
    op,
    { out: args.out, shrink: args.shrink },
    { x: args.x, weight: args.weight, bias: args.bias, loraA: args.loraA, loraB: args.loraB },
  );
  return dimensions;
}

export function validateLoraLinearBackward(
  op: string,
  backend: BackendName,
  args: LoraLinearBackwardArgs,
): LoraLinearDimensions {
  const dimensions = validateCommon(op, backend, args);
  const { T, inFeatures, outFeatures, r } = dimensions;
  const context = `for x ${describeShape(args.x.shape)}, weight ${describeShape(args.weight.shape)}${r ? `, rank ${r}` : ''}`;
  checkShape(op, 'dy', args.dy, backend, [T, outFeatures], context);
  if (args.dx !== undefined) checkShape(op, 'dx', args.dx, backend, [T, inFeatures], context);
  if (args.dWeight !== undefined)
    checkShape(op, 'dWeight', args.dWeight, backend, [outFeatures, inFeatures], context);
  if (args.dBias !== undefined) checkShape(op, 'dBias', args.dBias, backend, [outFeatures], context);
  if (r === 0 && (args.dA !== undefined || args.dB !== undefined || args.shrink !== undefined)) {
    throw new ShapeError('INVALID_ARGUMENT', `${op}: dA, dB or shrink was given without loraA/loraB`);
  }
  if (args.dA !== undefined) checkShape(op, 'dA', args.dA, backend, [r, inFeatures], context);
  if (args.dB !== undefined) {
    checkShape(op, 'dB', args.dB, backend, [outFeatures, r], context);
    if (args.shrink === undefined) {
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: dB needs the shrink [${T}, ${r}] saved by loraLinearForward`,
        {
          fix: 'pass the same shrink tensor the forward filled',
        },
      );
    }
  }
  if (args.shrink !== undefined) checkShape(op, 'shrink', args.shrink, backend, [T, r], context);
  checkNotAliased(
    op,
    { dx: args.dx, dA: args.dA, dB: args.dB, dWeight: args.dWeight, dBias: args.dBias },
    {
      dy: args.dy,
      x: args.x,
      weight: args.weight,
      loraA: args.loraA,
      loraB: args.loraB,
      shrink: args.shrink,
    },
  );
  return dimensions;
}
