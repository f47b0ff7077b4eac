/**
 * Read the trainer's metrics.jsonl (one JSON object per line: step, loss, learning_rate, tokens_per_s,
 * gradient_norm, validation_loss — null on steps without validation) into the report's loss curves.
 * A null loss becomes NaN, so the chart shows a gap where a step diverged instead of hiding it.
 */
import { FormatError } from '@lorakit/core';
import type { TrainingLossPoint, ValidationLossPoint } from './report-data.js';

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  step: number;
  loss: number | null;
  learning_rate?: number;
  tokens_per_s?: number;
  gradient_norm?: number;
  validation_loss: number | null;
}

export interface ParsedMetrics {
  records: MetricsRecord[];
  training: TrainingLossPoint[];
  validation: ValidationLossPoint[];
}

function numberOrNull(value: unknown, key: string, line: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') {
    throw new FormatError(
      'JSON_INVALID',
      `metrics.jsonl line ${line}: "${key}" is ${JSON.stringify(value)}, not a number`,
      {
        fix: 'write numbers, or null where there is no value',
      },
    );
  }
  return value;
}

/** Parse metrics.jsonl text; blank lines are skipped, a malformed line throws FormatError naming it. */
export function parseMetricsJsonl(text: string): ParsedMetrics {
  const records: MetricsRecord[] = [];
  const training: TrainingLossPoint[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new FormatError('JSON_INVALID', `metrics.jsonl line ${line} is not JSON`, {
        fix: 'each line must be one JSON object (was the trainer stopped mid-write?)',
        cause,
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError('JSON_INVALID', `metrics.jsonl line ${line} is not a JSON object`);
    }
    const entry = value as Record<string, unknown>;
    const step = numberOrNull(entry['step'], 'step', line);
    if (step === null) throw new FormatError('JSON_INVALID', `metrics.jsonl line ${line} has no "step"`);
    const record: MetricsRecord = {
      step,
      loss: numberOrNull(entry['loss'], 'loss', line),
      validation_loss: numberOrNull(entry['validation_loss'], 'validation_loss', line),
    };
    for (const key of ['learning_rate', 'tokens_per_s', 'gradient_norm'] as const) {
      const optional = numberOrNull(entry[key], key, line);
      if (optional !== null) record[key] = optional;
    }
    records.push(record);
    // A line without a "loss" key (a validation-only line) is not a training point; an explicit null is.
    if ('loss' in entry) training.push({ step, loss: record.loss ?? Number.NaN });
  });
  return {
    records,
    training,
    validation: records
      .filter(
        (record): record is MetricsRecord & { validation_loss: number } => record.validation_loss !== null,
      )
      .map((record) => ({ step: record.step, validation_loss: record.validation_loss })),
  };
}
