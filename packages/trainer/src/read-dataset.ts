/** Reads a JSONL training file: one record per non-blank line, the format detected from the first record. */
import { readFile } from 'node:fs/promises';
import { DatasetError } from './dataset-error.js';
import { detectRecordFormat, toDatasetRecord } from './dataset-record.js';
import type { DatasetFormat, DatasetRecord } from './dataset-record.js';

export interface ReadDatasetOptions {
  /** The JSONL file. */
  path: string;
  /** Force a format instead of detecting it from the first record. */
  format?: DatasetFormat;
}

export interface Dataset {
  path: string;
  format: DatasetFormat;
  records: DatasetRecord[];
  /** The 1-based line of each record. */
  lines: number[];
}

/** Parses JSONL text (exported for tests and in-memory data); `file` is only used in messages. */
export function parseDatasetText(text: string, file: string, format?: DatasetFormat): Dataset {
  const lines = text.split('\n');
  const records: DatasetRecord[] = [];
  const recordLines: number[] = [];
  let detected = format;
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatasetError(
        'JSON_INVALID',
        file,
        index + 1,
        `not valid JSON (${reason})`,
        'each line must hold one JSON object',
      );
    }
    if (detected === undefined) {
      detected = detectRecordFormat(value);
      if (detected === undefined) {
        throw new DatasetError(
          'CONFIG_INVALID',
          file,
          index + 1,
          'record matches no known format',
          'use {"messages": […]}, {"instruction", "input", "output"}, {"prompt", "completion"} or {"text"}',
        );
      }
    }
    records.push(toDatasetRecord(value, detected, { file, line: index + 1 }));
    recordLines.push(index + 1);
  }
  if (records.length === 0 || detected === undefined) {
    throw new DatasetError(
      'INVALID_ARGUMENT',
      file,
      0,
      'the dataset is empty',
      'put one JSON record per line',
    );
  }
  return { path: file, format: detected, records, lines: recordLines };
}

/** Reads and checks a whole JSONL file; errors name the file and line. */
export async function readDataset(options: ReadDatasetOptions): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new DatasetError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      options.path,
      0,
      missing ? 'not found' : 'cannot be read',
      'check the --data/--val path',
    );
  }
  return parseDatasetText(text, options.path, options.format);
}
