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

describe('lorakit bench train', () => {
  it('times a LoRA step of the tiny preset and prints the CLI.md fields', async () => {
    const run = await captureCli([
      'bench',
      'train',
      '--preset',
      'tiny',
      '--steps',
      '2',
      '--batch',
      '1',
      '--seq',
      '16',
      '--peers',
      'none',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = run.json<{
      machine: Record<string, unknown>;
      peers: unknown[];
      results: Record<string, unknown>[];
      ratios: Record<string, unknown>;
    }>();
    expect(report.machine['cores']).toBeGreaterThan(0);
    expect(report.peers).toEqual([]);
    expect(report.ratios).toEqual({});
    expect(report.results).toHaveLength(1);
    const result = report.results[0] ?? {};
    expect(result).toMatchObject({ preset: 'tiny', rank: 16, batch: 1, seq: 16, steps: 2 });
    expect(['cpu', 'reference']).toContain(result['backend']);
    const stepMs = result['step_ms'] as number;
    expect(stepMs).toBeGreaterThan(0);
    // tokens/s = batch·seq / seconds per step (1e-9 relative: both come from the same sum).
    expect(result['tokens_per_s'] as number).toBeCloseTo(16 / (stepMs / 1000), 6);
    expect(result['peak_rss_bytes'] as number).toBeGreaterThanOrEqual(result['setup_rss_bytes'] as number);
    // LoRA A and B of q, k, v, o in 4 layers: r·(in + out) each; q,o 256→256, k,v 256→128 (4 KV heads of 32).
    expect(result['trainable_params']).toBe(4 * 16 * (512 + 384 + 384 + 512));
    const losses = result['losses'] as number[];
    expect(losses).toHaveLength(3); // warm-up + 2 timed
    // Random weights, vocab 512: the loss starts near ln 512 ≈ 6.24 (±1 for the ±0.1 uniform weights).
    expect(Math.abs((losses[0] ?? 0) - Math.log(512))).toBeLessThan(1);
  });

  it('rejects an unknown preset with the list', async () => {
    const run = await captureCli(['bench', 'train', '--preset', 'huge', '--peers', 'none']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--preset huge is unknown; presets: tiny, smollm2-135m');
  });
});
