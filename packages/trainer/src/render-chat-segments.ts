/**
 * Splits a rendered conversation into trained and untrained text. The template is rendered on growing prefixes
 * of the conversation: the text added by an assistant turn, after the generation prompt that opens it, is
 * trained; everything else (system, user, headers) is context. This needs a template whose output for a
 * prefix of the messages is a prefix of its output for all of them, which chat templates are built to be.
 */
import { ConfigError } from '@lorakit/core';
import type { ChatMessage } from './dataset-record.js';
import type { ExampleTokenizer } from './example-tokenizer.js';
import type { TextSegment } from './encode-example.js';

/** Used when the model folder has no chat template: one "role: content" line per message. */
function fallbackRender(messages: readonly ChatMessage[], options: { addGenerationPrompt: boolean }): string {
  const body = messages.map((message) => `${message.role}: ${message.content}\n`).join('');
  return options.addGenerationPrompt ? `${body}assistant: ` : body;
}

function requirePrefix(prefix: string, full: string, index: number): void {
  if (!full.startsWith(prefix)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `the chat template's output for messages[0..${index}] is not a prefix of its output for more messages, so assistant turns cannot be located`,
      {
        fix: 'use a chat template that renders conversations incrementally, or train on prompt/completion data',
      },
    );
  }
}

export function renderChatSegments(
  messages: readonly ChatMessage[],
  render: ExampleTokenizer['renderChat'] = fallbackRender,
): TextSegment[] {
  const segments: TextSegment[] = [];
  let done = '';
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as ChatMessage;
    const upTo = messages.slice(0, index + 1);
    const full = render(upTo, { addGenerationPrompt: false });
    if (message.role === 'assistant' && message.weight !== 0) {
      const header = render(messages.slice(0, index), { addGenerationPrompt: true });
      requirePrefix(done, header, index);
      requirePrefix(header, full, index);
      segments.push({ text: header.slice(done.length), trained: false });
      segments.push({ text: full.slice(header.length), trained: true });
    } else {
      requirePrefix(done, full, index);
      segments.push({ text: full.slice(done.length), trained: false });
    }
    done = full;
  }
  return segments;
}
