/**
 * Turns one record into token ids and next-token targets. A sequence of n tokens gives n positions;
 * targets[t] = ids[t+1] when token t+1 is trained, else IGNORE_INDEX (−100, PyTorch's), and the last
 * position has no target. Trained tokens by default: assistant turns (chat), the output (Alpaca), the
 * completion (prompt/completion) and every token of plain text.
 */
import type { ChatMessage, DatasetRecord } from './dataset-record.js';
import type { ExampleTokenizer } from './example-tokenizer.js';
import { renderChatSegments } from './render-chat-segments.js';

export const IGNORE_INDEX = -100;

export interface EncodedSequence {
  inputIds: number[];
  /** Same length as inputIds: the id to predict at each position, or IGNORE_INDEX. */
  targets: number[];
}

export interface EncodeExampleOptions {
  /** Train on prompts and user turns too (default false: completions only). */
  trainOnPrompts?: boolean;
}

/** A piece of text and whether its tokens are trained. */
export interface TextSegment {
  text: string;
  trained: boolean;
}

function alpacaMessages(record: { instruction: string; input: string; output: string }): ChatMessage[] {
  const user = record.input === '' ? record.instruction : `${record.instruction}\n\n${record.input}`;
  return [
    { role: 'user', content: user },
    { role: 'assistant', content: record.output },
  ];
}

/** The Stanford Alpaca prompt, for models without a chat template. */
function alpacaPrompt(record: { instruction: string; input: string }): string {
  return record.input === ''
    ? `### Instruction:\n${record.instruction}\n\n### Response:\n`
    : `### Instruction:\n${record.instruction}\n\n### Input:\n${record.input}\n\n### Response:\n`;
}

function segmentsOf(
  record: DatasetRecord,
  tokenizer: ExampleTokenizer,
): { segments: TextSegment[]; bos: boolean; eos: boolean } {
  switch (record.format) {
    case 'text':
      return { segments: [{ text: record.text, trained: true }], bos: true, eos: true };
    case 'completion':
      return {
        segments: [
          { text: record.prompt, trained: false },
          { text: record.completion, trained: true },
        ],
        bos: true,
        eos: true,
      };
    case 'alpaca':
      if (tokenizer.renderChat)
        return {
          segments: renderChatSegments(alpacaMessages(record), tokenizer.renderChat),
          bos: false,
          eos: false,
        };
      return {
        segments: [
          { text: alpacaPrompt(record), trained: false },
          { text: record.output, trained: true },
        ],
        bos: true,
        eos: true,
      };
    case 'chat':
      // The template already places BOS/EOS where the model expects them.
      return { segments: renderChatSegments(record.messages, tokenizer.renderChat), bos: false, eos: false };
  }
}

/** Token ids of `record` with its targets (see the top of this file). */
export function encodeExample(
  record: DatasetRecord,
  tokenizer: ExampleTokenizer,
  options: EncodeExampleOptions = {},
): EncodedSequence {
  const { segments, bos, eos } = segmentsOf(record, tokenizer);
  const ids: number[] = [];
  const trained: boolean[] = [];
  if (bos && tokenizer.bosTokenId !== undefined) {
    ids.push(tokenizer.bosTokenId);
    trained.push(false);
  }
  for (const segment of segments) {
    if (segment.text === '') continue;
    // Each segment is encoded alone so the boundary between prompt and answer is a token boundary.
    for (const id of tokenizer.encode(segment.text)) {
      ids.push(id);
      trained.push(segment.trained || options.trainOnPrompts === true);
    }
  }
  if (eos && tokenizer.eosTokenId !== undefined) {
    ids.push(tokenizer.eosTokenId);
    trained.push(true);
  }
  const targets = ids.map((_, t) =>
    t + 1 < ids.length && trained[t + 1] ? (ids[t + 1] as number) : IGNORE_INDEX,
  );
  return { inputIds: ids, targets };
}
