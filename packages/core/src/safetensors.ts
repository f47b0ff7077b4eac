/**
 * safetensors in memory: parse a whole file into zero-copy tensor views, and serialize tensors into a file.
 * The writer lays tensors out as the Rust `safetensors` crate (and so Python's `save_file`) does: sorted by
 * dtype alignment, largest first (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name in code point
 * order, contiguous from offset 0; the JSON header is compact, `__metadata__` first, and padded with spaces so
 * the data starts at a multiple of 8. Without metadata, the bytes equal what Python writes for the same tensors.
 */
import { dtypeBytes, isDType } from './dtype.js';
import type { DType } from './dtype.js';
import { FormatError, MathError } from './errors.js';
import { parseSafetensorsHeader, SAFETENSORS_MAX_HEADER_BYTES } from './safetensors-header.js';
import type { SafetensorsParseOptions } from './safetensors-header.js';
import type { Tensor } from './tensor.js';

export {
  parseSafetensorsHeader,
  safetensorsHeaderSize,
  SAFETENSORS_MAX_HEADER_BYTES,
} from './safetensors-header.js';
export type { SafetensorsEntry, SafetensorsHeader, SafetensorsParseOptions } from './safetensors-header.js';

export interface SafetensorsFile {
  /** The `__metadata__` string map, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
  /** Tensors in the order of their bytes in the file; each `data` is a view into the parsed bytes. */
  tensors: Map<string, Tensor>;
}

/** A writer's plan: the header bytes (length prefix included), the tensors in data order, the file size. */
export interface SafetensorsLayout {
  readonly header: Uint8Array;
  readonly tensors: ReadonlyArray<readonly [string, Tensor]>;
  readonly fileSize: number;
}

/** Parses a whole safetensors file after validating its header; tensor data are subarrays of `bytes`. */
export function parseSafetensors(bytes: Uint8Array, options: SafetensorsParseOptions = {}): SafetensorsFile {
  const header = parseSafetensorsHeader(bytes, bytes.byteLength, options);
  const tensors = new Map<string, Tensor>();
  for (const entry of header.entries) {
    const data = bytes.subarray(header.dataStart + entry.begin, header.dataStart + entry.end);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return { metadata: header.metadata, tensors };
}

/** Serializes tensors (and optional string metadata) into the bytes of one safetensors file. */
export function serializeSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const layout = layoutSafetensors(tensors, metadata);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(layout.fileSize);
  } catch (error) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `cannot hold a ${layout.fileSize}-byte safetensors file in memory`,
      {
        fix: 'write it with writeSafetensorsFile, or shard it with writeCheckpoint',
        cause: error,
      },
    );
  }
  bytes.set(layout.header, 0);
  let offset = layout.header.byteLength;
  for (const [, tensor] of layout.tensors) {
    bytes.set(tensor.data, offset);
    offset += tensor.data.byteLength;
  }
  return bytes;
}

/** Rank of each dtype in the Rust crate's `Dtype` enum, which is ordered by alignment. */
const ALIGNMENT_RANK = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 3,
  F16: 4,
  BF16: 5,
  I32: 6,
  F32: 7,
  F64: 8,
  I64: 9,
} as const satisfies Record<DType, number>;

function invalid(problem: string, fix: string): never {
  throw new FormatError('SAFETENSORS_INVALID', `cannot write safetensors: ${problem}`, { fix });
}

/** Compares by Unicode code points, which is the UTF-8 byte order Rust's `String` sorts by. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function checkTensor(name: unknown, tensor: unknown): asserts tensor is Tensor {
  if (typeof name !== 'string') invalid(`tensor name ${String(name)} is not a string`, 'use string keys');
  if (name === '__metadata__')
    invalid('"__metadata__" is reserved and cannot name a tensor', 'rename the tensor');
  const label = `tensor ${JSON.stringify(name)}`;
  if (typeof tensor !== 'object' || tensor === null)
    invalid(`${label} is not a tensor`, 'pass { dtype, shape, data }');
  const { dtype, shape, data } = tensor as Record<string, unknown>;
  if (!isDType(dtype))
    invalid(`${label} has unknown dtype ${String(dtype)}`, 'use one of the dtypes in DTYPES');
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    invalid(`${label} has shape ${JSON.stringify(shape)}`, 'a shape is an array of non-negative integers');
  }
  if (!(data instanceof Uint8Array))
    invalid(`${label} has no Uint8Array data`, 'pass the bytes as a Uint8Array');
  let byteLength = dtypeBytes(dtype);
  for (const size of shape as number[]) byteLength *= size;
  if (!Number.isSafeInteger(byteLength) || byteLength !== data.byteLength) {
    invalid(
      `${label} is ${dtype} [${(shape as number[]).join(', ')}], which needs ${byteLength} bytes, but has ${data.byteLength}`,
      'make the data length equal product(shape) times the dtype size',
    );
  }
}

/**
 * Validates tensors and metadata and computes the file layout, so a writer can stream the header and then each
 * tensor's bytes without building the whole file in memory.
 */
export function layoutSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): SafetensorsLayout {
  const entries: Array<[string, Tensor]> = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, tensor] of entries) checkTensor(name, tensor);
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      invalid('metadata is not an object', 'pass metadata as a Record<string, string>');
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        invalid(
          `metadata ${JSON.stringify(key)} is a ${typeof value}`,
          'safetensors metadata values must be strings',
        );
      }
    }
  }
  entries.sort(
    ([leftName, left], [rightName, right]) =>
      ALIGNMENT_RANK[right.dtype] - ALIGNMENT_RANK[left.dtype] || compareCodePoints(leftName, rightName),
  );
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const [name, tensor] of entries) {
    const end = offset + tensor.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.byteLength / 8) * 8;
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) {
    invalid(
      `the header would be ${headerLength} bytes, over the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`,
      'write fewer tensors per file or less metadata',
    );
  }
  const header = new Uint8Array(8 + headerLength).fill(0x20, 8 + json.byteLength);
  new DataView(header.buffer).setUint32(0, headerLength, true);
  header.set(json, 8);
  const fileSize = header.byteLength + offset;
  if (!Number.isSafeInteger(fileSize))
    invalid(`the file would be ${fileSize} bytes`, 'shard the tensors with writeCheckpoint');
  return { header, tensors: entries, fileSize };
}
