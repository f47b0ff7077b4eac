/**
 * How an item becomes model input: chat messages through the tokenizer's chat template with the assistant's
 * generation prompt (as `generate` encodes them), or plain prompt text encoded with the tokenizer's special
 * tokens. The hash is sha256 of the rendered text, so two runs pair only when they saw the same prompt.
 */
import { createHash } from 'node:crypto';
import { encodeChat, renderChat } from '@lorakit/models';
import type { Tokenizer } from '@lorakit/models';
import type { EvalItem } from './eval-item.js';

export interface RenderedPrompt {
  text: string;
  tokens: number[];
  hash: string;
}

export function renderPrompt(tokenizer: Tokenizer, item: EvalItem): RenderedPrompt {
  if (item.messages) {
    const text = renderChat(tokenizer, { messages: item.messages, addGenerationPrompt: true });
    const tokens = encodeChat(tokenizer, { messages: item.messages, addGenerationPrompt: true });
    return { text, tokens, hash: sha256(text) };
  }
  const text = item.prompt ?? '';
  return { text, tokens: tokenizer.encode(text), hash: sha256(text) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
