/**
 * Chat templates: the Jinja template in tokenizer_config.json turns a list of messages into the prompt text, run
 * by @huggingface/jinja with the variables transformers' `apply_chat_template` passes: `messages`,
 * `add_generation_prompt`, `tools` and `documents` (none unless given), and the special tokens that are set
 * (`bos_token`, `eos_token`, `pad_token`, `unk_token`) as strings. Blocks are trimmed as transformers does.
 */
import { Template } from '@huggingface/jinja';
import { ConfigError, LorakitError } from '@lorakit/core';

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export interface ChatTemplateOptions {
  messages: readonly ChatMessage[];
  /** Append the marker that opens the assistant's turn (true for generation, false for training text). */
  addGenerationPrompt?: boolean;
  /** Special tokens by name; null or missing ones are left undefined, as transformers leaves them out. */
  specialTokens?: Partial<Record<'bos_token' | 'eos_token' | 'pad_token' | 'unk_token', string | null>>;
  tools?: readonly unknown[];
  documents?: readonly unknown[];
  /** Where the template came from, for error messages. */
  source?: string;
}

/** Checks that a parsed value is a list of `{ role, content }` messages; `where` names its origin in errors. */
export function checkChatMessages(value: unknown, where: string): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `${where} must be a non-empty array of {"role", "content"} messages`,
    );
  }
  value.forEach((message: unknown, index) => {
    const record = message as Record<string, unknown> | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record['role'] !== 'string' ||
      typeof record['content'] !== 'string'
    ) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `${where}[${index}] must be an object with string "role" and "content", got ${JSON.stringify(message)}`,
      );
    }
  });
  return value as ChatMessage[];
}

const compiled = new Map<string, Template>();

function compile(template: string, source: string): Template {
  const cached = compiled.get(template);
  if (cached) return cached;
  try {
    const parsed = new Template(template);
    compiled.set(template, parsed);
    return parsed;
  } catch (error) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: the chat template does not parse: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Renders `template` for the messages; the result is prompt text (encode it without adding special tokens). */
export function applyChatTemplate(template: string, options: ChatTemplateOptions): string {
  const source = options.source ?? 'chat_template';
  const messages = checkChatMessages(options.messages, 'messages');
  const specialTokens: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.specialTokens ?? {}))
    if (typeof value === 'string') specialTokens[name] = value;
  try {
    return compile(template, source).render({
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? false,
      tools: options.tools ?? null,
      documents: options.documents ?? null,
      ...specialTokens,
    });
  } catch (error) {
    if (error instanceof LorakitError) throw error;
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: the chat template failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
