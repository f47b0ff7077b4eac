/**
 * Node-only. Writes a file so that readers see either the old file or the complete new one, never a partial
 * one: the bytes go to a temporary name in the same folder (same file system, so rename is atomic), are
 * flushed to disk, and the temporary file is renamed over the target; on any error it is removed.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors.js';

/** Bytes handed to one write call; a single write of more than 2 GiB is refused by Node. */
const CHUNK_BYTES = 1 << 30;

function describeFailure(path: string, error: unknown): FileError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return new FileError('FILE_NOT_FOUND', `cannot write ${path}: its folder does not exist`, {
      fix: 'create the folder first',
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FileError('FILE_UNREADABLE', `cannot write ${path}: ${reason}`, {
    fix: 'check the folder permissions and free disk space',
    cause: error,
  });
}

/**
 * Atomically replaces `path` with `data`: a string (written as UTF-8), one byte array, or byte arrays written
 * one after another (so a large file need not be joined in memory first).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | readonly Uint8Array[],
): Promise<void> {
  const chunks =
    typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let handle;
  try {
    handle = await open(temporary, 'wx');
    for (const chunk of chunks) {
      for (let offset = 0; offset < chunk.byteLength;) {
        const length = Math.min(CHUNK_BYTES, chunk.byteLength - offset);
        const { bytesWritten } = await handle.write(chunk, offset, length);
        offset += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw describeFailure(path, error);
  }
}
