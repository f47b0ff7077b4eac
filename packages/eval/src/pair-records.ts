/**
 * Pairs two runs' records item by item (by id, and the prompt hash must agree). Runs that cover different items
 * cannot be compared: the error says how many items differ.
 */
import { LorakitError } from '@lorakit/core';
import type { EvalRecord } from './eval-record.js';

export interface PairedScores {
  ids: string[];
  a: number[];
  b: number[];
}

export function pairRecords(
  a: readonly EvalRecord[],
  b: readonly EvalRecord[],
  names: { a: string; b: string } = { a: 'run A', b: 'run B' },
): PairedScores {
  const byIdB = new Map(b.map((record) => [record.id, record]));
  const idsA = new Set(a.map((record) => record.id));
  let onlyA = 0;
  let changed = 0;
  const paired: PairedScores = { ids: [], a: [], b: [] };
  for (const record of a) {
    const other = byIdB.get(record.id);
    if (!other) onlyA++;
    else if (other.prompt_hash !== record.prompt_hash) changed++;
    else {
      paired.ids.push(record.id);
      paired.a.push(record.score);
      paired.b.push(other.score);
    }
  }
  const onlyB = b.filter((record) => !idsA.has(record.id)).length;
  const differing = onlyA + onlyB + changed;
  if (differing > 0 || a.length !== idsA.size || b.length !== byIdB.size) {
    const duplicates = a.length - idsA.size + (b.length - byIdB.size);
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `${names.a} and ${names.b} cover different items: ${differing} of ${idsA.size + onlyB} differ (${onlyA} only in ${names.a}, ${onlyB} only in ${names.b}, ${changed} with another prompt${duplicates > 0 ? `; ${duplicates} duplicate ids` : ''})`,
      { fix: 'score both runs on the same test file with the same tokenizer and --limit' },
    );
  }
  return paired;
}
