import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeChat, renderChat } from './chat-template-tokens.js';
import { applyChatTemplate } from './chat-template.js';
import { loadTokenizer } from './tokenizer-file.js';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
const tinyBase = join(fixtures, 'peft-tiny-llama', 'base');
const gpt2 = join(fixtures, 'real-gpt2-lora');
if (!existsSync(fixtures))
  console.warn(`shared fixtures not found at ${fixtures}: chat template fixture tests skipped`);

const messages = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hi there' },
];

// A template that exercises whitespace control, trim/lstrip of blocks, special tokens, tools and raise_exception.
const LLAMA_STYLE =
  "{{ bos_token }}\n{%- for m in messages %}\n    {%- if m['role'] == 'user' %}\n        {{- '[INST] ' + m['content'] + ' [/INST]' }}\n    {%- elif m['role'] == 'assistant' %}\n        {{- m['content'] + eos_token }}\n    {%- else %}\n        {{- raise_exception('unknown role ' + m['role']) }}\n    {%- endif %}\n{%- endfor %}\n{% if add_generation_prompt %}\n  <start>\n{% endif %}\n{% if tools is none %}no tools{% endif %}|{{ pad_token }}|{{ unk_token }}";

describe.skipIf(!existsSync(fixtures))(
  'chat templates, against transformers 5.24 apply_chat_template',
  () => {
    it('renders the tiny fixture template with and without the generation prompt', async () => {
      const tokenizer = await loadTokenizer({ modelDirectory: tinyBase });
      expect(renderChat(tokenizer, { messages, addGenerationPrompt: false })).toBe(
        '<|system|>\nBe brief.<|endoftext|>\n<|user|>\nHi there<|endoftext|>\n',
      );
      expect(renderChat(tokenizer, { messages })).toBe(
        '<|system|>\nBe brief.<|endoftext|>\n<|user|>\nHi there<|endoftext|>\n<|assistant|>\n',
      );
    });

    it('encodes the rendered chat as apply_chat_template(tokenize=True): "<|endoftext|>" is one token', async () => {
      const tokenizer = await loadTokenizer({ modelDirectory: tinyBase });
      expect(encodeChat(tokenizer, { messages })).toEqual([
        60, 124, 115, 121, 115, 116, 101, 109, 124, 62, 10, 66, 101, 32, 98, 114, 105, 101, 102, 46, 256, 10,
        60, 124, 117, 115, 101, 114, 124, 62, 10, 72, 105, 32, 116, 104, 101, 114, 101, 256, 10, 60, 124, 97,
        115, 115, 105, 115, 116, 97, 110, 116, 124, 62, 10,
      ]);
    });

    it('passes bos/eos/pad/unk, tools=none and trims blocks as transformers does (GPT-2 special tokens)', async () => {
      const tokenizer = await loadTokenizer({ modelDirectory: gpt2 });
      const chat = [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: '日本 🙂?' },
      ];
      const specialTokens = {
        bos_token: tokenizer.bosToken,
        eos_token: tokenizer.eosToken,
        pad_token: tokenizer.padToken,
        unk_token: tokenizer.unkToken,
      };
      const withPrompt = applyChatTemplate(LLAMA_STYLE, {
        messages: chat,
        addGenerationPrompt: true,
        specialTokens,
      });
      expect(withPrompt).toBe(
        '<|endoftext|>[INST] Hi [/INST]Hello!<|endoftext|>[INST] 日本 🙂? [/INST]  <start>\nno tools|<|endoftext|>|<|endoftext|>',
      );
      const without = applyChatTemplate(LLAMA_STYLE, { messages: chat, specialTokens });
      expect(without).toBe(
        '<|endoftext|>[INST] Hi [/INST]Hello!<|endoftext|>[INST] 日本 🙂? [/INST]no tools|<|endoftext|>|<|endoftext|>',
      );
    });
  },
);

describe('chat template errors', () => {
  it('an unset special token renders empty, as transformers leaves it out', () => {
    expect(applyChatTemplate('[{{ bos_token }}]', { messages, specialTokens: { bos_token: null } })).toBe(
      '[]',
    );
  });

  it("reports the template's raise_exception and a syntax error as one line", () => {
    expect(() => applyChatTemplate(LLAMA_STYLE, { messages: [{ role: 'tool', content: 'x' }] })).toThrow(
      /chat template failed: .*unknown role tool/,
    );
    expect(() => applyChatTemplate('{% for %}', { messages })).toThrow(/chat template does not parse/);
  });

  it('rejects messages that are not {role, content} objects, naming the index', () => {
    expect(() => applyChatTemplate('x', { messages: [] })).toThrow(/non-empty array/);
    const bad = [{ role: 'user', content: 'a' }, { role: 'user' }] as unknown as typeof messages;
    expect(() => applyChatTemplate('x', { messages: bad })).toThrow(/messages\[1\] must be an object/);
  });
});
