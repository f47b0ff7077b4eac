import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './tokenizer-file.js';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
const tinyBase = join(fixtures, 'peft-tiny-llama', 'base');
const gpt2 = join(fixtures, 'real-gpt2-lora');
if (!existsSync(fixtures))
  console.warn(`shared fixtures not found at ${fixtures}: tokenizer fixture tests skipped`);

// Expected ids from Python `tokenizers` 0.23.3 (Tokenizer.from_file(...).encode(text).ids) on the same files.
const GPT2_CASES: [string, number[]][] = [
  ['Hello world', [15496, 995]],
  ['café é', [66, 1878, 2634, 38251]],
  ['日本語のテキスト', [33768, 98, 17312, 105, 45739, 252, 5641, 24336, 25084, 43302]],
  ['emoji 🙂👍🏽 done', [368, 31370, 32485, 41840, 235, 8582, 237, 121, 1760]],
  [' leading  spaces\nnewline', [3756, 220, 9029, 198, 3605, 1370]],
  ['<|endoftext|>x', [50256, 87]],
];

describe.skipIf(!existsSync(fixtures))('tokenizer on the shared fixtures', () => {
  it('encodes GPT-2 text (multi-byte characters included) as Python tokenizers does, and decodes it back', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: gpt2 });
    for (const [text, ids] of GPT2_CASES) {
      expect(tokenizer.encode(text)).toEqual(ids);
      expect(tokenizer.decode(ids)).toBe(text);
    }
    expect(tokenizer.decode([50256, 87], { skipSpecialTokens: true })).toBe('x');
    expect(tokenizer.vocabularySize).toBe(50257);
    expect([tokenizer.bosToken, tokenizer.eosTokenId, tokenizer.isSpecialToken(50256)]).toEqual([
      '<|endoftext|>',
      50256,
      true,
    ]);
  });

  it('gives the raw bytes of byte-level tokens: a token may hold part of a character', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: gpt2 });
    // "é" after "caf" is token 2634 = the two bytes C3 A9; " é" is 38251 = 20 C3 A9.
    expect([...tokenizer.tokenBytes(2634)]).toEqual([0xc3, 0xa9]);
    expect([...tokenizer.tokenBytes(38251)]).toEqual([0x20, 0xc3, 0xa9]);
    expect([...tokenizer.tokenBytes(220)]).toEqual([0x20]); // "Ġ"
    // Emoji bytes are spread over several tokens; the bytes of all tokens concatenate to the UTF-8 text.
    const ids = tokenizer.encode('emoji 🙂👍🏽 done');
    const bytes = ids.flatMap((id) => [...tokenizer.tokenBytes(id)]);
    expect(Buffer.from(bytes).toString('utf8')).toBe('emoji 🙂👍🏽 done');
  });

  it('reads the fixture special tokens: eos and pad set, no bos, 256 byte tokens + 2 added', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: tinyBase });
    expect({
      bos: tokenizer.bosTokenId,
      eos: tokenizer.eosTokenId,
      pad: tokenizer.padTokenId,
      size: tokenizer.vocabularySize,
    }).toEqual({ bos: null, eos: 256, pad: 257, size: 258 });
    // From transformers: tok("héllo 日本 🙂").input_ids; special tokens in text are recognised.
    expect(tokenizer.encode('héllo 日本 🙂')).toEqual([
      104, 195, 169, 108, 108, 111, 32, 230, 151, 165, 230, 156, 172, 32, 240, 159, 153, 130,
    ]);
    expect(tokenizer.encode('a<|endoftext|>')).toEqual([97, 256]);
    expect(tokenizer.decode([97, 256, 257], { skipSpecialTokens: true })).toBe('a');
    expect([...tokenizer.tokenBytes(195)]).toEqual([195]);
  });
});

describe('tokenizer errors', () => {
  it('names tokenizer.json and the fix when the folder has none', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lorakit-tokenizer-'));
    await expect(loadTokenizer({ modelDirectory: directory })).rejects.toThrow(
      /tokenizer\.json not found.*save_pretrained/,
    );
  });

  it('names the file when tokenizer.json is not JSON or not a tokenizer', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lorakit-tokenizer-'));
    writeFileSync(join(directory, 'tokenizer.json'), '{ nope');
    await expect(loadTokenizer({ modelDirectory: directory })).rejects.toThrow(
      /tokenizer\.json: not valid JSON/,
    );
    writeFileSync(join(directory, 'tokenizer.json'), '{}');
    await expect(loadTokenizer({ modelDirectory: directory })).rejects.toThrow(/not a tokenizer\.json/);
  });

  it.skipIf(!existsSync(fixtures))('rejects a token id outside the vocabulary with the range', async () => {
    const tokenizer = await loadTokenizer({ modelDirectory: tinyBase });
    expect(() => tokenizer.decode([258])).toThrow(
      /token id 258 is not in the vocabulary .* \(ids 0\.\.257\)/,
    );
  });
});
