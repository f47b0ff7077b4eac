import { describe, expect, it } from 'vitest';
import { encodeExample, IGNORE_INDEX } from './encode-example.js';
import { byteExampleTokenizer, END_OF_TEXT } from './testing/byte-example-tokenizer.js';

const bytes = (text: string): number[] => [...new TextEncoder().encode(text)];
const I = IGNORE_INDEX;

describe('encodeExample', () => {
  it('plain text: every next token is a target, EOS appended', () => {
    const encoded = encodeExample({ format: 'text', text: 'abc' }, byteExampleTokenizer());
    expect(encoded.inputIds).toEqual([...bytes('abc'), END_OF_TEXT]);
    expect(encoded.targets).toEqual([...bytes('bc'), END_OF_TEXT, I]);
  });

  it('prompt/completion: loss on the completion and EOS only', () => {
    const encoded = encodeExample(
      { format: 'completion', prompt: 'Q:', completion: 'ok' },
      byteExampleTokenizer(),
    );
    expect(encoded.inputIds).toEqual([...bytes('Q:ok'), END_OF_TEXT]);
    // position 0 predicts ':' (prompt, ignored); position 1 predicts 'o' (completion)
    expect(encoded.targets).toEqual([I, ...bytes('ok'), END_OF_TEXT, I]);
    const all = encodeExample(
      { format: 'completion', prompt: 'Q:', completion: 'ok' },
      byteExampleTokenizer(),
      { trainOnPrompts: true },
    );
    expect(all.targets).toEqual([...bytes(':ok'), END_OF_TEXT, I]);
  });

  it('chat: loss on assistant turns only, headers and user turns masked', () => {
    const record = {
      format: 'chat' as const,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'z', weight: 0 as const },
      ],
    };
    const encoded = encodeExample(record, byteExampleTokenizer());
    const text =
      '<|user|>\nhi<|endoftext|>\n<|assistant|>\nyo<|endoftext|>\n<|user|>\nx<|endoftext|>\n<|assistant|>\nz<|endoftext|>\n';
    expect(encoded.inputIds).toEqual(byteExampleTokenizer().encode(text));
    const trained = encoded.targets.filter((target) => target !== I);
    // the first assistant turn's content, EOS and the newline the template puts after it; weight 0 is context
    expect(trained).toEqual([...bytes('yo'), END_OF_TEXT, ...bytes('\n')]);
    const firstTrained = encoded.targets.findIndex((target) => target !== I);
    expect(encoded.inputIds[firstTrained]).toBe(bytes('\n')[0]); // the header's last byte predicts "y"
  });

  it('alpaca: rendered as a user/assistant conversation, or the Alpaca prompt without a template', () => {
    const record = { format: 'alpaca' as const, instruction: 'Add', input: '1 2', output: '3' };
    const chat = encodeExample(record, byteExampleTokenizer());
    expect(chat.inputIds).toEqual(
      byteExampleTokenizer().encode('<|user|>\nAdd\n\n1 2<|endoftext|>\n<|assistant|>\n3<|endoftext|>\n'),
    );
    expect(chat.targets.filter((target) => target !== I)).toEqual([
      ...bytes('3'),
      END_OF_TEXT,
      ...bytes('\n'),
    ]);
    const plain = encodeExample(record, byteExampleTokenizer({ chat: false }));
    expect(plain.inputIds).toEqual([
      ...bytes('### Instruction:\nAdd\n\n### Input:\n1 2\n\n### Response:\n3'),
      END_OF_TEXT,
    ]);
    expect(plain.targets.filter((target) => target !== I)).toEqual([...bytes('3'), END_OF_TEXT]);
  });
});
