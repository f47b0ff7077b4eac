import { describe, expect, it } from 'vitest';
import type { DatasetRecord } from './dataset-record.js';
import { IGNORE_INDEX } from './encode-example.js';
import { makeBatch } from './make-batch.js';
import { prepareSequences } from './prepare-sequences.js';
import { splitDataset } from './split-dataset.js';
import { byteExampleTokenizer, PAD } from './testing/byte-example-tokenizer.js';

const texts = (...values: string[]): DatasetRecord[] => values.map((text) => ({ format: 'text', text }));

describe('prepareSequences', () => {
  it('truncates long examples with one warning, or refuses them with file:line', () => {
    const warnings: string[] = [];
    const sequences = prepareSequences(texts('abcdefgh', 'ab', 'abcdefghij'), {
      tokenizer: byteExampleTokenizer(),
      maxLength: 4,
      file: 't.jsonl',
      onWarning: (line) => warnings.push(line),
    });
    expect(sequences.map((sequence) => sequence.inputIds.length)).toEqual([4, 3, 4]);
    expect(sequences[0]?.targets[3]).toBe(IGNORE_INDEX);
    expect(warnings).toEqual(['t.jsonl: 2 example(s) longer than 4 tokens (longest 11) were truncated']);
    expect(() =>
      prepareSequences(texts('ab', 'abcdefgh'), {
        tokenizer: byteExampleTokenizer(),
        maxLength: 4,
        overflow: 'error',
        file: 't.jsonl',
        lines: [1, 3],
      }),
    ).toThrow(/^t\.jsonl:3: example has 9 tokens, more than the model's 4/);
  });

  it('packs examples end to end without splitting one, masking the boundary', () => {
    const packed = prepareSequences(texts('ab', 'cd', 'efgh'), {
      tokenizer: byteExampleTokenizer(),
      maxLength: 6,
      packing: true,
    });
    // 'ab'+EOS (3) + 'cd'+EOS (3) = 6 fit; 'efgh'+EOS (5) starts a new sequence
    expect(packed.map((sequence) => sequence.inputIds.length)).toEqual([6, 5]);
    expect(packed[0]?.targets[2]).toBe(IGNORE_INDEX); // EOS of "ab" does not predict "c"
    expect(packed[0]?.targets[1]).toBe(256);
  });
});

describe('makeBatch', () => {
  it('right-pads with the pad id and ignores padded targets', () => {
    const sequences = prepareSequences(texts('abc', 'a'), {
      tokenizer: byteExampleTokenizer(),
      maxLength: 16,
    });
    const batch = makeBatch(sequences, PAD);
    expect(batch.sequenceLength).toBe(4);
    expect([...batch.inputIds]).toEqual([97, 98, 99, 256, 97, 256, PAD, PAD]);
    expect([...batch.targets]).toEqual([98, 99, 256, -100, 256, -100, -100, -100]);
    expect(batch.targetCount).toBe(4);
    expect(batch.tokenCount).toBe(6);
  });
});

describe('splitDataset', () => {
  const items = Array.from({ length: 100 }, (_, index) => index);
  it('is a partition fixed by the seed', () => {
    const split = splitDataset(items, { validation: 0.1, test: 0.2, seed: 7 });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([70, 10, 20]);
    expect([...split.train, ...split.validation, ...split.test].sort((a, b) => a - b)).toEqual(items);
    expect(splitDataset(items, { validation: 0.1, test: 0.2, seed: 7 })).toEqual(split);
    expect(splitDataset(items, { validation: 0.1, test: 0.2, seed: 8 }).validation).not.toEqual(
      split.validation,
    );
  });
  it('keeps at least one record per non-empty share and refuses too few', () => {
    expect(splitDataset([1, 2, 3], { validation: 0.01, seed: 0 }).validation).toHaveLength(1);
    expect(() => splitDataset([1, 2], { validation: 0.5, test: 0.4 })).toThrow(/too few/);
  });
});
