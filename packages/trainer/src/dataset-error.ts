/** The typed error of dataset problems: it carries the file and 1-based line so tools can point at them. */
import { FormatError } from '@lorakit/core';
import type { ErrorCode } from '@lorakit/core';

export class DatasetError extends FormatError {
  readonly file: string;
  /** 1-based line number, or 0 when the problem is the whole file (empty, unreadable). */
  readonly line: number;

  constructor(code: ErrorCode, file: string, line: number, problem: string, fix?: string) {
    super(code, line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`, fix ? { fix } : {});
    this.file = file;
    this.line = line;
  }
}
