/**
 * Node-only. Reads and writes safetensors files. The reader checks the header against the file size before it
 * allocates anything sized by the file, then reads the file once into one Buffer whose subarrays become the
 * tensors. A file past Node's Buffer limit (4 GiB on Node 20) is read tensor by tensor into separate buffers.
 */
import { constants } from 'node:buffer';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { FileError, LorakitError } from './errors.js';
import { layoutSafetensors, parseSafetensorsHeader, safetensorsHeaderSize } from './safetensors.js';
import type { SafetensorsFile } from './safetensors.js';
import type { Tensor } from './tensor.js';

/** Largest single read: Node refuses reads of 2 GiB or more in one call. */
const READ_CHUNK_BYTES = 1 << 30;

function fileError(path: string, error: unknown): FileError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return new FileError('FILE_NOT_FOUND', `${path} does not exist`, { fix: 'check the path', cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FileError('FILE_UNREADABLE', `cannot read ${path}: ${reason}`, {
    fix: 'check the file permissions',
    cause: error,
  });
}

/** Uninitialised memory (every byte is overwritten by the read) as a plain Uint8Array, outside Node's pool. */
function allocate(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Fills `target` from `position` in the file, failing if the file ends early (it shrank while being read). */
async function readFully(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  path: string,
): Promise<void> {
  for (let done = 0; done < target.byteLength;) {
    const length = Math.min(READ_CHUNK_BYTES, target.byteLength - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0)
      throw new FileError('FILE_UNREADABLE', `${path} ended early: it changed while being read`);
    done += bytesRead;
  }
}

/** Reads and validates a whole safetensors file; missing file → FileError FILE_NOT_FOUND. */
export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const fileSize = (await handle.stat()).size;
    const lengthBytes = new Uint8Array(Math.min(8, fileSize));
    await readFully(handle, lengthBytes, 0, path);
    const headerSize = safetensorsHeaderSize(lengthBytes, fileSize, { source: path });
    const whole = fileSize <= constants.MAX_LENGTH;
    const prefix = allocate(whole ? fileSize : headerSize);
    await readFully(handle, prefix.subarray(0, headerSize), 0, path);
    const header = parseSafetensorsHeader(prefix, fileSize, { source: path });
    if (whole) await readFully(handle, prefix.subarray(headerSize), headerSize, path);
    const tensors = new Map<string, Tensor>();
    for (const entry of header.entries) {
      const begin = header.dataStart + entry.begin;
      const end = header.dataStart + entry.end;
      const data = whole ? prefix.subarray(begin, end) : allocate(end - begin);
      if (!whole) await readFully(handle, data, begin, path);
      tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
    }
    return { metadata: header.metadata, tensors };
  } catch (error) {
    if (error instanceof LorakitError) throw error;
    throw fileError(path, error);
  } finally {
    await handle.close();
  }
}

/** Writes tensors (and string metadata) as a safetensors file, atomically, streaming each tensor's bytes. */
export async function writeSafetensorsFile(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const layout = layoutSafetensors(tensors, metadata);
  await writeFileAtomic(path, [layout.header, ...layout.tensors.map(([, tensor]) => tensor.data)]);
}
