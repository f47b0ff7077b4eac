/**
 * Incremental detokenization for streaming: tokens arrive one by one, and each piece of text handed out must be
 * whole characters. A byte-level token can end inside a multi-byte UTF-8 character (é = C3 A9 may come as two
 * tokens), so bytes are fed to a streaming UTF-8 decoder that holds back an incomplete character until the
 * bytes that complete it arrive. Invalid sequences become U+FFFD exactly as `tokenizers`' decode renders them
 * (both replace each maximal invalid subpart), so the concatenated pieces equal `tokenizer.decode(ids)`.
 */
import type { Tokenizer } from './tokenizer.js';

export interface DetokenizerOptions {
  /** Leave special tokens (eos, pad, chat markers) out of the text (default true). */
  skipSpecialTokens?: boolean;
}

export class StreamingDetokenizer {
  readonly #tokenizer: Tokenizer;
  readonly #skipSpecialTokens: boolean;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  #started = false;
  #text = '';

  constructor(tokenizer: Tokenizer, options: DetokenizerOptions = {}) {
    this.#tokenizer = tokenizer;
    this.#skipSpecialTokens = options.skipSpecialTokens ?? true;
  }

  /** Adds one token; returns the text it completes ('' while a character is still incomplete). */
  push(id: number): string {
    if (this.#skipSpecialTokens && this.#tokenizer.isSpecialToken(id)) return '';
    return this.#emit(this.#decoder.decode(this.#tokenizer.tokenBytes(id), { stream: true }));
  }

  /** Ends the stream: bytes of an unfinished character come out as U+FFFD. */
  flush(): string {
    return this.#emit(this.#decoder.decode());
  }

  /** All text handed out so far. */
  get text(): string {
    return this.#text;
  }

  #emit(piece: string): string {
    let text = piece;
    // SentencePiece tokenizers write the first word's space as "▁", which decoding drops.
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (this.#tokenizer.stripsLeadingSpace && text.startsWith(' ')) text = text.slice(1);
    }
    this.#text += text;
    return text;
  }
}
