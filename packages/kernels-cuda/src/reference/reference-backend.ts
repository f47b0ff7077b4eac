/**
 * The `reference` backend: plain TypeScript loops with fp64 accumulation over HostTensor memory. Always
 * available, slow, and the truth every other backend is tested against (src/ops/*.test.ts). Each op validates
 * its arguments with the shared validators (../validate) and lives in its own file here.
 */
import type { Backend } from '../backend.js';
import { referenceAttention, referenceAttentionBackward } from './attention.js';
import { referenceCast } from './cast.js';
import { referenceCrossEntropy } from './cross-entropy.js';
import { referenceDecodeAttention, referenceWriteKvCache } from './decode-attention.js';
import { referenceAdd, referenceSiluMul, referenceSiluMulBackward } from './elementwise.js';
import { referenceEmbedding, referenceEmbeddingBackward } from './embedding.js';
import { createHostMemory } from './host-memory.js';
import { referenceLoraLinearBackward, referenceLoraLinearForward } from './lora-linear.js';
import { referenceLoraMultiForward, referenceLoraSegmentedForward } from './lora-multi.js';
import { referenceMatmul } from './matmul.js';
import { referenceMerge } from './merge.js';
import { referenceRmsNorm, referenceRmsNormBackward } from './norm.js';
import { referenceAdamW, referenceScale, referenceSumOfSquares } from './optimizer.js';
import { referenceRope } from './rope.js';

export function createReferenceBackend(): Backend {
  return {
    name: 'reference',
    description: 'reference: plain TypeScript loops, fp64 accumulation (slow; the correctness baseline)',
    ...createHostMemory('reference'),
    matmul: referenceMatmul,
    loraLinearForward: referenceLoraLinearForward,
    loraLinearBackward: referenceLoraLinearBackward,
    loraMultiForward: referenceLoraMultiForward,
    loraSegmentedForward: referenceLoraSegmentedForward,
    embedding: referenceEmbedding,
    embeddingBackward: referenceEmbeddingBackward,
    rmsNorm: referenceRmsNorm,
    rmsNormBackward: referenceRmsNormBackward,
    rope: referenceRope,
    attention: referenceAttention,
    attentionBackward: referenceAttentionBackward,
    decodeAttention: referenceDecodeAttention,
    writeKvCache: referenceWriteKvCache,
    siluMul: referenceSiluMul,
    siluMulBackward: referenceSiluMulBackward,
    crossEntropy: referenceCrossEntropy,
    adamw: referenceAdamW,
    sumOfSquares: referenceSumOfSquares,
    scale: referenceScale,
    add: referenceAdd,
    merge: referenceMerge,
    cast: referenceCast,
    // Host memory belongs to the tensors; the backend itself holds nothing to free.
    dispose(): void {},
    [Symbol.dispose](): void {},
  };
}
