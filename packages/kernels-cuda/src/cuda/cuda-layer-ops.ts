/**
 * The cuda backend's layer ops: embedding, RMSNorm, RoPE, attention (training and decode), SwiGLU, cross-entropy,
 * AdamW and the gradient-norm helpers. Each validates with the shared validators, then queues native work
 * (native-cuda/src: embedding.cu, norm.cu, rope.cu, attention*.cu, elementwise.cu, cross-entropy.cu, optimizer.cu).
 * RoPE's inverse frequencies come from the reference's ropeInverseFrequencies, so both round them identically.
 */
import type { DeviceTensor } from '../device-tensor.js';
import type {
  AdamWArgs,
  AttentionArgs,
  AttentionBackwardArgs,
  CrossEntropyArgs,
  DecodeAttentionArgs,
  KvCacheWriteArgs,
  Ops,
  RopeArgs,
} from '../ops.js';
import { ropeInverseFrequencies } from '../reference/rope.js';
import {
  validateAdamW,
  validateAdd,
  validateAttention,
  validateAttentionBackward,
  validateCrossEntropy,
  validateDecodeAttention,
  validateEmbedding,
  validateEmbeddingBackward,
  validateRmsNorm,
  validateRmsNormBackward,
  validateRope,
  validateScale,
  validateSiluMul,
  validateSiluMulBackward,
  validateSumOfSquares,
  validateWriteKvCache,
} from '../validate/index.js';
import { callNative } from './call-native.js';
import { bufferOf } from './cuda-memory.js';
import type { CudaBufferHandle, CudaModule } from './cuda-module.js';

export type CudaLayerOps = Omit<
  Ops,
  | 'matmul'
  | 'loraLinearForward'
  | 'loraLinearBackward'
  | 'loraMultiForward'
  | 'loraSegmentedForward'
  | 'merge'
  | 'cast'
>;

export function createCudaLayerOps(module: CudaModule): CudaLayerOps {
  const buffer = (tensor: DeviceTensor): CudaBufferHandle => bufferOf(module, tensor);
  const optional = (tensor: DeviceTensor | undefined): CudaBufferHandle | null =>
    tensor === undefined ? null : buffer(tensor);

  return {
    embedding(out: DeviceTensor, table: DeviceTensor, ids: Int32Array): void {
      const { T, V, H } = validateEmbedding('embedding', 'cuda', out, table, ids);
      callNative('embedding', () => module.embedding(buffer(out), buffer(table), ids, T, V, H));
    },
    embeddingBackward(
      dTable: DeviceTensor,
      dy: DeviceTensor,
      ids: Int32Array,
      options: { accumulate?: boolean } = {},
    ): void {
      const { T, V, H } = validateEmbeddingBackward('embeddingBackward', 'cuda', dTable, dy, ids);
      callNative('embeddingBackward', () =>
        module.embeddingBackward(buffer(dTable), buffer(dy), ids, T, V, H, options.accumulate === true),
      );
    },
    rmsNorm(
      out: DeviceTensor,
      x: DeviceTensor,
      weight: DeviceTensor,
      eps: number,
      rstd?: DeviceTensor,
    ): void {
      const { rows, H } = validateRmsNorm('rmsNorm', 'cuda', out, x, weight, eps, rstd);
      callNative('rmsNorm', () =>
        module.rmsNorm(buffer(out), optional(rstd), buffer(x), buffer(weight), rows, H, eps),
      );
    },
    rmsNormBackward(args: {
      dx: DeviceTensor;
      dy: DeviceTensor;
      x: DeviceTensor;
      weight: DeviceTensor;
      rstd: DeviceTensor;
      dWeight?: DeviceTensor;
      accumulate?: boolean;
    }): void {
      const { rows, H } = validateRmsNormBackward('rmsNormBackward', 'cuda', args);
      callNative('rmsNormBackward', () =>
        module.rmsNormBackward(
          buffer(args.dx),
          optional(args.dWeight),
          buffer(args.dy),
          buffer(args.x),
          buffer(args.weight),
          buffer(args.rstd),
          rows,
          H,
          args.accumulate === true,
        ),
      );
    },
    rope(args: RopeArgs): void {
      const { rows, heads, headDim } = validateRope('rope', 'cuda', args);
      const frequencies = ropeInverseFrequencies(headDim, args.theta, args.scaling);
      callNative('rope', () =>
        module.rope(buffer(args.x), args.positions, frequencies, rows, heads, headDim, args.inverse === true),
      );
    },
    attention(args: AttentionArgs): void {
      const { B, T, Hq, Hkv, D, scale } = validateAttention('attention', 'cuda', args);
      callNative('attention', () =>
        module.attention(
          buffer(args.q),
          buffer(args.k),
          buffer(args.v),
          buffer(args.out),
          buffer(args.logSumExp),
          B,
          T,
          Hq,
          Hkv,
          D,
          scale,
        ),
      );
    },
    attentionBackward(args: AttentionBackwardArgs): void {
      const { B, T, Hq, Hkv, D, scale } = validateAttentionBackward('attentionBackward', 'cuda', args);
      callNative('attentionBackward', () =>
        module.attentionBackward(
          buffer(args.dOut),
          buffer(args.q),
          buffer(args.k),
          buffer(args.v),
          buffer(args.out),
          buffer(args.logSumExp),
          buffer(args.dq),
          buffer(args.dk),
          buffer(args.dv),
          B,
          T,
          Hq,
          Hkv,
          D,
          scale,
        ),
      );
    },
    decodeAttention(args: DecodeAttentionArgs): void {
      const { B, maxT, Hq, Hkv, D, scale } = validateDecodeAttention('decodeAttention', 'cuda', args);
      callNative('decodeAttention', () =>
        module.decodeAttention(
          buffer(args.q),
          buffer(args.keyCache),
          buffer(args.valueCache),
          args.lengths,
          buffer(args.out),
          B,
          maxT,
          Hq,
          Hkv,
          D,
          scale,
        ),
      );
    },
    writeKvCache(args: KvCacheWriteArgs): void {
      const { B, Tnew, maxT, Hkv, D } = validateWriteKvCache('writeKvCache', 'cuda', args);
      callNative('writeKvCache', () =>
        module.writeKvCache(
          buffer(args.keyCache),
          buffer(args.valueCache),
          buffer(args.k),
          buffer(args.v),
          args.offsets,
          B,
          Tnew,
          maxT,
          Hkv,
          D,
        ),
      );
    },
    siluMul(out: DeviceTensor, gate: DeviceTensor, up: DeviceTensor): void {
      const { size } = validateSiluMul('siluMul', 'cuda', out, gate, up);
      callNative('siluMul', () => module.siluMul(buffer(out), buffer(gate), buffer(up), size));
    },
    siluMulBackward(args: {
      dGate: DeviceTensor;
      dUp: DeviceTensor;
      dy: DeviceTensor;
      gate: DeviceTensor;
      up: DeviceTensor;
    }): void {
      const { size } = validateSiluMulBackward('siluMulBackward', 'cuda', args);
      callNative('siluMulBackward', () =>
        module.siluMulBackward(
          buffer(args.dGate),
          buffer(args.dUp),
          buffer(args.dy),
          buffer(args.gate),
          buffer(args.up),
          size,
        ),
      );
    },
    crossEntropy(args: CrossEntropyArgs): void {
      const { T, V, ignoreIndex, gradScale } = validateCrossEntropy('crossEntropy', 'cuda', args);
      callNative('crossEntropy', () =>
        module.crossEntropy(
          buffer(args.logits),
          args.targets,
          buffer(args.losses),
          optional(args.dLogits),
          T,
          V,
          ignoreIndex,
          gradScale,
        ),
      );
    },
    adamw(args: AdamWArgs): void {
      const { size } = validateAdamW('adamw', 'cuda', args);
      const { lr, beta1, beta2, eps, weightDecay, step } = args;
      // The same scalars as reference/optimizer.ts, in fp64 on the host.
      const stepSize = lr / (1 - beta1 ** step);
      const secondCorrectionRoot = Math.sqrt(1 - beta2 ** step);
      const decay = 1 - lr * weightDecay;
      callNative('adamw', () =>
        module.adamw(
          buffer(args.param),
          buffer(args.grad),
          buffer(args.m),
          buffer(args.v),
          size,
          beta1,
          beta2,
          eps,
          stepSize,
          secondCorrectionRoot,
          decay,
        ),
      );
    },
    sumOfSquares(tensors: readonly DeviceTensor[]): number {
      validateSumOfSquares('sumOfSquares', 'cuda', tensors);
      return callNative('sumOfSquares', () =>
        module.sumOfSquares(
          tensors.map((tensor) => buffer(tensor)),
          tensors.map((tensor) => tensor.size),
        ),
      );
    },
    scale(x: DeviceTensor, factor: number): void {
      const { size } = validateScale('scale', 'cuda', x, factor);
      callNative('scale', () => module.scale(buffer(x), size, factor));
    },
    add(out: DeviceTensor, a: DeviceTensor, b: DeviceTensor): void {
      const { size } = validateAdd('add', 'cuda', out, a, b);
      callNative('add', () => module.add(buffer(out), buffer(a), buffer(b), size));
    },
  };
}
