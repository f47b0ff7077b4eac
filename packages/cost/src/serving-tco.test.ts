import { describe, expect, it } from 'vitest';
import { servingTco } from './serving-tco.js';

describe('servingTco', () => {
  it('compares N full deployments with one base serving N adapters', () => {
    const tco = servingTco({
      customisations: 10,
      checkpointBytes: 16e9,
      adapterBytes: 32e6,
      gpu: 'a100-80gb',
    });
    // 1.2 · 16e9 = 19.2e9 fits in one 80 GiB GPU
    expect(tco.gpusPerReplica).toBe(1);
    // full: 10 replicas · 730 h = 7300 GPU-h · $1.79 = 13,067; storage 160 GB · $0.023 = 3.68
    expect(tco.fullFineTunes.replicas).toBe(10);
    expect(tco.fullFineTunes.gpuHoursPerMonth).toBe(7300);
    expect(tco.fullFineTunes.storageBytes).toBe(160e9);
    expect(tco.fullFineTunes.usdPerMonth).toBeCloseTo(13_070.68, 6);
    // adapters: ⌈10 · 0.1 · 1.2⌉ = 2 replicas · 730 = 1460 GPU-h · 1.79 = 2613.4; storage (16e9 + 10 · 32e6) = 16.32 GB · 0.023
    expect(tco.adapters.replicas).toBe(2);
    expect(tco.adapters.storageBytes).toBe(16.32e9);
    expect(tco.adapters.usdPerMonth).toBeCloseTo(2613.4 + 0.37536, 6);
    expect(tco.savingsPerMonth).toBeCloseTo(13_070.68 - 2613.77536, 6);
  });

  it('does not buy a replica for floating-point noise, and spans GPUs for a large model', () => {
    // 30 · 0.1 · 1 = 3.0000000000000004 → 3 replicas; 1.2 · 140e9 / 85.9e9 → 2 GPUs per replica
    const tco = servingTco({
      customisations: 30,
      checkpointBytes: 140e9,
      adapterBytes: 1e8,
      gpu: 'a100-80gb',
      adapterOverhead: 0,
    });
    expect(tco.adapters.replicas).toBe(3);
    expect(tco.gpusPerReplica).toBe(2);
    expect(tco.fullFineTunes.gpuHoursPerMonth).toBe(30 * 2 * 730);
  });

  it('rejects zero customisations', () => {
    expect(() => servingTco({ customisations: 0, checkpointBytes: 1, adapterBytes: 1, gpu: 'l4' })).toThrow(
      /^customisations is 0/,
    );
  });
});
