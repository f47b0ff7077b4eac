import { describe, expect, it } from 'vitest';
import { parseTestFile } from './test-file.js';

describe('parseTestFile', () => {
  it('reads chat and prompt/completion lines; the last assistant message is the reference', () => {
    const text = [
      JSON.stringify({
        id: 'a',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      }),
      '',
      JSON.stringify({ prompt: '2+2=', completion: '4', choices: ['3', '4'] }),
    ].join('\n');
    const items = parseTestFile(text, 'test.jsonl');
    expect(items).toEqual([
      {
        id: 'a',
        source: 'test.jsonl:1',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Hi' },
        ],
        reference: 'Hello',
      },
      { id: 'line-3', source: 'test.jsonl:3', prompt: '2+2=', reference: '4', choices: ['3', '4'] },
    ]);
    expect(parseTestFile(text, 'test.jsonl', 1)).toHaveLength(1);
  });

  it('names FILE:LINE for missing fields, bad JSON, a non-assistant last message and duplicate ids', () => {
    expect(() => parseTestFile('{"prompt": "x"}\n{"prompt": "y"}', 'd.jsonl')).toThrow(
      /^d\.jsonl:1: missing "completion"/,
    );
    expect(() => parseTestFile('{"prompt": "x", "completion": "y"}\n{oops', 'd.jsonl')).toThrow(
      /^d\.jsonl:2: not valid JSON/,
    );
    expect(() =>
      parseTestFile(JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), 'd.jsonl'),
    ).toThrow(/^d\.jsonl:1: the last message must be the assistant's/);
    const duplicate =
      '{"id": 1, "prompt": "x", "completion": "y"}\n{"id": "1", "prompt": "x", "completion": "y"}';
    expect(() => parseTestFile(duplicate, 'd.jsonl')).toThrow(
      /d\.jsonl:2: id "1" already used at d\.jsonl:1/,
    );
    expect(() =>
      parseTestFile('{"prompt": "x", "completion": "y", "choices": ["a", "b"]}', 'd.jsonl'),
    ).toThrow(/not one of "choices"/);
    expect(() => parseTestFile('\n\n', 'd.jsonl')).toThrow(/d\.jsonl: no test items/);
  });
});
