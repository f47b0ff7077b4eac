/**
 * The cuda backend's linear-algebra ops: matmul, the fused LoRA linear layer, multi-adapter LoRA (gather and
 * segmented), merge and cast. Each validates with the shared validators, then queues native work
 * (native-cuda/src: lora-linear.cc, lora-multi.cu, gemm.cu, elementwise.cu). Compute is fp32; matmul uses
 * cuBLAS (fp32 GEMM, no TF32) when it was loaded.
 */
import type { DeviceTensor } from '../device-tensor.js';
import type {
  AdapterSlot,
  LoraLinearBackwardArgs,
  LoraLinearForwardArgs,
  LoraMultiForwardArgs,
  LoraSegmentedForwardArgs,
  MatmulOptions,
  Ops,
} from '../ops.js';
import {
  validateCast,
  validateLoraLinearBackward,
  validateLoraLinearForward,
  validateLoraMultiForward,
  validateLoraSegmentedForward,
  validateMatmul,
  validateMerge,
} from '../validate/index.js';
import { callNative } from './call-native.js';
import { bufferOf } from './cuda-memory.js';
import { CUDA_DTYPE_CODES } from './cuda-module.js';
import type { CudaBufferHandle, CudaModule } from './cuda-module.js';

export type CudaLinearOps = Pick<
  Ops,
  | 'matmul'
  | 'loraLinearForward'
  | 'loraLinearBackward'
  | 'loraMultiForward'
  | 'loraSegmentedForward'
  | 'merge'
  | 'cast'
>;

export function createCudaLinearOps(module: CudaModule): CudaLinearOps {
  const buffer = (tensor: DeviceTensor): CudaBufferHandle => bufferOf(module, tensor);
  const optional = (tensor: DeviceTensor | undefined): CudaBufferHandle | null =>
    tensor === undefined ? null : buffer(tensor);
  // The dropout seed as the uint32 the mask hashes (dropout-mask.ts takes `seed >>> 0` too).
  const seedOf = (dropout: { seed: number } | undefined): number =>
    dropout === undefined ? 0 : dropout.seed >>> 0;
  const adapterTables = (adapters: readonly AdapterSlot[], ranks: readonly number[]) => ({
    loraAs: adapters.map((slot) => buffer(slot.loraA)),
    loraBs: adapters.map((slot) => buffer(slot.loraB)),
    ranks: Int32Array.from(ranks),
    scales: Float32Array.from(adapters, (slot) => slot.scale),
  });

  return {
    matmul(out: DeviceTensor, a: DeviceTensor, b: DeviceTensor, options: MatmulOptions = {}): void {
      const { batch, M, N, K, aBatchStride, bBatchStride } = validateMatmul(
        'matmul',
        'cuda',
        out,
        a,
        b,
        options,
      );
      callNative('matmul', () =>
        module.matmul(
          buffer(out),
          buffer(a),
          buffer(b),
          CUDA_DTYPE_CODES[out.dtype],
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
        ),
      );
    },
    loraLinearForward(args: LoraLinearForwardArgs): void {
      const { T, inFeatures, outFeatures, r, scale, dropoutProbability } = validateLoraLinearForward(
        'loraLinearForward',
        'cuda',
        args,
      );
      callNative('loraLinearForward', () =>
        module.loraLinearForward(
          buffer(args.x),
          buffer(args.weight),
          optional(args.bias),
          r ? optional(args.loraA) : null,
          r ? optional(args.loraB) : null,
          buffer(args.out),
          r ? optional(args.shrink) : null,
          T,
          inFeatures,
          outFeatures,
          r,
          scale,
          dropoutProbability,
          seedOf(args.dropout),
        ),
      );
    },
    loraLinearBackward(args: LoraLinearBackwardArgs): void {
      const { T, inFeatures, outFeatures, r, scale, dropoutProbability } = validateLoraLinearBackward(
        'loraLinearBackward',
        'cuda',
        args,
      );
      callNative('loraLinearBackward', () =>
        module.loraLinearBackward(
          buffer(args.dy),
          buffer(args.x),
          buffer(args.weight),
          r ? optional(args.loraA) : null,
          r ? optional(args.loraB) : null,
          r ? optional(args.shrink) : null,
          optional(args.dx),
          r ? optional(args.dA) : null,
          r ? optional(args.dB) : null,
          optional(args.dWeight),
          optional(args.dBias),
          T,
          inFeatures,
          outFeatures,
          r,
          scale,
          dropoutProbability,
          seedOf(args.dropout),
          args.accumulate === true,
        ),
      );
    },
    loraMultiForward(args: LoraMultiForwardArgs): void {
      const { T, inFeatures, outFeatures, ranks } = validateLoraMultiForward(
        'loraMultiForward',
        'cuda',
        args,
      );
      const { loraAs, loraBs, ranks: rankArray, scales } = adapterTables(args.adapters, ranks);
      callNative('loraMultiForward', () =>
        module.loraMultiForward(
          buffer(args.x),
          buffer(args.weight),
          optional(args.bias),
          buffer(args.out),
          loraAs,
          loraBs,
          rankArray,
          scales,
          args.rowAdapter,
          T,
          inFeatures,
          outFeatures,
        ),
      );
    },
    loraSegmentedForward(args: LoraSegmentedForwardArgs): void {
      const { T, inFeatures, outFeatures, ranks, segments } = validateLoraSegmentedForward(
        'loraSegmentedForward',
        'cuda',
        args,
      );
      const { loraAs, loraBs, ranks: rankArray, scales } = adapterTables(args.adapters, ranks);
      const starts = Int32Array.from(segments, (segment) => segment.start);
      const lengths = Int32Array.from(segments, (segment) => segment.length);
      const adapters = Int32Array.from(segments, (segment) => segment.adapter);
      callNative('loraSegmentedForward', () =>
        module.loraSegmentedForward(
          buffer(args.x),
          buffer(args.weight),
          optional(args.bias),
          buffer(args.out),
          loraAs,
          loraBs,
          rankArray,
          scales,
          starts,
          lengths,
          adapters,
          T,
          inFeatures,
          outFeatures,
        ),
      );
    },
    merge(args: {
      weight: DeviceTensor;
      loraA: DeviceTensor;
      loraB: DeviceTensor;
      scale: number;
      fanInFanOut?: boolean;
    }): void {
      const { outFeatures, inFeatures, r } = validateMerge('merge', 'cuda', args);
      callNative('merge', () =>
        module.merge(
          buffer(args.weight),
          buffer(args.loraA),
          buffer(args.loraB),
          outFeatures,
          inFeatures,
          r,
          args.scale,
          args.fanInFanOut === true,
        ),
      );
    },
    cast(out: DeviceTensor, x: DeviceTensor): void {
      const { size } = validateCast('cast', 'cuda', out, x);
      callNative('cast', () =>
        module.cast(buffer(out), CUDA_DTYPE_CODES[out.dtype], buffer(x), CUDA_DTYPE_CODES[x.dtype], size),
      );
    },
  };
}
