import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, studentTCdf, studentTQuantile } from './distributions.js';
import { meanWithInterval, wilsonInterval } from './mean-interval.js';
import { mcnemarTest } from './mcnemar.js';
import { bootstrapMeanRatio, pairedBootstrap } from './paired-bootstrap.js';

describe('distributions', () => {
  it('matches table values of Φ, erfc and Student t', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    // t tables: t_{0.975} for 1, 4, 9, 30 degrees of freedom
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157, 5);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272, 5);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
  });
});

describe('meanWithInterval', () => {
  it('Wilson interval for 8/10 is [0.4902, 0.9433]', () => {
    const [low, high] = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.49016, 4);
    expect(high).toBeCloseTo(0.94332, 4);
    const summary = meanWithInterval([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], { binary: true });
    expect(summary).toMatchObject({ mean: 0.8, n: 10, method: 'wilson' });
    expect(summary.ci95[0]).toBeCloseTo(0.49016, 4);
  });

  it('Wilson interval stays inside [0, 1] at 0/20 and 20/20', () => {
    expect(wilsonInterval(0, 20)[0]).toBe(0);
    expect(wilsonInterval(0, 20)[1]).toBeCloseTo(0.16113, 4); // z²/(n+z²) = 3.8415/23.8415
    expect(wilsonInterval(0, 100)[0]).toBe(0); // exactly 0, not floating-point residue
    expect(wilsonInterval(100, 100)[1]).toBe(1);
    expect(wilsonInterval(20, 20)[1]).toBe(1);
  });

  it('t-interval of 1..5 is 3 ± 2.776·√(2.5/5)', () => {
    const summary = meanWithInterval([1, 2, 3, 4, 5], { binary: false });
    expect(summary.method).toBe('t');
    expect(summary.ci95[0]).toBeCloseTo(3 - 2.776445 * Math.sqrt(0.5), 5);
    expect(summary.ci95[1]).toBeCloseTo(3 + 2.776445 * Math.sqrt(0.5), 5);
  });

  it('refuses non-0/1 scores for a binary metric and empty runs', () => {
    expect(() => meanWithInterval([1, 0.5], { binary: true })).toThrow(/expected 0 or 1/);
    expect(() => meanWithInterval([], { binary: false })).toThrow(/no scores/);
  });
});

describe('mcnemarTest', () => {
  it('b = 10, c = 2: exact p = 158/4096, mid-p = 92/4096, χ²(cc) = 49/12', () => {
    const result = mcnemarTest(10, 2);
    // exact: 2·P(X ≤ 2), X ~ Bin(12, ½) = 2·(1 + 12 + 66)/4096
    expect(result.exactP).toBeCloseTo(158 / 4096, 10);
    expect(result.midP).toBeCloseTo(92 / 4096, 10);
    expect(result.chiSquare).toBeCloseTo(49 / 12, 10);
    expect(result.chiSquareP).toBeCloseTo(0.04331, 4);
    expect(mcnemarTest(2, 10).exactP).toBeCloseTo(158 / 4096, 10);
  });

  it("Agresti's approval table (b = 150, c = 86): χ² with continuity correction 16.82, p < 0.001", () => {
    const result = mcnemarTest(150, 86);
    expect(result.chiSquare).toBeCloseTo(63 ** 2 / 236, 8);
    expect(result.chiSquareP).toBeCloseTo(4.11e-5, 6);
    expect(result.exactP).toBeLessThan(1e-4);
  });

  it('no discordant pairs gives p = 1', () => {
    expect(mcnemarTest(0, 0).exactP).toBe(1);
    expect(mcnemarTest(3, 3).exactP).toBe(1);
  });
});

describe('pairedBootstrap', () => {
  const a = Array.from({ length: 200 }, (_, index) => (index % 10 < 6 ? 1 : 0)); // 0.60
  const b = a.map((value, index) => (index % 10 === 6 || index % 10 === 7 ? 1 : value)); // 0.80

  it('is deterministic for a seed and changes with it', () => {
    const first = pairedBootstrap(a, b, { seed: 7, replicates: 2000 });
    expect(pairedBootstrap(a, b, { seed: 7, replicates: 2000 })).toEqual(first);
    // continuous scores, so that another seed moves the percentiles off the lattice of 0/1 means
    const x = Array.from({ length: 50 }, (_, index) => (index * 0.37) % 1);
    const y = x.map((value, index) => value + ((index * 0.61) % 1) * 0.2);
    expect(pairedBootstrap(x, y, { seed: 8, replicates: 500 }).ci95).not.toEqual(
      pairedBootstrap(x, y, { seed: 9, replicates: 500 }).ci95,
    );
  });

  it('gives the difference, an interval around it and a small p-value for a clear gain', () => {
    const result = pairedBootstrap(a, b, { seed: 1, replicates: 4000 });
    expect(result.difference).toBeCloseTo(0.2, 12);
    // the paired difference is 1 on 40 of 200 items: sd of the mean = √(0.2·0.8/200) = 0.0283
    expect(result.ci95[0]).toBeCloseTo(0.2 - 1.96 * 0.0283, 1);
    expect(result.ci95[1]).toBeCloseTo(0.2 + 1.96 * 0.0283, 1);
    expect(result.pValue).toBeLessThan(0.001);
  });

  it('gives a large p-value when the runs agree', () => {
    const result = pairedBootstrap(a, a, { seed: 1, replicates: 500 });
    expect(result).toMatchObject({ difference: 0, ci95: [0, 0], pValue: 1 });
  });

  it('ratio of means with an interval', () => {
    const ratio = bootstrapMeanRatio(a, b, { seed: 3, replicates: 2000 });
    expect(ratio.ratio).toBeCloseTo(0.75, 12);
    expect(ratio.ci95[0]).toBeLessThan(0.75);
    expect(ratio.ci95[1]).toBeGreaterThan(0.75);
    expect(ratio.ci95[1]).toBeLessThan(0.9);
  });
});
