import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '@lorakit/models';
import { encodeExample } from './encode-example.js';
import { modelExampleTokenizer } from './model-example-tokenizer.js';
import { byteExampleTokenizer } from './testing/byte-example-tokenizer.js';
import { writeTinyModel } from './testing/write-tiny-model.js';

describe('modelExampleTokenizer', () => {
  it('encodes chat records through tokenizer.json and the jinja template as the byte double does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-tokenizer-'));
    await writeTinyModel(dir);
    const tokenizer = modelExampleTokenizer(await loadTokenizer({ modelDirectory: dir }));
    expect(tokenizer).toMatchObject({ eosTokenId: 256, padTokenId: 257 });
    expect(tokenizer.bosTokenId).toBeUndefined();
    const record = {
      format: 'chat' as const,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'héllo' },
        { role: 'assistant', content: 'hi ✓' },
      ],
    };
    expect(encodeExample(record, tokenizer)).toEqual(encodeExample(record, byteExampleTokenizer()));
  });
});
