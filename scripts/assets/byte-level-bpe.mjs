/**
 * A byte-level BPE trainer and the tokenizer.json it writes (the format of Hugging Face `tokenizers`).
 * Text is split with GPT-2's pre-tokenizer pattern, each piece's UTF-8 bytes are mapped to GPT-2's printable
 * byte alphabet, and merges are learned greedily: repeatedly join the most frequent adjacent pair of symbols
 * (ties broken by the pair's text, so the result is deterministic).
 */

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards, in byte order. */
export function byteAlphabet() {
  const printable = (byte) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) => String.fromCodePoint(printable(byte) ? byte : next++));
}

// The pattern `tokenizers`' ByteLevel pre-tokenizer applies with use_regex: true.
const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Learns merges from `texts` until they add `tokenCount` new tokens (two merges can make the same string);
 * returns the merges in order as [left, right] pairs.
 */
export function learnMerges(texts, tokenCount) {
  const alphabet = byteAlphabet();
  const encoder = new TextEncoder();
  const counts = new Map();
  for (const text of texts) {
    for (const piece of text.match(PIECES) ?? []) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const words = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([piece, count]) => ({ symbols: [...encoder.encode(piece)].map((byte) => alphabet[byte]), count }));
  const merges = [];
  const made = new Set(alphabet);
  while (made.size < 256 + tokenCount) {
    const pairs = new Map();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best = null;
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null) break;
    const [left, right] = best.split(' ');
    merges.push([left, right]);
    made.add(left + right);
    for (const word of words) {
      const out = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === left && word.symbols[i + 1] === right) {
          out.push(left + right);
          i++;
        } else out.push(word.symbols[i]);
      }
      word.symbols = out;
    }
  }
  return merges;
}

/** tokenizer.json: 256 byte tokens, one token per merge, then the special tokens. */
export function tokenizerJson(merges, specialTokens) {
  const vocab = {};
  byteAlphabet().forEach((character, byte) => (vocab[character] = byte));
  for (const [left, right] of merges) vocab[left + right] ??= Object.keys(vocab).length;
  const added = specialTokens.map((content) => {
    const id = Object.keys(vocab).length;
    vocab[content] = id;
    return {
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}
