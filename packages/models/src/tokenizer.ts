/**
 * A model's tokenizer: `tokenizer.json` run by @huggingface/tokenizers, plus what `tokenizer_config.json` adds
 * (bos/eos/pad/unk tokens, the chat template). Also gives each token's raw bytes, which incremental
 * detokenization needs: a byte-level BPE token may hold part of a multi-byte UTF-8 character.
 */
import { Tokenizer as HuggingFaceTokenizer } from '@huggingface/tokenizers';
import { FormatError, LorakitError } from '@lorakit/core';
import { BYTE_LEVEL_CHARACTER_TO_BYTE } from './byte-level-alphabet.js';

export interface CreateTokenizerOptions {
  /** Parsed tokenizer.json. */
  tokenizerJson: unknown;
  /** Parsed tokenizer_config.json ({} when the folder has none). */
  tokenizerConfig: unknown;
  /** A chat template that overrides the config's (e.g. from chat_template.jinja). */
  chatTemplate?: string;
  /** Where the files came from, for error messages. */
  source?: string;
}

export interface EncodeOptions {
  /** Add bos/eos as the tokenizer's post-processor says (default true, as transformers' `tokenizer(text)`). */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Leave out special tokens such as eos and pad (default false, as `tokenizers`' decode). */
  skipSpecialTokens?: boolean;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A special token in tokenizer_config.json is a string or an AddedToken object `{ content, … }`. */
function specialTokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['content'] === 'string') return value['content'];
  return null;
}

/** Does the decoder (or a decoder of a Sequence) reverse the byte-level alphabet? */
function hasDecoderType(decoder: unknown, type: string): boolean {
  if (!isObject(decoder)) return false;
  if (decoder['type'] === type) return true;
  const inner = decoder['decoders'];
  return Array.isArray(inner) && inner.some((item) => hasDecoderType(item, type));
}

/** SentencePiece-style decoders drop the space that "▁" puts before the first word. */
function stripsLeadingSpace(decoder: unknown): boolean {
  if (!isObject(decoder)) return false;
  if (decoder['type'] === 'Metaspace')
    return decoder['prepend_scheme'] !== 'never' && decoder['add_prefix_space'] !== false;
  if (decoder['type'] === 'Strip') return decoder['content'] === ' ' && Number(decoder['start']) > 0;
  const inner = decoder['decoders'];
  return Array.isArray(inner) && inner.some((item) => stripsLeadingSpace(item));
}

/** transformers accepts one template string or a list of named ones; "default" is the one it uses. */
function readChatTemplates(value: unknown): Record<string, string> {
  if (typeof value === 'string') return { default: value };
  const templates: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isObject(item) && typeof item['name'] === 'string' && typeof item['template'] === 'string')
        templates[item['name']] = item['template'];
    }
  }
  return templates;
}

const BYTE_FALLBACK_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

export class Tokenizer {
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  /** Named chat templates; `chatTemplate` is the "default" one. */
  readonly chatTemplates: Readonly<Record<string, string>>;
  readonly chatTemplate: string | null;
  /** One more than the largest token id (vocabulary plus added tokens). */
  readonly vocabularySize: number;
  /** Whether decoding drops one leading space (SentencePiece "▁" tokenizers). */
  readonly stripsLeadingSpace: boolean;
  readonly source: string;

  readonly #inner: HuggingFaceTokenizer;
  readonly #byteLevel: boolean;
  readonly #addedTokens = new Map<number, { content: string; special: boolean }>();
  readonly #idToToken: string[] = [];
  readonly #bytes = new Map<number, Uint8Array>();

  constructor(options: CreateTokenizerOptions) {
    this.source = options.source ?? 'tokenizer.json';
    const { tokenizerJson } = options;
    const config = options.tokenizerConfig ?? {};
    if (!isObject(tokenizerJson) || !isObject(tokenizerJson['model'])) {
      throw new FormatError('JSON_INVALID', `${this.source}: not a tokenizer.json (no "model" object)`, {
        fix: 'use the tokenizer.json that came with the model (saved by transformers or tokenizers)',
      });
    }
    if (!isObject(config)) {
      throw new FormatError('JSON_INVALID', `${this.source}: tokenizer_config.json is not a JSON object`);
    }
    try {
      this.#inner = new HuggingFaceTokenizer(tokenizerJson, config);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FormatError('JSON_INVALID', `${this.source}: the tokenizer cannot be built: ${reason}`, {
        cause: error,
      });
    }
    this.#byteLevel = hasDecoderType(tokenizerJson['decoder'], 'ByteLevel');
    this.stripsLeadingSpace = !this.#byteLevel && stripsLeadingSpace(tokenizerJson['decoder']);
    for (const [id, token] of this.#inner.get_added_tokens_decoder())
      this.#addedTokens.set(id, { content: token.content, special: token.special });
    for (const [token, id] of this.#inner.get_vocab(true)) this.#idToToken[id] = token;
    this.vocabularySize = this.#idToToken.length;

    this.bosToken = specialTokenContent(config['bos_token']);
    this.eosToken = specialTokenContent(config['eos_token']);
    this.padToken = specialTokenContent(config['pad_token']);
    this.unkToken = specialTokenContent(config['unk_token']);
    this.bosTokenId = this.#idOf(this.bosToken);
    this.eosTokenId = this.#idOf(this.eosToken);
    this.padTokenId = this.#idOf(this.padToken);
    this.chatTemplates = {
      ...readChatTemplates(config['chat_template']),
      ...(options.chatTemplate === undefined ? {} : { default: options.chatTemplate }),
    };
    this.chatTemplate = this.chatTemplates['default'] ?? null;
  }

  #idOf(token: string | null): number | null {
    return token === null ? null : (this.#inner.token_to_id(token) ?? null);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.#inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    for (const id of ids) this.#checkId(id);
    return this.#inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.#inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.#idToToken[id];
  }

  /** Added tokens marked special (eos, pad, chat markers): generation output leaves them out. */
  isSpecialToken(id: number): boolean {
    return this.#addedTokens.get(id)?.special ?? false;
  }

  /**
   * The bytes a token stands for, before UTF-8 decoding. Byte-level tokens map through the byte alphabet;
   * SentencePiece byte-fallback tokens `<0xNN>` are one byte; "▁" is a space; added tokens are their text.
   */
  tokenBytes(id: number): Uint8Array {
    const cached = this.#bytes.get(id);
    if (cached) return cached;
    this.#checkId(id);
    const bytes = this.#computeBytes(id);
    this.#bytes.set(id, bytes);
    return bytes;
  }

  #computeBytes(id: number): Uint8Array {
    const added = this.#addedTokens.get(id);
    const token = this.#idToToken[id] ?? '';
    if (added) return new TextEncoder().encode(added.content);
    if (this.#byteLevel) {
      const bytes: number[] = [];
      for (const character of token) {
        const byte = BYTE_LEVEL_CHARACTER_TO_BYTE.get(character);
        // A character outside the alphabet (hand-edited vocabularies) is kept as its own UTF-8.
        if (byte === undefined) bytes.push(...new TextEncoder().encode(character));
        else bytes.push(byte);
      }
      return Uint8Array.from(bytes);
    }
    const fallback = BYTE_FALLBACK_TOKEN.exec(token);
    if (fallback?.[1] !== undefined) return Uint8Array.of(Number.parseInt(fallback[1], 16));
    return new TextEncoder().encode(token.replaceAll('▁', ' '));
  }

  #checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || this.#idToToken[id] === undefined) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `token id ${id} is not in the vocabulary of ${this.source} (ids 0..${this.vocabularySize - 1})`,
      );
    }
  }
}

/** Builds a tokenizer from parsed tokenizer.json and tokenizer_config.json. */
export function createTokenizer(options: CreateTokenizerOptions): Tokenizer {
  return new Tokenizer(options);
}
