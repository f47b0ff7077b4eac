/**
 * The four JSONL record formats a training file may use, detected per file from its first record:
 * - chat: OpenAI chat fine-tuning, `{"messages": [{"role", "content"}, …]}`;
 * - alpaca: `{"instruction", "input"?, "output"}`;
 * - completion: `{"prompt", "completion"}`;
 * - text: `{"text"}` (plain language-model data, every token trained).
 */
import { DatasetError } from './dataset-error.js';

export interface ChatMessage {
  role: string;
  content: string;
  /** OpenAI's per-message switch: an assistant message with weight 0 is context, not trained on. */
  weight?: 0 | 1;
}

export type DatasetRecord =
  | { format: 'chat'; messages: ChatMessage[] }
  | { format: 'alpaca'; instruction: string; input: string; output: string }
  | { format: 'completion'; prompt: string; completion: string }
  | { format: 'text'; text: string };

export type DatasetFormat = DatasetRecord['format'];

/** Where a record came from, for messages. */
export interface RecordSource {
  file: string;
  line: number;
}

/** The format a parsed JSON object looks like, or undefined when it matches none. */
export function detectRecordFormat(value: unknown): DatasetFormat | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ('messages' in value) return 'chat';
  if ('instruction' in value || 'output' in value) return 'alpaca';
  if ('prompt' in value || 'completion' in value) return 'completion';
  if ('text' in value) return 'text';
  return undefined;
}

const REQUIRED: Record<DatasetFormat, string> = {
  chat: '{"messages": [{"role": "user", "content": …}, {"role": "assistant", "content": …}]}',
  alpaca: '{"instruction": …, "input": …, "output": …}',
  completion: '{"prompt": …, "completion": …}',
  text: '{"text": …}',
};

function requireString(
  object: Record<string, unknown>,
  key: string,
  source: RecordSource,
  format: DatasetFormat,
): string {
  const value = object[key];
  if (typeof value !== 'string') {
    const problem = value === undefined ? `missing field "${key}"` : `field "${key}" must be a string`;
    throw new DatasetError(
      'CONFIG_INVALID',
      source.file,
      source.line,
      `${problem} (${format} format)`,
      `each line must be ${REQUIRED[format]}`,
    );
  }
  return value;
}

function parseMessages(value: unknown, source: RecordSource): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DatasetError(
      'CONFIG_INVALID',
      source.file,
      source.line,
      'field "messages" must be a non-empty array',
      `each line must be ${REQUIRED.chat}`,
    );
  }
  return value.map((item: unknown, index) => {
    const at = { file: source.file, line: source.line };
    if (typeof item !== 'object' || item === null) {
      throw new DatasetError(
        'CONFIG_INVALID',
        at.file,
        at.line,
        `messages[${index}] must be an object with "role" and "content"`,
      );
    }
    const object = item as Record<string, unknown>;
    const role = object['role'];
    const content = object['content'];
    if (typeof role !== 'string') {
      throw new DatasetError(
        'CONFIG_INVALID',
        at.file,
        at.line,
        `messages[${index}] is missing field "role"`,
        'use "system", "user" or "assistant"',
      );
    }
    if (typeof content !== 'string') {
      throw new DatasetError(
        'CONFIG_INVALID',
        at.file,
        at.line,
        `messages[${index}] is missing field "content" (a string)`,
      );
    }
    const weight = object['weight'];
    if (weight !== undefined && weight !== 0 && weight !== 1) {
      throw new DatasetError('CONFIG_INVALID', at.file, at.line, `messages[${index}].weight must be 0 or 1`);
    }
    return weight === undefined ? { role, content } : { role, content, weight };
  });
}

/** Checks one parsed JSON value against `format` and returns the typed record; errors name file:line. */
export function toDatasetRecord(value: unknown, format: DatasetFormat, source: RecordSource): DatasetRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetError(
      'CONFIG_INVALID',
      source.file,
      source.line,
      'a line must be a JSON object',
      `each line must be ${REQUIRED[format]}`,
    );
  }
  const object = value as Record<string, unknown>;
  switch (format) {
    case 'chat':
      return { format, messages: parseMessages(object['messages'], source) };
    case 'alpaca': {
      const input = object['input'];
      if (input !== undefined && input !== null && typeof input !== 'string') {
        throw new DatasetError('CONFIG_INVALID', source.file, source.line, 'field "input" must be a string');
      }
      return {
        format,
        instruction: requireString(object, 'instruction', source, format),
        input: typeof input === 'string' ? input : '',
        output: requireString(object, 'output', source, format),
      };
    }
    case 'completion':
      return {
        format,
        prompt: requireString(object, 'prompt', source, format),
        completion: requireString(object, 'completion', source, format),
      };
    case 'text':
      return { format, text: requireString(object, 'text', source, format) };
  }
}
