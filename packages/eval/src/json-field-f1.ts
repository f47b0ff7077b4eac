/**
 * Per-field agreement of two JSON documents. Each document becomes the set of its leaves as "path=value"
 * pairs (path like `address.city` or `items[0].name`, value as canonical JSON); then
 * precision = |pairs(output) ∩ pairs(reference)| / |pairs(output)|, recall = … / |pairs(reference)|, and
 * F1 = 2PR/(P+R). An output that is not JSON scores 0. Markdown code fences around the output are ignored.
 */
import { LorakitError } from '@lorakit/core';

/** Parses JSON, ignoring a surrounding ```json … ``` fence; undefined when it does not parse. */
export function parseJsonOutput(text: string): unknown {
  const fenced = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n?```\s*$/u.exec(text);
  try {
    return JSON.parse(fenced ? (fenced[1] as string) : text) as unknown;
  } catch {
    return undefined;
  }
}

/** The leaves of a JSON value as "path=value" strings (empty objects and arrays count as leaves). */
export function jsonFieldPairs(value: unknown, path = ''): string[] {
  if (Array.isArray(value) && value.length > 0)
    return value.flatMap((item, index) => jsonFieldPairs(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null && Object.keys(value).length > 0)
    return Object.entries(value).flatMap(([key, item]) =>
      jsonFieldPairs(item, path ? `${path}.${key}` : key),
    );
  return [`${path}=${JSON.stringify(value)}`];
}

export function jsonFieldF1(output: string, reference: string): number {
  const expected = parseJsonOutput(reference);
  if (expected === undefined)
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `json_field_f1: the reference is not valid JSON: ${reference.slice(0, 60)}`,
      {
        fix: 'use json_field_f1 only on tasks whose reference answers are JSON',
      },
    );
  const produced = parseJsonOutput(output);
  if (produced === undefined) return 0;
  const referencePairs = new Set(jsonFieldPairs(expected));
  const outputPairs = new Set(jsonFieldPairs(produced));
  let common = 0;
  for (const pair of outputPairs) if (referencePairs.has(pair)) common++;
  if (common === 0) return 0;
  const precision = common / outputPairs.size;
  const recall = common / referencePairs.size;
  return (2 * precision * recall) / (precision + recall);
}
