/** Adapts @lorakit/models' Tokenizer (tokenizer.json + chat template of a model folder) to ExampleTokenizer. */
import { applyChatTemplate } from '@lorakit/models';
import type { Tokenizer } from '@lorakit/models';
import type { ExampleTokenizer } from './example-tokenizer.js';

export function modelExampleTokenizer(tokenizer: Tokenizer): ExampleTokenizer {
  const template = tokenizer.chatTemplate;
  const specialTokens = {
    bos_token: tokenizer.bosToken,
    eos_token: tokenizer.eosToken,
    pad_token: tokenizer.padToken,
    unk_token: tokenizer.unkToken,
  };
  return {
    encode: (text) => tokenizer.encode(text, { addSpecialTokens: false }),
    ...(template === null
      ? {}
      : {
          renderChat: (messages, options): string =>
            applyChatTemplate(template, {
              messages: messages.map((message) => ({ role: message.role, content: message.content })),
              addGenerationPrompt: options.addGenerationPrompt,
              specialTokens,
              source: `${tokenizer.source} chat_template`,
            }),
        }),
    ...(tokenizer.bosTokenId === null ? {} : { bosTokenId: tokenizer.bosTokenId }),
    ...(tokenizer.eosTokenId === null ? {} : { eosTokenId: tokenizer.eosTokenId }),
    ...(tokenizer.padTokenId === null ? {} : { padTokenId: tokenizer.padTokenId }),
  };
}
