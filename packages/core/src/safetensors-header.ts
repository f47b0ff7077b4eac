/**
 * Reading and checking the header of a safetensors file, with no access to the tensor bytes, so a reader can
 * load the header alone first. Layout: u64 little-endian header length N, N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the data buffer.
 * The checks are those of the Rust `safetensors` crate: header under 100 MB, offsets sorted by (begin, end)
 * running contiguously from 0 and covering the data buffer exactly, each span = product(shape) · bytes(dtype).
 */
import { DTYPES, dtypeBytes, isDType } from './dtype.js';
import type { DType } from './dtype.js';
import { FormatError, MathError } from './errors.js';
import { formatShape } from './tensor.js';

/** The largest header the reader accepts, as in the Rust crate (a bigger one is an attack, not a model). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsParseOptions {
  /** Name of the file or buffer, used to begin every error message (default "safetensors data"). */
  source?: string;
}

/** One tensor's header entry; `begin`/`end` are byte offsets into the data buffer (not into the file). */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** The `__metadata__` map, or undefined when the header has none. */
  readonly metadata: Record<string, string> | undefined;
  /** Entries sorted by data offsets, the order of the bytes in the file. */
  readonly entries: readonly SafetensorsEntry[];
  /** Byte offset of the data buffer in the file: 8 + header length. */
  readonly dataStart: number;
}

const FIX = 'the file is damaged or is not a safetensors file; download or write it again';
const DTYPE_LIST = Object.keys(DTYPES).join(', ');

function fail(source: string, problem: string, fix: string = FIX): never {
  throw new FormatError('SAFETENSORS_INVALID', `${source}: ${problem}`, { fix });
}

/**
 * A short printable form of a value read from the file. Bounded in depth and width, because the value may be
 * hostile: JSON.stringify would overflow the stack on deep nesting or build a huge message.
 */
function describe(value: unknown, depth = 0): string {
  let text: string;
  if (Array.isArray(value)) {
    const items = depth > 1 ? ['...'] : value.slice(0, 4).map((item: unknown) => describe(item, depth + 1));
    text = `[${items.join(',')}${value.length > 4 && depth <= 1 ? ',...' : ''}]`;
  } else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const shown = depth > 1 ? [] : keys.slice(0, 3);
    const items = shown.map(
      (key) => `${JSON.stringify(key)}:${describe((value as Record<string, unknown>)[key], depth + 1)}`,
    );
    text = `{${items.join(',')}${keys.length > shown.length ? (items.length ? ',...' : '...') : ''}}`;
  } else {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The size of the file's prefix that holds the header (8 + N), checked against the cap and the file size.
 * `prefix` needs only its first 8 bytes.
 */
export function safetensorsHeaderSize(
  prefix: Uint8Array,
  fileSize: number,
  options: SafetensorsParseOptions = {},
): number {
  const source = options.source ?? 'safetensors data';
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) {
    throw new MathError('INVALID_ARGUMENT', `${source}: file size ${fileSize} is not a non-negative integer`);
  }
  if (fileSize < 8 || prefix.byteLength < 8) {
    fail(source, `${Math.min(fileSize, prefix.byteLength)} bytes is too short for the 8-byte header length`);
  }
  // Two 32-bit halves instead of a BigInt read: anything with a non-zero high half is over the cap anyway.
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > SAFETENSORS_MAX_HEADER_BYTES) {
    const length = (BigInt(high) << 32n) | BigInt(low);
    fail(source, `header length ${length} is over the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  }
  if (8 + low > fileSize) fail(source, `header length ${low} runs past the end of the ${fileSize}-byte file`);
  return 8 + low;
}

/**
 * Parses and validates the header. `prefix` holds at least the first 8 + N bytes of the file (the whole file
 * will do); `fileSize` is the size of the whole file, against which every offset is checked.
 */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  fileSize: number,
  options: SafetensorsParseOptions = {},
): SafetensorsHeader {
  const source = options.source ?? 'safetensors data';
  const dataStart = safetensorsHeaderSize(prefix, fileSize, options);
  if (prefix.byteLength < dataStart) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `${source}: ${prefix.byteLength} header bytes were given but the header needs ${dataStart}`,
      { fix: 'pass at least safetensorsHeaderSize(...) bytes' },
    );
  }
  const headerBytes = prefix.subarray(8, dataStart);
  if (headerBytes[0] !== 0x7b) fail(source, 'the JSON header does not start with "{"');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail(source, 'the header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(source, `the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isPlainObject(parsed)) fail(source, 'the header is not a JSON object');
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) fail(source, `the header names ${describe(duplicate)} twice`);

  const dataSize = fileSize - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') metadata = readMetadata(value, source);
    else entries.push(readEntry(name, value, dataSize, source));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected) {
      const relation =
        entry.begin < expected ? 'overlaps the tensor before it' : 'leaves a gap after the tensor before it';
      fail(
        source,
        `tensor ${describe(entry.name)} at data_offsets [${entry.begin}, ${entry.end}] ${relation}, which ends at ${expected}`,
      );
    }
    expected = entry.end;
  }
  if (expected !== dataSize) {
    fail(
      source,
      `the tensors cover ${expected} bytes but the data buffer holds ${dataSize} (the file is truncated or has trailing bytes)`,
    );
  }
  return { metadata, entries, dataStart };
}

function readMetadata(value: unknown, source: string): Record<string, string> {
  if (!isPlainObject(value)) fail(source, `"__metadata__" is ${describe(value)}, not an object of strings`);
  const metadata: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string')
      fail(source, `"__metadata__" key ${describe(key)} is ${describe(item)}, not a string`);
    metadata[key] = item;
  }
  return metadata;
}

function readEntry(name: string, value: unknown, dataSize: number, source: string): SafetensorsEntry {
  const label = `tensor ${describe(name)}`;
  if (!isPlainObject(value))
    fail(source, `${label} is ${describe(value)}, not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDType(dtype)) {
    fail(
      source,
      `${label} has dtype ${describe(dtype)}, which lorakit does not read`,
      `supported dtypes: ${DTYPE_LIST}`,
    );
  }
  if (
    !Array.isArray(shape) ||
    !shape.every((size: unknown) => Number.isSafeInteger(size) && (size as number) >= 0)
  ) {
    fail(source, `${label} has shape ${describe(shape)}; expected an array of non-negative integers`);
  }
  const dimensions = shape as number[];
  // Safe-integer products at every step, as the Rust crate checks each multiplication for overflow.
  let byteLength = dtypeBytes(dtype);
  for (const size of dimensions) {
    byteLength *= size;
    if (!Number.isSafeInteger(byteLength))
      fail(source, `${label} of shape ${describe(shape)} is too large to address`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset: unknown) => Number.isSafeInteger(offset) && (offset as number) >= 0)
  ) {
    fail(
      source,
      `${label} has data_offsets ${describe(offsets)}; expected [begin, end] with non-negative integers`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataSize) {
    fail(source, `${label} has data_offsets [${begin}, ${end}] outside the ${dataSize}-byte data buffer`);
  }
  if (end - begin !== byteLength) {
    fail(
      source,
      `${label} is ${dtype} ${formatShape(dimensions)} = ${byteLength} bytes but its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...dimensions], begin, end };
}

/**
 * The first top-level key that occurs twice, or undefined. JSON.parse silently keeps the last of duplicates,
 * which would hide a second tensor with the same name. `text` is known to be valid JSON, so a plain scan works.
 */
function findDuplicateKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) depth--;
    else if (code === 0x22) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      if (depth !== 1) continue;
      let next = i + 1;
      while (/\s/.test(text.charAt(next))) next++;
      if (text.charAt(next) !== ':') continue;
      const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      if (seen.has(key)) return key;
      seen.add(key);
    }
  }
  return undefined;
}
