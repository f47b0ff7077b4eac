/**
 * A test double: a byte-level BPE tokenizer with one token per byte (ids 0..255, no merges) and the given
 * special tokens after them, like the shared tiny-llama fixture, built in memory so tests need no files.
 */
import { BYTE_LEVEL_CHARACTER_TO_BYTE } from '../byte-level-alphabet.js';
import { Tokenizer } from '../tokenizer.js';

export interface ByteLevelTokenizerOptions {
  /** Added special tokens, ids 256, 257, … in this order (default ["<|endoftext|>", "<|pad|>"]). */
  specialTokens?: readonly string[];
  /** tokenizer_config.json content (eos_token, chat_template, …). */
  tokenizerConfig?: Record<string, unknown>;
}

export function createByteLevelTokenizer(options: ByteLevelTokenizerOptions = {}): Tokenizer {
  const specialTokens = options.specialTokens ?? ['<|endoftext|>', '<|pad|>'];
  const vocab: Record<string, number> = {};
  for (const [character, byte] of BYTE_LEVEL_CHARACTER_TO_BYTE) vocab[character] = byte;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    added_tokens: specialTokens.map((content, index) => ({
      id: 256 + index,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
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
  return new Tokenizer({
    tokenizerJson,
    tokenizerConfig: { eos_token: specialTokens[0] ?? null, ...options.tokenizerConfig },
    source: 'byte-level test tokenizer',
  });
}
