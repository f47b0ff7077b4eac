/** Records JSONL files: one EvalRecord per line, written atomically, read back with FILE:LINE errors. */
import { readFile } from 'node:fs/promises';
import { FileError, FormatError, LorakitError } from '@lorakit/core';
import { writeFileAtomic } from '@lorakit/core/node';
import type { EvalRecord } from './eval-record.js';

export async function writeRecords(options: { path: string; records: readonly EvalRecord[] }): Promise<void> {
  const text = options.records.map((record) => JSON.stringify(record)).join('\n');
  await writeFileAtomic(options.path, text.length > 0 ? `${text}\n` : '');
}

export function parseRecords(text: string, file: string): EvalRecord[] {
  const records: EvalRecord[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FormatError('JSON_INVALID', `${where}: not valid JSON (${(error as Error).message})`);
    }
    const record = value as Record<string, unknown>;
    const problems = [
      typeof record['id'] === 'string' ? '' : '"id" (string)',
      typeof record['prompt_hash'] === 'string' ? '' : '"prompt_hash" (string)',
      typeof record['score'] === 'number' && Number.isFinite(record['score'])
        ? ''
        : '"score" (finite number)',
    ].filter((problem) => problem !== '');
    if (typeof value !== 'object' || value === null || problems.length > 0)
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `${where}: a record needs ${problems.join(', ') || 'to be an object'}`,
        {
          fix: 'give a records file written by `lorakit eval --records`',
        },
      );
    records.push({
      id: record['id'] as string,
      prompt_hash: record['prompt_hash'] as string,
      output: typeof record['output'] === 'string' ? record['output'] : '',
      reference: typeof record['reference'] === 'string' ? record['reference'] : '',
      score: record['score'] as number,
      ...(typeof record['metric'] === 'string' ? { metric: record['metric'] } : {}),
    });
  });
  if (records.length === 0) throw new LorakitError('INVALID_ARGUMENT', `${file}: no records`);
  return records;
}

export async function readRecords(options: { path: string }): Promise<EvalRecord[]> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new FileError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `${options.path}: ${missing ? 'records file does not exist' : 'cannot read the records file'}`,
      { cause: error },
    );
  }
  return parseRecords(text, options.path);
}
