import type { ChatMessage } from '@lorakit/models';

/** One test item: how it is prompted, the reference answer, and where it came from. */
export interface EvalItem {
  /** The record's `id` field, else "line-N". */
  id: string;
  /** "FILE:LINE", for error messages. */
  source: string;
  /** Chat messages before the reference answer (chat format), rendered with the model's chat template. */
  messages?: ChatMessage[];
  /** Plain prompt text (prompt/completion format), encoded as is. */
  prompt?: string;
  /** The reference answer: the last assistant message, or `completion`. */
  reference: string;
  /** Options for multiple_choice (the reference is one of them). */
  choices?: string[];
}
