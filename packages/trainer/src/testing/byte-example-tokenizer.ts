/** Test double: one token per UTF-8 byte (ids 0–255), "<|endoftext|>" = 256, "<|pad|>" = 257. */
import type { ChatMessage } from '../dataset-record.js';
import type { ExampleTokenizer } from '../example-tokenizer.js';

export const END_OF_TEXT = 256;
export const PAD = 257;

function encode(text: string): number[] {
  const ids: number[] = [];
  for (const [index, piece] of text.split('<|endoftext|>').entries()) {
    if (index > 0) ids.push(END_OF_TEXT);
    ids.push(...new TextEncoder().encode(piece));
  }
  return ids;
}

/** The chat template of ../shared/fixtures/peft-tiny-llama, written out in TypeScript. */
function renderChat(messages: readonly ChatMessage[], options: { addGenerationPrompt: boolean }): string {
  const body = messages.map((message) => `<|${message.role}|>\n${message.content}<|endoftext|>\n`).join('');
  return options.addGenerationPrompt ? `${body}<|assistant|>\n` : body;
}

export function byteExampleTokenizer(options: { chat?: boolean } = {}): ExampleTokenizer {
  return {
    encode,
    ...(options.chat === false ? {} : { renderChat }),
    eosTokenId: END_OF_TEXT,
    padTokenId: PAD,
  };
}
