/**
 * Reads a test file: JSONL, one item per line, in either format
 *   {"messages": [{"role": "user", "content": …}, …, {"role": "assistant", "content": REFERENCE}]}  (OpenAI chat)
 *   {"prompt": TEXT, "completion": REFERENCE}
 * with optional "id" (string or number; default "line-N") and "choices" (strings; for multiple_choice, the
 * reference must be one of them). Blank lines are skipped. Any problem is one error naming FILE:LINE.
 */
import { readFile } from 'node:fs/promises';
import { FileError, FormatError, LorakitError } from '@lorakit/core';
import { checkChatMessages } from '@lorakit/models';
import type { EvalItem } from './eval-item.js';

export interface ReadTestFileOptions {
  /** The JSONL file. */
  path: string;
  /** Keep only the first N items. */
  limit?: number;
}

const FORMATS =
  'each line needs {"messages": [..., {"role": "assistant", "content": ...}]} or {"prompt": ..., "completion": ...}';

function parseItem(value: unknown, source: string, lineNumber: number): EvalItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FormatError('JSON_INVALID', `${source}: expected a JSON object; ${FORMATS}`);
  const record = value as Record<string, unknown>;
  const rawId = record['id'];
  if (rawId !== undefined && typeof rawId !== 'string' && typeof rawId !== 'number')
    throw new LorakitError('INVALID_ARGUMENT', `${source}: "id" must be a string or a number`);
  const id = rawId === undefined ? `line-${lineNumber}` : String(rawId);
  let item: EvalItem;
  if (record['messages'] !== undefined) {
    const messages = checkChatMessages(record['messages'], `${source}: "messages"`);
    const last = messages[messages.length - 1];
    if (last?.role !== 'assistant' || messages.length < 2)
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `${source}: the last message must be the assistant's reference answer after at least one prompt message`,
      );
    item = { id, source, messages: messages.slice(0, -1), reference: last.content };
  } else {
    const missing = ['prompt', 'completion'].filter((key) => typeof record[key] !== 'string');
    if (missing.length > 0)
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `${source}: missing ${missing.map((key) => `"${key}"`).join(' and ')} (or not a string); ${FORMATS}`,
      );
    item = { id, source, prompt: record['prompt'] as string, reference: record['completion'] as string };
  }
  const choices = record['choices'];
  if (choices !== undefined) {
    if (!Array.isArray(choices) || choices.length < 2 || choices.some((choice) => typeof choice !== 'string'))
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `${source}: "choices" must be an array of at least two strings`,
      );
    if (!choices.includes(item.reference))
      throw new LorakitError('INVALID_ARGUMENT', `${source}: the reference answer is not one of "choices"`);
    item.choices = choices as string[];
  }
  return item;
}

/** Parses JSONL text; `file` names it in errors. */
export function parseTestFile(text: string, file: string, limit?: number): EvalItem[] {
  const items: EvalItem[] = [];
  const seen = new Map<string, string>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (limit !== undefined && items.length >= limit) break;
    const line = (lines[index] as string).trim();
    if (line === '') continue;
    const source = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FormatError('JSON_INVALID', `${source}: not valid JSON (${(error as Error).message})`);
    }
    const item = parseItem(value, source, index + 1);
    const earlier = seen.get(item.id);
    if (earlier !== undefined)
      throw new LorakitError('INVALID_ARGUMENT', `${source}: id "${item.id}" already used at ${earlier}`);
    seen.set(item.id, source);
    items.push(item);
  }
  if (items.length === 0)
    throw new LorakitError('INVALID_ARGUMENT', `${file}: no test items`, { fix: FORMATS });
  return items;
}

export async function readTestFile(options: ReadTestFileOptions): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new FileError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `${options.path}: ${missing ? 'test file does not exist' : 'cannot read the test file'}`,
      { cause: error },
    );
  }
  return parseTestFile(text, options.path, options.limit);
}
