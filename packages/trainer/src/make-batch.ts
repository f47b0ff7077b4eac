/** Pads a few sequences into one [batch, length] batch: pad id in the inputs, IGNORE_INDEX in the targets. */
import type { EncodedSequence } from './encode-example.js';
import { IGNORE_INDEX } from './encode-example.js';

export interface TokenBatch {
  /** [batchSize·sequenceLength], row-major. */
  inputIds: Int32Array;
  /** [batchSize·sequenceLength]; IGNORE_INDEX where nothing is predicted (padding, prompts). */
  targets: Int32Array;
  batchSize: number;
  sequenceLength: number;
  /** Positions with a real target: the loss is the mean over these. */
  targetCount: number;
  /** Non-padding tokens, for tokens/s. */
  tokenCount: number;
}

/** Right padding: causal attention never lets a real token see the padding after it. */
export function makeBatch(sequences: readonly EncodedSequence[], padTokenId: number): TokenBatch {
  const sequenceLength = Math.max(1, ...sequences.map((sequence) => sequence.inputIds.length));
  const batchSize = sequences.length;
  const inputIds = new Int32Array(batchSize * sequenceLength).fill(padTokenId);
  const targets = new Int32Array(batchSize * sequenceLength).fill(IGNORE_INDEX);
  let targetCount = 0;
  let tokenCount = 0;
  sequences.forEach((sequence, row) => {
    inputIds.set(sequence.inputIds, row * sequenceLength);
    targets.set(sequence.targets, row * sequenceLength);
    tokenCount += sequence.inputIds.length;
    for (const target of sequence.targets) if (target !== IGNORE_INDEX) targetCount++;
  });
  return { inputIds, targets, batchSize, sequenceLength, targetCount, tokenCount };
}
