/**
 * The cpu backend's non-GEMM ops (everything but matmul and the LoRA products): each validates its arguments with
 * the shared validators (../validate, the same typed errors as every backend), then calls its native kernel
 * (native/src/ops-*.cc) on the tensors' host storage. The maths and its rounding are the reference's; see each
 * .cc file's header for how closely each op agrees (bit-exact for cast, embeddingBackward, adamw, scale and add).
 */
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import type { NativeModule } from '../native/native-module.js';
import type { Ops } from '../ops.js';
import { hostData, hostStorage } from '../reference/host-data.js';
import type { OP_NAMES } from './native-op-names.js';
import {
  validateAdamW,
  validateAdd,
  validateAttention,
  validateAttentionBackward,
  validateCast,
  validateCrossEntropy,
  validateDecodeAttention,
  validateEmbedding,
  validateEmbeddingBackward,
  validateMerge,
  validateRmsNorm,
  validateRmsNormBackward,
  validateRope,
  validateScale,
  validateSiluMul,
  validateSiluMulBackward,
  validateSumOfSquares,
  validateWriteKvCache,
} from '../validate/index.js';

/** Every op but matmul and the LoRA products (those are in cpu-linear-ops.ts). */
export type NativeOtherOpName = Exclude<
  (typeof OP_NAMES)[number],
  'matmul' | 'loraLinearForward' | 'loraLinearBackward' | 'loraMultiForward' | 'loraSegmentedForward'
>;

export type NativeOtherOps = Pick<Ops, NativeOtherOpName>;

/** The non-GEMM ops of a host backend (`cpu` by default) running on `native`. */
export function createNativeOtherOps(native: NativeModule, backend: BackendName = 'cpu'): NativeOtherOps {
  const data = hostData;
  return {
    embedding(out: DeviceTensor, table: DeviceTensor, ids: Int32Array): void {
      const { T, V, H } = validateEmbedding('embedding', backend, out, table, ids);
      native.embedding(data(out), data(table), ids, T, V, H);
    },
    embeddingBackward(
      dTable: DeviceTensor,
      dy: DeviceTensor,
      ids: Int32Array,
      options: { accumulate?: boolean } = {},
    ): void {
      const { T, V, H } = validateEmbeddingBackward('embeddingBackward', backend, dTable, dy, ids);
      native.embeddingBackward(data(dTable), data(dy), ids, T, V, H, options.accumulate === true);
    },
    rmsNorm(
      out: DeviceTensor,
      x: DeviceTensor,
      weight: DeviceTensor,
      eps: number,
      rstd?: DeviceTensor,
    ): void {
      const { rows, H } = validateRmsNorm('rmsNorm', backend, out, x, weight, eps, rstd);
      native.rmsNorm(data(out), data(x), data(weight), rstd ? data(rstd) : null, rows, H, eps);
    },
    rmsNormBackward(args): void {
      const { rows, H } = validateRmsNormBackward('rmsNormBackward', backend, args);
      const dWeight = args.dWeight ? data(args.dWeight) : null;
      native.rmsNormBackward(
        data(args.dx),
        data(args.dy),
        data(args.x),
        data(args.weight),
        data(args.rstd),
        dWeight,
        rows,
        H,
        args.accumulate === true,
      );
    },
    rope(args): void {
      const { rows, heads, headDim } = validateRope('rope', backend, args);
      const scaling = args.scaling;
      const scalingValues = scaling
        ? Float64Array.of(
            scaling.factor,
            scaling.lowFreqFactor,
            scaling.highFreqFactor,
            scaling.originalMaxPositionEmbeddings,
          )
        : null;
      native.rope(
        data(args.x),
        args.positions,
        rows,
        heads,
        headDim,
        args.theta,
        scalingValues,
        args.inverse === true,
      );
    },
    attention(args): void {
      const { B, T, Hq, Hkv, D, scale } = validateAttention('attention', backend, args);
      native.attention(
        data(args.q),
        data(args.k),
        data(args.v),
        data(args.out),
        data(args.logSumExp),
        B,
        T,
        Hq,
        Hkv,
        D,
        scale,
      );
    },
    attentionBackward(args): void {
      const { B, T, Hq, Hkv, D, scale } = validateAttentionBackward('attentionBackward', backend, args);
      native.attentionBackward(
        data(args.dOut),
        data(args.q),
        data(args.k),
        data(args.v),
        data(args.out),
        data(args.logSumExp),
        data(args.dq),
        data(args.dk),
        data(args.dv),
        B,
        T,
        Hq,
        Hkv,
        D,
        scale,
      );
    },
    decodeAttention(args): void {
      const { B, maxT, Hq, Hkv, D, scale } = validateDecodeAttention('decodeAttention', backend, args);
      native.decodeAttention(
        data(args.q),
        data(args.keyCache),
        data(args.valueCache),
        args.lengths,
        data(args.out),
        B,
        maxT,
        Hq,
        Hkv,
        D,
        scale,
      );
    },
    writeKvCache(args): void {
      const { B, Tnew, maxT, Hkv, D } = validateWriteKvCache('writeKvCache', backend, args);
      native.writeKvCache(
        data(args.keyCache),
        data(args.valueCache),
        data(args.k),
        data(args.v),
        args.offsets,
        B,
        maxT,
        Tnew,
        Hkv,
        D,
      );
    },
    siluMul(out: DeviceTensor, gate: DeviceTensor, up: DeviceTensor): void {
      const { size } = validateSiluMul('siluMul', backend, out, gate, up);
      native.siluMul(data(out), data(gate), data(up), size);
    },
    siluMulBackward(args): void {
      const { size } = validateSiluMulBackward('siluMulBackward', backend, args);
      native.siluMulBackward(
        data(args.dGate),
        data(args.dUp),
        data(args.dy),
        data(args.gate),
        data(args.up),
        size,
      );
    },
    crossEntropy(args): void {
      const { T, V, ignoreIndex, gradScale } = validateCrossEntropy('crossEntropy', backend, args);
      const dLogits = args.dLogits ? data(args.dLogits) : null;
      native.crossEntropy(
        data(args.logits),
        args.targets,
        data(args.losses),
        dLogits,
        T,
        V,
        ignoreIndex,
        gradScale,
      );
    },
    adamw(args): void {
      const { size } = validateAdamW('adamw', backend, args);
      const { lr, beta1, beta2, eps, weightDecay, step } = args;
      // The same expressions as the reference's, so the per-element fp64 update is bit-identical to it.
      const stepSize = lr / (1 - beta1 ** step);
      const correctionRoot = Math.sqrt(1 - beta2 ** step);
      const decay = 1 - lr * weightDecay;
      native.adamw(
        data(args.param),
        data(args.grad),
        data(args.m),
        data(args.v),
        size,
        beta1,
        beta2,
        eps,
        stepSize,
        correctionRoot,
        decay,
      );
    },
    sumOfSquares(tensors: readonly DeviceTensor[]): number {
      validateSumOfSquares('sumOfSquares', backend, tensors);
      return native.sumOfSquares(tensors.map(data));
    },
    scale(x: DeviceTensor, factor: number): void {
      const { size } = validateScale('scale', backend, x, factor);
      native.scale(data(x), factor, size);
    },
    add(out: DeviceTensor, a: DeviceTensor, b: DeviceTensor): void {
      const { size } = validateAdd('add', backend, out, a, b);
      native.add(data(out), data(a), data(b), size);
    },
    merge(args): void {
      const { outFeatures, inFeatures, r } = validateMerge('merge', backend, args);
      native.merge(
        data(args.weight),
        data(args.loraA),
        data(args.loraB),
        outFeatures,
        inFeatures,
        r,
        args.scale,
        args.fanInFanOut === true,
      );
    },
    cast(out: DeviceTensor, x: DeviceTensor): void {
      const { size } = validateCast('cast', backend, out, x);
      native.cast(hostStorage(out), hostStorage(x), size, out.dtype, x.dtype);
    },
  };
}
