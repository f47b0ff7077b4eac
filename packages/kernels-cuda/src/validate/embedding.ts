/**
 * Index: validateEmbedding(op, backend, out, table, ids) → { T, V, H },
 *        validateEmbeddingBackward(op, backend, dTable, dy, ids) → { T, V, H }.
 * Shapes: table/dTable [V, H], out/dy [T, H], ids an Int32Array of T values in [0, V).
 */
import { checkIndices, checkRank, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import { checkNotAliased, checkShape } from './check-arguments.js';

export interface EmbeddingDimensions {
  T: number;
  V: number;
  H: number;
}

export function validateEmbedding(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  table: DeviceTensor,
  ids: Int32Array,
): EmbeddingDimensions {
  const [V, H] = checkRank(op, 'table', table, backend, 2) as [number, number];
  const [T] = checkRank(op, 'out', out, backend, 2) as [number];
  checkShape(op, 'out', out, backend, [T, H], `for table ${describeShape(table.shape)}`);
  checkIndices(op, 'ids', ids, T, 0, V);
  checkNotAliased(op, { out }, { table });
  return { T, V, H };
}

export function validateEmbeddingBackward(
  op: string,
  backend: BackendName,
  dTable: DeviceTensor,
  dy: DeviceTensor,
  ids: Int32Array,
): EmbeddingDimensions {
  const [V, H] = checkRank(op, 'dTable', dTable, backend, 2) as [number, number];
  const [T] = checkRank(op, 'dy', dy, backend, 2) as [number];
  checkShape(op, 'dy', dy, backend, [T, H], `for dTable ${describeShape(dTable.shape)}`);
  checkIndices(op, 'ids', ids, T, 0, V);
  checkNotAliased(op, { dTable }, { dy });
  return { T, V, H };
}
