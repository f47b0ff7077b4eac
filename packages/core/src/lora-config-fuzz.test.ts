import { describe, expect, it } from 'vitest';
import { LorakitError } from './errors.js';
import {
  PEFT_LORA_DEFAULTS,
  createLoraConfig,
  parseLoraConfig,
  parseLoraConfigText,
  serializeLoraConfig,
} from './lora-config.js';
import type { LoraConfig } from './lora-config.js';

/** mulberry32: a small seeded PRNG, so a failure reproduces from its iteration number. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** LORAKIT_FUZZ_SEED reruns the fuzz with another seed; the default keeps CI reproducible. */
const SEED = Number(process.env['LORAKIT_FUZZ_SEED'] ?? 20240601);
const KEYS = [...Object.keys(PEFT_LORA_DEFAULTS), 'lora_alhpa', 'future_key', '__proto__', ''];
const STRINGS = [
  '',
  'LORA',
  'q_proj',
  'all-linear',
  '(',
  '[a-',
  '.*\\.(q|v)_proj',
  '(?P<x>a)',
  '8',
  'none',
  'é\u{1F600}',
  'CAUSAL_LM',
  'lora_only',
];
const NUMBERS = [
  0,
  -0,
  1,
  8,
  -1,
  0.5,
  1.5,
  0.999,
  1,
  1e300,
  -1e-300,
  Number.NaN,
  Infinity,
  -Infinity,
  2 ** 53,
];

function randomValue(random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  switch (Math.floor(random() * (depth > 2 ? 6 : 9))) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(NUMBERS);
    case 3:
      return Math.floor(random() * 200) - 50;
    case 4:
      return pick(STRINGS);
    case 5:
      return random() < 0.5 ? undefined : random() * 2;
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    case 7:
      return Array.from({ length: Math.floor(random() * 3) }, () => pick(STRINGS));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 3) }, () => [
          pick(STRINGS),
          randomValue(random, depth + 1),
        ]),
      );
  }
}

/** Runs an action that may throw; anything thrown must be one of lorakit's typed errors. */
function parsesOrThrowsTyped<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof LorakitError)) throw new Error(`escaped as ${String(error)}`, { cause: error });
    expect(['CONFIG_INVALID', 'JSON_INVALID']).toContain(error.code);
    return undefined;
  }
}

function expectRoundTrip(config: LoraConfig): void {
  const text = parsesOrThrowsTyped(() => serializeLoraConfig(config));
  if (text === undefined) return; // "all-linear" unresolved, or a non-JSON value in extra
  const back = parseLoraConfigText(text);
  const targets = Array.isArray(config.target_modules)
    ? [...new Set(config.target_modules)].sort()
    : config.target_modules;
  const excluded = Array.isArray(config.exclude_modules)
    ? [...new Set(config.exclude_modules)].sort()
    : config.exclude_modules;
  expect(back).toEqual({
    ...config,
    inference_mode: true,
    target_modules: targets,
    exclude_modules: excluded,
  });
}

describe('parseLoraConfig fuzz', () => {
  it('either parses (and then round trips) or throws a LorakitError, for random values of every key', () => {
    const random = prng(SEED);
    let parsed = 0;
    for (let iteration = 0; iteration < 2000; iteration++) {
      const json: Record<string, unknown> = { peft_type: 'LORA', r: 8 };
      const count = 1 + Math.floor(random() * 3);
      for (let index = 0; index < count; index++) {
        Object.defineProperty(json, KEYS[Math.floor(random() * KEYS.length)] ?? 'r', {
          value: randomValue(random),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const config = parsesOrThrowsTyped(() => parseLoraConfig(json, { onWarning: () => undefined }));
      if (config !== undefined) {
        parsed++;
        expectRoundTrip(config);
      }
    }
    // Both outcomes must occur, or the generator is not exercising the checks.
    expect(parsed).toBeGreaterThan(200);
    expect(parsed).toBeLessThan(1800);
  });

  it('either parses or throws a LorakitError, for truncated and corrupted JSON text', () => {
    const random = prng(SEED + 1);
    const text = serializeLoraConfig(createLoraConfig({ rank_pattern: { q_proj: 4 }, extra: { note: 'é' } }));
    for (let iteration = 0; iteration < 1000; iteration++) {
      const cut = Math.floor(random() * text.length);
      const variant =
        iteration % 2 === 0
          ? text.slice(0, cut)
          : text.slice(0, cut) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(cut + 1);
      parsesOrThrowsTyped(() => parseLoraConfigText(variant));
    }
  });

  it('rejects non-object top-level values with a LorakitError', () => {
    const random = prng(SEED + 2);
    for (let iteration = 0; iteration < 200; iteration++) {
      const value = randomValue(random);
      const result = parsesOrThrowsTyped(() => parseLoraConfig(value));
      if (result !== undefined) expect(typeof value).toBe('object');
    }
  });
});
