import { LorakitError } from '@lorakit/core';
import { describe, expect, it } from 'vitest';
import { parseMetricsJsonl } from './report-metrics-jsonl.js';

describe('parseMetricsJsonl', () => {
  it('splits training and validation points as the trainer writes them', () => {
    const text = [
      '{"step":1,"loss":2.5,"learning_rate":0.0002,"tokens_per_s":1800,"gradient_norm":1.1,"validation_loss":null}',
      '',
      '{"step":2,"loss":2.1,"learning_rate":0.0002,"tokens_per_s":1810,"gradient_norm":0.9,"validation_loss":2.3}',
      '{"step":3,"loss":null,"learning_rate":0.0002,"tokens_per_s":1790,"gradient_norm":null,"validation_loss":null}',
      '',
    ].join('\n');
    const parsed = parseMetricsJsonl(text);
    expect(parsed.records).toHaveLength(3);
    expect(parsed.records[0]).toEqual({
      step: 1,
      loss: 2.5,
      learning_rate: 0.0002,
      tokens_per_s: 1800,
      gradient_norm: 1.1,
      validation_loss: null,
    });
    expect(parsed.training.slice(0, 2)).toEqual([
      { step: 1, loss: 2.5 },
      { step: 2, loss: 2.1 },
    ]);
    expect(parsed.training[2]?.loss).toBeNaN();
    expect(parsed.validation).toEqual([{ step: 2, validation_loss: 2.3 }]);
  });

  it('names the bad line', () => {
    expect(() => parseMetricsJsonl('{"step":1,"loss":1}\n{"step":2,"loss":')).toThrow(
      /metrics\.jsonl line 2 is not JSON/,
    );
    expect(() => parseMetricsJsonl('{"loss":1}')).toThrow(/line 1 has no "step"/);
    expect(() => parseMetricsJsonl('{"step":1,"loss":"1.0"}')).toThrow(
      /line 1: "loss" is "1.0", not a number/,
    );
    expect(() => parseMetricsJsonl('[1]')).toThrow(LorakitError);
    expect(parseMetricsJsonl('').training).toEqual([]);
  });
});
