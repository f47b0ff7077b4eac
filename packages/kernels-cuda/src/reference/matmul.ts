/**
 * out = alpha·op(a)·op(b) + beta·out, batched, with fp64 accumulation. beta = 0 does not read out (BLAS
 * semantics: NaN or garbage in out does not leak into the result).
 */
import type { DeviceTensor } from '../device-tensor.js';
import type { MatmulOptions } from '../ops.js';
import { validateMatmul } from '../validate/matmul.js';
import { hostData } from './host-data.js';

export function referenceMatmul(
  out: DeviceTensor,
  a: DeviceTensor,
  b: DeviceTensor,
  options: MatmulOptions = {},
): void {
  const { batch, M, N, K, aBatchStride, bBatchStride } = validateMatmul(
    'matmul',
    'reference',
    out,
    a,
    b,
    options,
  );
  const aData = hostData(a);
  const bData = hostData(b);
  const outData = hostData(out);
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  // Element (row, column) of op(a) and op(b) within one batch entry.
  const aStrides = options.transposeA ? [1, M] : [K, 1];
  const bStrides = options.transposeB ? [1, K] : [N, 1];
  const [aRowStride, aColumnStride] = aStrides as [number, number];
  const [bRowStride, bColumnStride] = bStrides as [number, number];
  for (let entry = 0; entry < batch; entry++) {
    const aBase = entry * aBatchStride;
    const bBase = entry * bBatchStride;
    const outBase = entry * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          sum +=
            (aData[aBase + i * aRowStride + k * aColumnStride] as number) *
            (bData[bBase + k * bRowStride + j * bColumnStride] as number);
        }
        const index = outBase + i * N + j;
        outData[index] = beta === 0 ? alpha * sum : alpha * sum + beta * (outData[index] as number);
      }
    }
  }
}
