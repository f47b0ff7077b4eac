import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StreamingDetokenizer } from './detokenizer.js';
import { createByteLevelTokenizer } from './testing/byte-level-tokenizer.js';
import { loadTokenizer } from './tokenizer-file.js';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
if (!existsSync(fixtures))
  console.warn(`shared fixtures not found at ${fixtures}: GPT-2 detokenizer test skipped`);

const TEXT = 'héllo 日本 🙂👍🏽 ok';

/** Every piece must be whole characters: no U+FFFD and no lone surrogate. */
function expectWholeCharacters(pieces: readonly string[]): void {
  for (const piece of pieces) {
    expect(piece).not.toContain('\uFFFD');
    expect(piece).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  }
}

describe('streaming detokenizer', () => {
  it('streams a multi-byte string split byte by byte without breaking a character', () => {
    const tokenizer = createByteLevelTokenizer();
    const ids = tokenizer.encode(TEXT);
    expect(ids).toEqual([...new TextEncoder().encode(TEXT)]); // one token per byte
    const detokenizer = new StreamingDetokenizer(tokenizer);
    const pieces = ids.map((id) => detokenizer.push(id));
    pieces.push(detokenizer.flush());
    expectWholeCharacters(pieces);
    expect(pieces.join('')).toBe(TEXT);
    expect(detokenizer.text).toBe(TEXT);
    // 🙂 is F0 9F 99 82: the first three bytes give '', the fourth gives the whole emoji.
    const start = new TextEncoder().encode('héllo 日本 ').length;
    expect(pieces.slice(start, start + 4)).toEqual(['', '', '', '🙂']);
  });

  it('renders invalid and unfinished bytes as U+FFFD exactly as decode() does', () => {
    const tokenizer = createByteLevelTokenizer();
    for (const ids of [
      [191, 51, 233, 250, 115], // lone continuation byte; a lead byte followed by an invalid byte
      [104, 0xe6, 0x97], // stream ends inside 日
      [0xf0, 0x9f, 0x41],
    ]) {
      const detokenizer = new StreamingDetokenizer(tokenizer);
      const text = ids.map((id) => detokenizer.push(id)).join('') + detokenizer.flush();
      expect(text).toBe(tokenizer.decode(ids));
    }
  });

  it('leaves out special tokens unless asked to keep them', () => {
    const tokenizer = createByteLevelTokenizer();
    const ids = [104, 105, 256, 257];
    const skipping = new StreamingDetokenizer(tokenizer);
    expect(ids.map((id) => skipping.push(id)).join('')).toBe('hi');
    const keeping = new StreamingDetokenizer(tokenizer, { skipSpecialTokens: false });
    expect(ids.map((id) => keeping.push(id)).join('')).toBe('hi<|endoftext|><|pad|>');
  });

  it.skipIf(!existsSync(fixtures))(
    'streams real GPT-2 tokens whose bytes split emoji and CJK characters',
    async () => {
      const tokenizer = await loadTokenizer({ modelDirectory: join(fixtures, 'real-gpt2-lora') });
      const text = 'emoji 🙂👍🏽 done, 日本語のテキスト, café';
      const detokenizer = new StreamingDetokenizer(tokenizer);
      const pieces = tokenizer.encode(text).map((id) => detokenizer.push(id));
      pieces.push(detokenizer.flush());
      expectWholeCharacters(pieces);
      expect(pieces.join('')).toBe(text);
      expect(pieces.filter((piece) => piece === '').length).toBeGreaterThan(0); // some tokens held bytes back
    },
  );
});
