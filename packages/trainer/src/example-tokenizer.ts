/**
 * What the dataset code needs from a tokenizer: plain encoding and, for chat data, the model's chat template.
 * @lorakit/models' tokenizer is adapted to this in the trainer, so the data code is testable with a byte tokenizer.
 */
import type { ChatMessage } from './dataset-record.js';

export interface ExampleTokenizer {
  /** Token ids of `text`, with no special tokens added (special-token text inside `text` maps to its id). */
  encode(text: string): number[];
  /**
   * The text of `messages` rendered by the model's chat template; absent when the model has none. With
   * `addGenerationPrompt`, ends with the header that opens an assistant turn.
   */
  renderChat?: (messages: readonly ChatMessage[], options: { addGenerationPrompt: boolean }) => string;
  /** Prepended to plain-text and completion examples when the model has one. */
  bosTokenId?: number;
  /** Appended after a completion, an Alpaca output and a plain text, so the model learns to stop. */
  eosTokenId?: number;
  /** Used for padding; defaults to eosTokenId, then 0 (its targets are masked anyway). */
  padTokenId?: number;
}
