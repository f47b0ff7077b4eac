/** Messages → prompt token ids through the tokenizer's own chat template, as `apply_chat_template(tokenize=True)`. */
import { ConfigError } from '@lorakit/core';
import { applyChatTemplate } from './chat-template.js';
import type { ChatMessage } from './chat-template.js';
import type { Tokenizer } from './tokenizer.js';

export interface EncodeChatOptions {
  messages: readonly ChatMessage[];
  /** Default true: the prompt ends where the assistant's answer starts. */
  addGenerationPrompt?: boolean;
}

/** The rendered prompt text of `messages` for this tokenizer. */
export function renderChat(tokenizer: Tokenizer, options: EncodeChatOptions): string {
  if (tokenizer.chatTemplate === null) {
    throw new ConfigError('CONFIG_INVALID', `${tokenizer.source}: the tokenizer has no chat_template`, {
      fix: 'add "chat_template" to tokenizer_config.json (or a chat_template.jinja file), or pass a plain prompt',
    });
  }
  return applyChatTemplate(tokenizer.chatTemplate, {
    messages: options.messages,
    addGenerationPrompt: options.addGenerationPrompt ?? true,
    specialTokens: {
      bos_token: tokenizer.bosToken,
      eos_token: tokenizer.eosToken,
      pad_token: tokenizer.padToken,
      unk_token: tokenizer.unkToken,
    },
    source: tokenizer.source,
  });
}

/** Token ids of the rendered chat; no special tokens are added because the template writes them itself. */
export function encodeChat(tokenizer: Tokenizer, options: EncodeChatOptions): number[] {
  return tokenizer.encode(renderChat(tokenizer, options), { addSpecialTokens: false });
}
