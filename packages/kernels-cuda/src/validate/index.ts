/**
 * The per-op argument validators every backend calls before computing (reference, cpu, cuda). Each takes the
 * op's name, the backend's name and the op's arguments, throws a typed error naming the op and the shapes, and
 * returns the dimensions the kernel needs.
 */
export { checkNotAliased, checkNumber, checkShape, rowsOf } from './check-arguments.js';
export type { NumberRange } from './check-arguments.js';
export { validateMatmul } from './matmul.js';
export type { MatmulDimensions } from './matmul.js';
export { validateDropout, validateLoraLinearBackward, validateLoraLinearForward } from './lora-linear.js';
export type { LoraLinearDimensions } from './lora-linear.js';
export { validateLoraMultiForward, validateLoraSegmentedForward } from './lora-multi.js';
export type { LoraMultiDimensions, Segment } from './lora-multi.js';
export { validateEmbedding, validateEmbeddingBackward } from './embedding.js';
export type { EmbeddingDimensions } from './embedding.js';
export { validateRmsNorm, validateRmsNormBackward } from './norm.js';
export type { RmsNormDimensions } from './norm.js';
export { validateRope } from './rope.js';
export type { RopeDimensions } from './rope.js';
export {
  validateAttention,
  validateAttentionBackward,
  validateDecodeAttention,
  validateWriteKvCache,
} from './attention.js';
export type { AttentionDimensions, DecodeAttentionDimensions, KvCacheWriteDimensions } from './attention.js';
export { validateCrossEntropy } from './cross-entropy.js';
export type { CrossEntropyDimensions } from './cross-entropy.js';
export { validateAdamW, validateScale, validateSumOfSquares } from './optimizer.js';
export { validateAdd, validateSiluMul, validateSiluMulBackward } from './elementwise.js';
export { validateMerge } from './merge.js';
export type { MergeDimensions } from './merge.js';
export { validateCast } from './cast.js';
