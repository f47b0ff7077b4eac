/**
 * The cpu backend's GEMM-based ops: matmul and the LoRA linear family, each validated with the shared validators
 * and then run by the native addon (native/src/matmul.cc, lora-linear.cc, lora-multi.cc).
 */
import type { DeviceTensor } from '../device-tensor.js';
import type { NativeModule } from '../native/native-module.js';
import type { Ops } from '../ops.js';
import { hostData } from '../reference/host-data.js';
import { validateLoraLinearBackward, validateLoraLinearForward, validateMatmul } from '../validate/index.js';
import { validateLoraMultiForward, validateLoraSegmentedForward } from '../validate/lora-multi.js';

export type CpuLinearOps = Pick<
  Ops,
  'matmul' | 'loraLinearForward' | 'loraLinearBackward' | 'loraMultiForward' | 'loraSegmentedForward'
>;

const optional = (tensor: DeviceTensor | undefined): Float32Array | null =>
  tensor === undefined ? null : hostData(tensor);

export function createCpuLinearOps(native: NativeModule): CpuLinearOps {
  return {
    matmul(out, a, b, options = {}): void {
      const { batch, M, N, K, aBatchStride, bBatchStride } = validateMatmul(
        'matmul',
        'cpu',
        out,
        a,
        b,
        options,
      );
      native.matmul(
        hostData(out),
        hostData(a),
        hostData(b),
        batch,
        M,
        N,
        K,
        aBatchStride,
        bBatchStride,
        options.transposeA === true,
        options.transposeB === true,
        options.alpha ?? 1,
        options.beta ?? 0,
      );
    },

    loraLinearForward(args): void {
      const { T, inFeatures, outFeatures, r, scale, dropoutProbability } = validateLoraLinearForward(
        'loraLinearForward',
        'cpu',
        args,
      );
      native.loraLinearForward(
        hostData(args.x),
        hostData(args.weight),
        optional(args.bias),
        optional(args.loraA),
        optional(args.loraB),
        hostData(args.out),
        optional(args.shrink),
        T,
        inFeatures,
        outFeatures,
        r,
        scale,
        dropoutProbability,
        args.dropout?.seed ?? 0,
      );
    },

    loraLinearBackward(args): void {
      const { T, inFeatures, outFeatures, r, scale, dropoutProbability } = validateLoraLinearBackward(
        'loraLinearBackward',
        'cpu',
        args,
      );
      native.loraLinearBackward(
        hostData(args.dy),
        hostData(args.x),
        hostData(args.weight),
        optional(args.loraA),
        optional(args.loraB),
        optional(args.shrink),
        optional(args.dx),
        optional(args.dA),
        optional(args.dB),
        optional(args.dWeight),
        optional(args.dBias),
        T,
        inFeatures,
        outFeatures,
        r,
        scale,
        dropoutProbability,
        args.dropout?.seed ?? 0,
        args.accumulate === true,
      );
    },

    loraMultiForward(args): void {
      const { T, inFeatures, outFeatures, ranks } = validateLoraMultiForward('loraMultiForward', 'cpu', args);
      native.loraMultiForward(
        hostData(args.x),
        hostData(args.weight),
        optional(args.bias),
        args.adapters.map((adapter) => hostData(adapter.loraA)),
        args.adapters.map((adapter) => hostData(adapter.loraB)),
        Int32Array.from(ranks),
        Float32Array.from(args.adapters, (adapter) => adapter.scale),
        args.rowAdapter,
        hostData(args.out),
        T,
        inFeatures,
        outFeatures,
      );
    },

    loraSegmentedForward(args): void {
      const { T, inFeatures, outFeatures, ranks, segments } = validateLoraSegmentedForward(
        'loraSegmentedForward',
        'cpu',
        args,
      );
      native.loraSegmentedForward(
        hostData(args.x),
        hostData(args.weight),
        optional(args.bias),
        args.adapters.map((adapter) => hostData(adapter.loraA)),
        args.adapters.map((adapter) => hostData(adapter.loraB)),
        Int32Array.from(ranks),
        Float32Array.from(args.adapters, (adapter) => adapter.scale),
        Int32Array.from(segments.flatMap((segment) => [segment.start, segment.length, segment.adapter])),
        hostData(args.out),
        T,
        inFeatures,
        outFeatures,
      );
    },
  };
}
