/**
 * Softmax cross-entropy per row: loss = logsumexp(logits) − logits[target] (0 where target = ignoreIndex), and
 * optionally dLogits = gradScale·(softmax − onehot(target)) (0 for ignored rows). The row is read into fp64
 * before anything is written, so dLogits may be the logits tensor itself.
 */
import type { CrossEntropyArgs } from '../ops.js';
import { validateCrossEntropy } from '../validate/cross-entropy.js';
import { hostData } from './host-data.js';

export function referenceCrossEntropy(args: CrossEntropyArgs): void {
  const { T, V, ignoreIndex, gradScale } = validateCrossEntropy('crossEntropy', 'reference', args);
  const logits = hostData(args.logits);
  const losses = hostData(args.losses);
  const dLogits = args.dLogits ? hostData(args.dLogits) : undefined;
  const row = new Float64Array(V);
  for (let t = 0; t < T; t++) {
    const target = args.targets[t] as number;
    if (target === ignoreIndex) {
      losses[t] = 0;
      dLogits?.fill(0, t * V, (t + 1) * V);
      continue;
    }
    let maximum = -Infinity;
    for (let j = 0; j < V; j++) {
      row[j] = logits[t * V + j] as number;
      maximum = Math.max(maximum, row[j] as number);
    }
    let total = 0;
    for (let j = 0; j < V; j++) total += Math.exp((row[j] as number) - maximum);
    const lse = maximum + Math.log(total);
    losses[t] = lse - (row[target] as number);
    if (dLogits) {
      for (let j = 0; j < V; j++)
        dLogits[t * V + j] = gradScale * (Math.exp((row[j] as number) - lse) - (j === target ? 1 : 0));
    }
  }
}
