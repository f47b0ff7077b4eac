/**
 * Node-only. The weights of a Hugging Face model folder as one set of tensors: either `model.safetensors`, or
 * shards listed by `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: shard file}}`),
 * the layout transformers' `save_pretrained` writes. Writing shards greedily in the order given, starting a
 * new shard when the next tensor would pass `maxShardBytes`, as huggingface_hub's splitter does.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { FileError, FormatError, MathError } from './errors.js';
import { layoutSafetensors } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { elementCount } from './tensor.js';
import type { Tensor } from './tensor.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
/** transformers' default `max_shard_size="5GB"` (decimal gigabytes). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;
const SHARD_PATTERN = /^model-\d{5}-of-\d{5}\.safetensors$/;

export interface Checkpoint {
  /** Every tensor of the checkpoint; data are views into the bytes of the file that held them. */
  tensors: Map<string, Tensor>;
  /** Paths of the safetensors files read, in reading order. */
  files: string[];
  /** `__metadata__` of the single file, or of the first shard (transformers writes `{format: "pt"}`). */
  metadata: Record<string, string> | undefined;
  /** The index's "metadata" object (e.g. `total_size`) for a sharded checkpoint; undefined for one file. */
  indexMetadata: Record<string, unknown> | undefined;
}

export interface WriteCheckpointOptions {
  /** Largest sum of tensor bytes per shard before a new one starts (default 5 GB); one bigger tensor gets its own. */
  maxShardBytes?: number;
  /** `__metadata__` written into every file (default `{format: "pt"}`, which transformers checks for). */
  metadata?: Record<string, string>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badIndex(indexPath: string, problem: string): never {
  throw new FormatError('SAFETENSORS_INVALID', `${indexPath}: ${problem}`, {
    fix: 'the index is damaged; download or save the model again',
  });
}

/** Reads a model folder's safetensors weights, sharded or not, checking that every indexed tensor exists. */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const single = join(dir, SINGLE_FILE);
  if (await exists(single)) {
    const file = await readSafetensorsFile(single);
    return { tensors: file.tensors, files: [single], metadata: file.metadata, indexMetadata: undefined };
  }
  const indexPath = join(dir, INDEX_FILE);
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      throw new FileError('FILE_UNREADABLE', `cannot read ${indexPath}`, {
        fix: 'check its permissions',
        cause: error,
      });
    }
    const problem = (await exists(dir))
      ? `${dir} has neither ${SINGLE_FILE} nor ${INDEX_FILE}`
      : `model folder ${dir} does not exist`;
    throw new FileError('FILE_NOT_FOUND', problem, {
      fix: 'point at a folder with safetensors weights',
      cause: error,
    });
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (error) {
    throw new FormatError('JSON_INVALID', `${indexPath} is not valid JSON`, {
      fix: 'save the model again',
      cause: error,
    });
  }
  if (!isPlainObject(index) || !isPlainObject(index['weight_map']))
    badIndex(indexPath, 'has no "weight_map" object');
  const indexMetadata = index['metadata'];
  if (indexMetadata !== undefined && !isPlainObject(indexMetadata))
    badIndex(indexPath, '"metadata" is not an object');

  const shards = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(index['weight_map'])) {
    if (typeof shard !== 'string')
      badIndex(indexPath, `weight_map entry ${JSON.stringify(name)} is not a file name`);
    if (shard === '' || /[/\\\0]/.test(shard) || shard.includes('..')) {
      badIndex(
        indexPath,
        `shard ${JSON.stringify(shard)} of tensor ${JSON.stringify(name)} is not a plain file name in the folder`,
      );
    }
    const names = shards.get(shard) ?? [];
    names.push(name);
    shards.set(shard, names);
  }

  const tensors = new Map<string, Tensor>();
  const files: string[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [shard, names] of shards) {
    const path = join(dir, shard);
    if (!(await exists(path))) {
      throw new FileError('FILE_NOT_FOUND', `shard ${shard} listed in ${indexPath} does not exist`, {
        fix: 'download the missing shard',
      });
    }
    const file = await readSafetensorsFile(path);
    if (files.length === 0) metadata = file.metadata;
    files.push(path);
    for (const name of names) {
      if (!file.tensors.has(name)) {
        throw new FormatError(
          'SAFETENSORS_INVALID',
          `tensor ${JSON.stringify(name)} is missing from shard ${path}, where ${INDEX_FILE} puts it`,
          {
            fix: 'the shard and the index disagree; download or save the model again',
          },
        );
      }
    }
    for (const [name, tensor] of file.tensors) {
      if (tensors.has(name)) {
        throw new FormatError(
          'SAFETENSORS_INVALID',
          `tensor ${JSON.stringify(name)} is in more than one shard (again in ${path})`,
          {
            fix: 'save the model again so each tensor is in one shard',
          },
        );
      }
      tensors.set(name, tensor);
    }
  }
  return { tensors, files, metadata, indexMetadata };
}

/** Groups tensors into shards in the order given, a new shard when the next tensor would pass the limit. */
function splitShards(
  entries: Array<[string, Tensor]>,
  maxShardBytes: number,
): Array<Array<[string, Tensor]>> {
  const shards: Array<Array<[string, Tensor]>> = [];
  let current: Array<[string, Tensor]> = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entry[1].data.byteLength;
    if (current.length > 0 && currentBytes + size > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * Writes tensors as `model.safetensors`, or as shards plus `model.safetensors.index.json` when they pass
 * `maxShardBytes`; each file atomically, the index last. Files of the other layout left from an earlier save
 * are removed afterwards so a reader cannot pick up stale weights. Returns the paths written.
 */
export async function writeCheckpoint(
  dir: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  options: WriteCheckpointOptions = {},
): Promise<string[]> {
  const maxShardBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes <= 0) {
    throw new MathError('INVALID_ARGUMENT', `maxShardBytes ${maxShardBytes} is not a positive integer`, {
      fix: 'pass a byte count such as 5_000_000_000',
    });
  }
  const metadata = options.metadata ?? { format: 'pt' };
  const entries: Array<[string, Tensor]> = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const groups = splitShards(entries, maxShardBytes);
  if (groups.length > 99_999) {
    throw new MathError('INVALID_ARGUMENT', `${groups.length} shards do not fit the 5-digit shard names`, {
      fix: 'raise maxShardBytes',
    });
  }
  // Lay out every file before writing any, so invalid input fails without touching the folder.
  const names = groups.length === 1 ? [SINGLE_FILE] : groups.map((_, i) => shardName(i + 1, groups.length));
  const layouts = groups.map((group) => layoutSafetensors(new Map(group), metadata));
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new FileError('FILE_UNREADABLE', `cannot create folder ${dir}`, {
      fix: 'check its permissions',
      cause: error,
    });
  }
  const written: string[] = [];
  for (const [i, layout] of layouts.entries()) {
    const path = join(dir, names[i] ?? SINGLE_FILE);
    await writeFileAtomic(path, [layout.header, ...layout.tensors.map(([, tensor]) => tensor.data)]);
    written.push(path);
  }
  if (groups.length > 1) {
    const weightMap: Record<string, string> = {};
    const sorted = groups.flatMap((group, i) => group.map(([name]) => [name, names[i] ?? ''] as const));
    sorted.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, shard] of sorted) weightMap[name] = shard;
    const totalSize = entries.reduce((sum, [, tensor]) => sum + tensor.data.byteLength, 0);
    const totalParameters = entries.reduce((sum, [, tensor]) => sum + elementCount(tensor.shape), 0);
    // the same two totals transformers writes
    const index = {
      metadata: { total_parameters: totalParameters, total_size: totalSize },
      weight_map: weightMap,
    };
    const indexPath = join(dir, INDEX_FILE);
    await writeFileAtomic(indexPath, `${JSON.stringify(index, null, 2)}\n`);
    written.push(indexPath);
  }
  await removeStale(dir, new Set(names));
  return written;
}

function shardName(index: number, count: number): string {
  return `model-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;
}

/** Removes files of an earlier save that the new one does not use (transformers cleans its folder the same way). */
async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  const sharded = !keep.has(SINGLE_FILE);
  try {
    for (const name of await readdir(dir)) {
      const stale = SHARD_PATTERN.test(name) || name === SINGLE_FILE || (name === INDEX_FILE && !sharded);
      if (stale && !keep.has(name)) await rm(join(dir, name), { force: true });
    }
  } catch (error) {
    throw new FileError('FILE_UNREADABLE', `cannot remove the weights of an earlier save from ${dir}`, {
      fix: 'delete the old model*.safetensors files by hand',
      cause: error,
    });
  }
}
