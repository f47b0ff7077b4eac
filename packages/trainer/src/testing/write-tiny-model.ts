/**
 * Test double: a tiny random Llama folder (core's writeRandomModel) with a byte-level tokenizer.json (one token
 * per byte, GPT-2's byte-to-character alphabet, no merges) and a chat template, like the shared fixture base.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelConfig } from '@lorakit/core';
import { writeRandomModel } from '@lorakit/core/test';

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards, in byte order. */
function byteAlphabet(): string[] {
  const printable = (byte: number): boolean =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) => String.fromCodePoint(printable(byte) ? byte : next++));
}

export const TINY_CHAT_TEMPLATE =
  "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|endoftext|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

export async function writeTinyModel(
  dir: string,
  options: { seed?: number; maxPositions?: number } = {},
): Promise<void> {
  const config = parseModelConfig({
    model_type: 'llama',
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 258,
    max_position_embeddings: options.maxPositions ?? 128,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: false,
    eos_token_id: 256,
    pad_token_id: 257,
  });
  await writeRandomModel(dir, config, { seed: options.seed ?? 1 });
  const vocab: Record<string, number> = {};
  byteAlphabet().forEach((character, byte) => (vocab[character] = byte));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const special = (id: number, content: string): Record<string, unknown> => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(256, '<|endoftext|>'), special(257, '<|pad|>')],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      eos_token: '<|endoftext|>',
      pad_token: '<|pad|>',
      bos_token: null,
      model_max_length: 128,
      chat_template: TINY_CHAT_TEMPLATE,
    }),
  );
}
