import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error.js';
import { parseDatasetText, readDataset } from './read-dataset.js';

function jsonl(...values: unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join('\n');
}

describe('readDataset', () => {
  it('detects each of the four formats', () => {
    const chat = parseDatasetText(
      jsonl({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'yo' },
        ],
      }),
      'a.jsonl',
    );
    expect(chat.format).toBe('chat');
    expect(chat.records[0]).toEqual({
      format: 'chat',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ],
    });
    const alpaca = parseDatasetText(
      jsonl({ instruction: 'Add', input: '1 1', output: '2' }, { instruction: 'Say hi', output: 'hi' }),
      'b.jsonl',
    );
    expect(alpaca.format).toBe('alpaca');
    expect(alpaca.records[1]).toEqual({ format: 'alpaca', instruction: 'Say hi', input: '', output: 'hi' });
    const completion = parseDatasetText(jsonl({ prompt: 'Q', completion: 'A' }), 'c.jsonl');
    expect(completion.records).toEqual([{ format: 'completion', prompt: 'Q', completion: 'A' }]);
    const text = parseDatasetText(
      `\n${jsonl({ text: 'hello' })}\n\n${jsonl({ text: 'world' })}\n`,
      'd.jsonl',
    );
    expect(text.format).toBe('text');
    expect(text.records).toHaveLength(2);
    expect(text.lines).toEqual([2, 4]);
  });

  it('names file and line of a line that does not parse', () => {
    const run = (): unknown =>
      parseDatasetText(`${jsonl({ text: 'a' })}\n{"text": "b"\n`, 'data/train.jsonl');
    expect(run).toThrow(DatasetError);
    expect(run).toThrow(/^data\/train\.jsonl:2: not valid JSON/);
    try {
      run();
    } catch (error) {
      expect((error as DatasetError).line).toBe(2);
      expect((error as DatasetError).code).toBe('JSON_INVALID');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('names file and line of a record that lacks a field', () => {
    expect(() =>
      parseDatasetText(jsonl({ prompt: 'a', completion: 'b' }, { prompt: 'c' }), 'pc.jsonl'),
    ).toThrow(/^pc\.jsonl:2: missing field "completion" \(completion format\)/);
    expect(() =>
      parseDatasetText(jsonl({ instruction: 'a', output: 'b' }, { instruction: 'c', output: 3 }), 'al.jsonl'),
    ).toThrow(/^al\.jsonl:2: field "output" must be a string/);
    expect(() =>
      parseDatasetText(
        jsonl({ messages: [{ role: 'user', content: 'x' }] }, { messages: [{ role: 'user' }] }),
        'chat.jsonl',
      ),
    ).toThrow(/^chat\.jsonl:2: messages\[0\] is missing field "content"/);
    expect(() => parseDatasetText(jsonl({ foo: 1 }), 'x.jsonl')).toThrow(
      /^x\.jsonl:1: record matches no known format/,
    );
  });

  it('refuses an empty dataset and a missing file', async () => {
    expect(() => parseDatasetText('\n  \n', 'empty.jsonl')).toThrow(/^empty\.jsonl: the dataset is empty/);
    await expect(readDataset({ path: '/nonexistent/train.jsonl' })).rejects.toThrow(
      /\/nonexistent\/train\.jsonl: not found/,
    );
  });

  it('reads a file from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-data-'));
    const path = join(dir, 'train.jsonl');
    writeFileSync(path, jsonl({ prompt: 'p', completion: 'c' }));
    const dataset = await readDataset({ path });
    expect(dataset).toMatchObject({ path, format: 'completion', lines: [1] });
  });
});
