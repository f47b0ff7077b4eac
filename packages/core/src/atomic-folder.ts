/**
 * Node-only. Writes a whole folder so that readers see either the old folder or the complete new one, never a
 * half-written one: the files go into a hidden sibling, which then replaces the target by rename.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFolderAtomicOptions {
  /** Replace a folder that already exists at `dir` (default true). With false, an existing folder is an error. */
  overwrite?: boolean;
}

/** Calls `write` with a fresh temporary folder beside `dir`, then moves that folder to `dir`. */
export async function writeFolderAtomic(
  dir: string,
  write: (temporaryDir: string) => Promise<void>,
  options: WriteFolderAtomicOptions = {},
): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temporary = join(parent, `.${basename(dir)}.tmp-${tag}`);
  await mkdir(temporary);
  try {
    await write(temporary);
    const existing = await stat(dir).catch(() => undefined);
    if (existing && options.overwrite === false) {
      throw new Error(`${dir} already exists`);
    }
    if (existing) {
      const old = join(parent, `.${basename(dir)}.old-${tag}`);
      await rename(dir, old);
      await rename(temporary, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temporary, dir);
    }
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
