import { describe, expect, it } from 'vitest';
import type { EvalItem } from './eval-item.js';
import { jsonFieldF1, jsonFieldPairs } from './json-field-f1.js';
import { getMetric, METRICS } from './metrics.js';
import type { LikelihoodScorer } from './metrics.js';
import { rougeL } from './rouge-l.js';

describe('string metrics', () => {
  it('exact_match normalises case and whitespace by default, punctuation on request', () => {
    const { score } = METRICS.exact_match;
    expect(score('  Paris \n', 'paris', {})).toBe(1);
    expect(score('Paris.', 'paris', {})).toBe(0);
    expect(score('Paris.', 'paris', { normalize: { punctuation: true } })).toBe(1);
    expect(score('Paris', 'paris', { normalize: { case: false } })).toBe(0);
  });

  it('contains, regex and json_valid', () => {
    expect(METRICS.contains.score('The answer is 42.', '42', {})).toBe(1);
    expect(METRICS.contains.score('The answer is 41.', '42', {})).toBe(0);
    expect(METRICS.regex.score('id: AB-123', '', { pattern: '[A-Z]{2}-\\d{3}' })).toBe(1);
    expect(METRICS.regex.score('id: AB-12', '[A-Z]{2}-\\d{3}', {})).toBe(0);
    expect(METRICS.regex.score('x1 x2', '', { pattern: 'x\\d', flags: 'g' })).toBe(1);
    expect(METRICS.json_valid.score('```json\n{"a": 1}\n```', '', {})).toBe(1);
    expect(METRICS.json_valid.score('{"a": 1', '', {})).toBe(0);
  });

  it('rouge_l: LCS F-measure of known strings', () => {
    // LCS("the cat on the mat", "the cat sat on the mat") = 5: P = 1, R = 5/6, F = 10/11
    expect(rougeL('the cat on the mat', 'The cat sat on the mat.')).toBeCloseTo(10 / 11, 12);
    // LCS = 2 ("police", "gunman"... ): "police killed the gunman" vs "police kill the gunman" = 3 of 4
    expect(rougeL('police kill the gunman', 'police killed the gunman')).toBeCloseTo(0.75, 12);
    expect(rougeL('', '')).toBe(1);
    expect(rougeL('abc', 'xyz')).toBe(0);
  });

  it('json_field_f1: precision and recall over path=value pairs', () => {
    expect(jsonFieldPairs({ a: 1, b: { c: 'x' }, d: [true] })).toEqual(['a=1', 'b.c="x"', 'd[0]=true']);
    const reference = '{"name": "Ada", "age": 36, "city": "London"}';
    expect(jsonFieldF1(reference, reference)).toBe(1);
    // 2 of 3 output fields right (P = 2/3), 2 of 3 reference fields found (R = 2/3)
    expect(jsonFieldF1('{"name": "Ada", "age": 37, "city": "London"}', reference)).toBeCloseTo(2 / 3, 12);
    // 2 right out of 2 given (P = 1), R = 2/3: F = 0.8
    expect(jsonFieldF1('{"name": "Ada", "city": "London"}', reference)).toBeCloseTo(0.8, 12);
    expect(jsonFieldF1('not json', reference)).toBe(0);
    expect(() => jsonFieldF1('{}', 'plain text')).toThrow(/reference is not valid JSON/);
  });

  it('getMetric names the metrics there are', () => {
    expect(getMetric('rouge_l').binary).toBe(false);
    expect(() => getMetric('bleu')).toThrow(/unknown metric "bleu"; metrics: exact_match, json_valid/);
  });
});

describe('likelihood metrics', () => {
  const item: EvalItem = {
    id: '1',
    source: 't.jsonl:1',
    prompt: 'Q',
    reference: 'yes',
    choices: ['yes', 'no', 'maybe'],
  };
  // log-likelihood per character: "no" is likeliest in total, "yes" per token
  const table: Record<string, number> = { yes: -3, no: -2.5, maybe: -10 };
  const scorer: LikelihoodScorer = (text) => ({
    logLikelihood: table[text] ?? -Infinity,
    tokens: text.length,
  });

  it('multiple_choice picks the option of highest (optionally per-token) log-likelihood', () => {
    expect(METRICS.multiple_choice.score(scorer, item, {})).toEqual({ score: 0, output: 'no' });
    expect(METRICS.multiple_choice.score(scorer, item, { lengthNormalized: true })).toEqual({
      score: 1,
      output: 'yes',
    });
  });

  it('perplexity is exp of the mean token loss of the reference', () => {
    expect(METRICS.perplexity.score(scorer, item, {}).score).toBeCloseTo(Math.exp(1), 12);
    expect(METRICS.perplexity.higherIsBetter).toBe(false);
  });
});
