/** Parsing of numeric and list options, with one-line errors that name the option and the fix. */
import { LorakitError } from '@lorakit/core';
import type { BackendPreference } from '@lorakit/kernels-cuda';

export function parsePositiveInteger(option: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number <= 0) {
    throw new LorakitError('INVALID_ARGUMENT', `${option} must be a positive integer, got "${value}"`);
  }
  return number;
}

export function parsePositiveNumber(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new LorakitError('INVALID_ARGUMENT', `${option} must be a positive number, got "${value}"`);
  }
  return number;
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The values every command's --backend accepts. */
export const BACKEND_CHOICES = [
  'auto',
  'cpu',
  'reference',
  'cuda',
] as const satisfies readonly BackendPreference[];

export function parseBackend(value: string): BackendPreference {
  const found = BACKEND_CHOICES.find((name) => name === value);
  if (!found) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${value}"`,
    );
  }
  return found;
}
