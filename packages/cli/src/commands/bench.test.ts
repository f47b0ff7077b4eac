import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/capture-cli.js';

describe('lorakit bench kernels', () => {
  it('prints one JSON document with the CLI.md fields and the target ratios', async () => {
    const run = await captureCli([
      'bench',
      'kernels',
      '--only',
      'lora_multi_forward',
      '--peers',
      'none',
      '--min-seconds',
      '0.01',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = run.json<{
      machine: Record<string, unknown>;
      results: { op: string; shape: number[]; backend: string; ms: number; gflops: number }[];
      ratios: Record<string, number>;
    }>();
    expect(report.machine['cores']).toBeGreaterThan(0);
    expect(report.results.map((result) => result.shape)).toEqual([
      [64, 2048, 2048, 16, 1],
      [64, 2048, 2048, 16, 8],
      [64, 2048, 2048, 16, 64],
    ]);
    for (const result of report.results) {
      expect(result.op).toBe('lora_multi_forward');
      expect(['cpu', 'cuda', 'reference']).toContain(result.backend);
      expect(result.ms).toBeGreaterThan(0);
      // flops of one run: 2·T·in·out + 2·T·r·(in+out)
      const flops = 2 * 64 * 2048 * 2048 + 2 * 64 * 16 * 4096;
      expect(result.gflops).toBeCloseTo(flops / (result.ms / 1000) / 1e9, 6);
    }
    expect(report.ratios['lora_multi_forward 64 adapters / 1 adapter']).toBeGreaterThan(0);
  });

  it('rejects an op that has no case', async () => {
    const run = await captureCli(['bench', 'kernels', '--only', 'conv2d', '--peers', 'none']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--only conv2d matches no case; ops: matmul, linear, lora_linear_forward');
  });
});
