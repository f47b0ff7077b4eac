/** Embedding lookup out[t] = table[ids[t]] and its gradient, the scatter-add dTable[ids[t]] += dy[t] (fp64 sums). */
import type { DeviceTensor } from '../device-tensor.js';
import { validateEmbedding, validateEmbeddingBackward } from '../validate/embedding.js';
import { hostData } from './host-data.js';

export function referenceEmbedding(out: DeviceTensor, table: DeviceTensor, ids: Int32Array): void {
  const { T, H } = validateEmbedding('embedding', 'reference', out, table, ids);
  const outData = hostData(out);
  const tableData = hostData(table);
  for (let t = 0; t < T; t++) {
    const id = ids[t] as number;
    outData.set(tableData.subarray(id * H, (id + 1) * H), t * H);
  }
}

export function referenceEmbeddingBackward(
  dTable: DeviceTensor,
  dy: DeviceTensor,
  ids: Int32Array,
  options: { accumulate?: boolean } = {},
): void {
  const { T, H } = validateEmbeddingBackward('embeddingBackward', 'reference', dTable, dy, ids);
  const tableData = hostData(dTable);
  const dyData = hostData(dy);
  // Sum in fp64 so a token repeated many times loses nothing to f32 rounding; store once.
  const sums = options.accumulate ? Float64Array.from(tableData) : new Float64Array(tableData.length);
  for (let t = 0; t < T; t++) {
    const base = (ids[t] as number) * H;
    for (let h = 0; h < H; h++) sums[base + h] = (sums[base + h] as number) + (dyData[t * H + h] as number);
  }
  tableData.set(sums);
}
