/**
 * From records to training sequences: encode each record, truncate to the model's length (warning once with a
 * count, or failing on the first long one when asked), then optionally pack several examples into one sequence.
 * Packing puts examples end to end in sequences of at most `maxLength` tokens (first fit, in order); the
 * target across a boundary is masked. Attention still sees the earlier examples of a packed sequence (the ops
 * have no per-example mask), as with TRL's packing: faster on short examples, slightly different numerics.
 */
import { DatasetError } from './dataset-error.js';
import type { DatasetRecord } from './dataset-record.js';
import { encodeExample, IGNORE_INDEX } from './encode-example.js';
import type { EncodedSequence, EncodeExampleOptions } from './encode-example.js';
import type { ExampleTokenizer } from './example-tokenizer.js';

export interface PrepareSequencesOptions extends EncodeExampleOptions {
  tokenizer: ExampleTokenizer;
  /** The longest sequence, in tokens (the model's max_position_embeddings or less). */
  maxLength: number;
  /** 'truncate' (default) cuts long examples and warns once; 'error' refuses them. */
  overflow?: 'truncate' | 'error';
  packing?: boolean;
  /** Receives one line about truncated examples. */
  onWarning?: (message: string) => void;
  /** For messages: the file the records came from and each record's line. */
  file?: string;
  lines?: readonly number[];
}

function pack(sequences: readonly EncodedSequence[], maxLength: number): EncodedSequence[] {
  const packed: EncodedSequence[] = [];
  let current: EncodedSequence = { inputIds: [], targets: [] };
  for (const sequence of sequences) {
    if (current.inputIds.length > 0 && current.inputIds.length + sequence.inputIds.length > maxLength) {
      packed.push(current);
      current = { inputIds: [], targets: [] };
    }
    current.inputIds.push(...sequence.inputIds);
    current.targets.push(...sequence.targets);
  }
  if (current.inputIds.length > 0) packed.push(current);
  return packed;
}

/** Encoded, truncated and (optionally) packed sequences of `records`; examples with nothing to learn are dropped. */
export function prepareSequences(
  records: readonly DatasetRecord[],
  options: PrepareSequencesOptions,
): EncodedSequence[] {
  const file = options.file ?? '<data>';
  let truncated = 0;
  let longest = 0;
  const sequences: EncodedSequence[] = [];
  records.forEach((record, index) => {
    const sequence = encodeExample(record, options.tokenizer, options);
    const length = sequence.inputIds.length;
    if (length > options.maxLength) {
      const line = options.lines?.[index] ?? index + 1;
      if (options.overflow === 'error') {
        throw new DatasetError(
          'INVALID_ARGUMENT',
          file,
          line,
          `example has ${length} tokens, more than the model's ${options.maxLength}`,
          'shorten it, or allow truncation',
        );
      }
      truncated++;
      longest = Math.max(longest, length);
      sequence.inputIds.length = options.maxLength;
      sequence.targets.length = options.maxLength;
      // The cut position's target pointed past the end; nothing follows it now.
      sequence.targets[options.maxLength - 1] = IGNORE_INDEX;
    }
    if (sequence.targets.some((target) => target !== IGNORE_INDEX)) sequences.push(sequence);
  });
  if (truncated > 0) {
    options.onWarning?.(
      `${file}: ${truncated} example(s) longer than ${options.maxLength} tokens (longest ${longest}) were truncated`,
    );
  }
  return options.packing ? pack(sequences, options.maxLength) : sequences;
}
