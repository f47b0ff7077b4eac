import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './sampler-random.js';
import { sampleToken, samplingDistribution } from './sampler.js';
import type { SamplingOptions } from './sampler.js';

const PROBABILITIES = [0.5, 0.3, 0.15, 0.05];
const logits = Float32Array.from(PROBABILITIES, (p) => Math.log(p) + 3); // a shift changes nothing

function frequencies(options: SamplingOptions, draws: number, seed = 1): number[] {
  const random = createSeededRandom(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let index = 0; index < draws; index++) {
    const id = sampleToken(logits, options, random);
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts.map((count) => count / draws);
}

describe('seeded random', () => {
  it('reproduces a sequence from a seed, differs across seeds, and is uniform on [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const c = createSeededRandom(43);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2 ** 32 + 1)());
    let sum = 0;
    let minimum = 1;
    let maximum = 0;
    const draws = 100_000;
    for (let index = 0; index < draws; index++) {
      const u = a();
      sum += u;
      minimum = Math.min(minimum, u);
      maximum = Math.max(maximum, u);
    }
    // mean of U(0,1): σ/√n = 0.289/316 ≈ 0.0009; tolerance 0.005
    expect(Math.abs(sum / draws - 0.5)).toBeLessThanOrEqual(0.005);
    expect(minimum).toBeGreaterThanOrEqual(0);
    expect(maximum).toBeLessThan(1);
  });
});

describe('sampler', () => {
  it('is greedy at temperature 0, ties going to the lowest id', () => {
    expect(sampleToken(logits, { temperature: 0 }, () => 0.99)).toBe(0);
    expect(sampleToken(Float32Array.of(1, 5, 5, 2), { temperature: 0 }, () => 0.5)).toBe(1);
  });

  it('top-k = 1 equals greedy for any seed and temperature', () => {
    const random = createSeededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const values = Float32Array.from({ length: 50 }, () => 4 * random() - 2);
      const greedy = sampleToken(values, { temperature: 0 }, random);
      expect(sampleToken(values, { temperature: 1.5, topK: 1 }, random)).toBe(greedy);
    }
  });

  it('samples softmax(z / T): frequencies within 0.015 of the probabilities (4σ at 20k draws)', () => {
    const observed = frequencies({ temperature: 1 }, 20_000);
    observed.forEach((value, id) =>
      expect(Math.abs(value - (PROBABILITIES[id] ?? 0))).toBeLessThanOrEqual(0.015),
    );
    // T = 2 flattens: p_i ∝ √p_i
    const flat = PROBABILITIES.map(Math.sqrt);
    const total = flat.reduce((a, b) => a + b, 0);
    frequencies({ temperature: 2 }, 20_000, 3).forEach((value, id) =>
      expect(Math.abs(value - (flat[id] ?? 0) / total)).toBeLessThanOrEqual(0.015),
    );
  });

  it('top-k renormalises over the k most likely', () => {
    const observed = frequencies({ temperature: 1, topK: 2 }, 20_000);
    expect(Math.abs((observed[0] ?? 0) - 0.5 / 0.8)).toBeLessThanOrEqual(0.015);
    expect(Math.abs((observed[1] ?? 0) - 0.3 / 0.8)).toBeLessThanOrEqual(0.015);
    expect((observed[2] ?? 0) + (observed[3] ?? 0)).toBe(0);
  });

  it('top-p keeps the smallest most-likely set with mass ≥ p', () => {
    const kept = (topP: number): number[] => [...samplingDistribution(logits, { temperature: 1, topP }).ids];
    expect(kept(0.4)).toEqual([0]); // 0.5 ≥ 0.4
    expect(kept(0.5 - 1e-6)).toEqual([0]);
    expect(kept(0.75)).toEqual([0, 1]); // 0.8 ≥ 0.75
    expect(kept(0.85)).toEqual([0, 1, 2]); // 0.95 ≥ 0.85
    expect(kept(0.99)).toEqual([0, 1, 2, 3]);
    const observed = frequencies({ temperature: 1, topP: 0.75 }, 20_000);
    expect(Math.abs((observed[0] ?? 0) - 0.5 / 0.8)).toBeLessThanOrEqual(0.015);
    expect((observed[2] ?? 0) + (observed[3] ?? 0)).toBe(0);
  });

  it('approaches greedy as the temperature goes to 0', () => {
    for (const temperature of [0.1, 0.01, 0.001]) {
      const { ids, weights } = samplingDistribution(Float32Array.of(1, 1.5, 0.2), { temperature });
      const total = weights.reduce((a, b) => a + b, 0);
      const top = weights[ids.indexOf(1)] ?? 0;
      // mass off the argmax is ≤ 2·exp(−0.5 / T): 0.013 at T = 0.1, ~0 below
      expect(1 - top / total).toBeLessThanOrEqual(2 * Math.exp(-0.5 / temperature) + 1e-12);
    }
    expect(frequencies({ temperature: 0.001 }, 1_000)).toEqual([1, 0, 0, 0]);
  });

  it('reproduces the same samples from the same seed', () => {
    expect(frequencies({ temperature: 1, topP: 0.9 }, 500, 11)).toEqual(
      frequencies({ temperature: 1, topP: 0.9 }, 500, 11),
    );
  });

  it('rejects bad options and non-finite logits with one-line errors', () => {
    const random = createSeededRandom(0);
    expect(() => sampleToken(logits, { temperature: -1 }, random)).toThrow(/temperature must be ≥ 0/);
    expect(() => sampleToken(logits, { topP: 0 }, random)).toThrow(/topP must be in \(0, 1\]/);
    expect(() => sampleToken(logits, { topK: 1.5 }, random)).toThrow(/topK must be a non-negative integer/);
    expect(() => sampleToken(Float32Array.of(NaN, NaN), {}, random)).toThrow(/NaN/);
    expect(() => createSeededRandom(0.5)).toThrow(/seed must be a safe integer/);
  });
});
