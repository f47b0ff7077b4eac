import { describe, expect, it } from 'vitest';
import { GPU_CATALOG } from './gpu-catalog.js';
import { resolveGpu } from './resolve-gpu.js';

describe('resolveGpu', () => {
  it('finds catalog entries by name, case-insensitively', () => {
    expect(resolveGpu('a100-80gb')).toBe(GPU_CATALOG['a100-80gb']);
    expect(resolveGpu('H200').memoryBytes).toBe(141e9);
    expect(resolveGpu('rtx-4090').memoryBytes).toBe(24 * 2 ** 30);
  });

  it('every entry has a source, an as-of month and positive numbers', () => {
    for (const [name, gpu] of Object.entries(GPU_CATALOG)) {
      expect(gpu.source.length, name).toBeGreaterThan(10);
      expect(gpu.priceAsOf, name).toMatch(/^\d{4}-\d{2}$/);
      expect(gpu.peakBf16Tflops, name).toBeGreaterThan(0);
      expect(gpu.pricePerHour, name).toBeGreaterThan(0);
    }
  });

  it('accepts a custom spec and checks its numbers', () => {
    const custom = {
      displayName: 'mine',
      memoryBytes: 1e9,
      peakBf16Tflops: 10,
      pricePerHour: 0,
      source: 'me',
      priceAsOf: '2025-01',
    };
    expect(resolveGpu(custom)).toBe(custom);
    expect(() => resolveGpu({ ...custom, peakBf16Tflops: 0 })).toThrow(
      'GPU "mine": peakBf16Tflops is 0; set peakBf16Tflops to a positive number',
    );
  });

  it('names the nearest catalog GPUs for an unknown name', () => {
    expect(() => resolveGpu('a100-80g')).toThrow(/^unknown GPU "a100-80g"; nearest: a100-80gb, a100-40gb/);
  });
});
