/** Mean next-token loss over batches without training (no activations saved, no gradients). */
import type { TrainingSession } from '@lorakit/models';
import type { TokenBatch } from './make-batch.js';

/** Σ loss·counted / Σ counted over the batches: every target counts once, whatever the batch it fell in. */
export function evaluateLoss(session: TrainingSession, batches: readonly TokenBatch[]): number {
  let total = 0;
  let counted = 0;
  for (const batch of batches) {
    const result = session.forward(
      { tokens: batch.inputIds, targets: batch.targets, batch: batch.batchSize },
      { train: false },
    );
    total += result.loss * result.countedTokens;
    counted += result.countedTokens;
  }
  return counted === 0 ? Number.NaN : total / counted;
}
