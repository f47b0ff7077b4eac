/**
 * Node-only. Runs the PyTorch peer of `lorakit bench train` (bench/torch_train.py) with one Python: PEFT's LoRA
 * on transformers' LlamaForCausalLM when that Python has them, else plain torch modules. A Python without torch
 * is reported as skipped with the reason, never an error.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TRAIN_BENCH_PRESETS } from './train-bench-presets.js';
import type { TrainBenchPresetName } from './train-bench-presets.js';

const SCRIPT = fileURLToPath(new URL('../bench/torch_train.py', import.meta.url));

export interface TorchTrainPeerJob {
  preset: TrainBenchPresetName;
  rank: number;
  batch: number;
  seq: number;
  steps: number;
  warmupSteps: number;
  threads: number;
  /** 'auto' (default): PEFT + transformers when importable, else plain modules. */
  implementation?: 'auto' | 'peft' | 'plain';
}

export interface TorchTrainPeerRun {
  python: string;
  /** "torch 1.13.0a0 (openblas, 2 threads), plain torch modules" */
  label: string;
  implementation: string;
  tokensPerSecond: number;
  stepMs: number;
  peakRssBytes: number;
  setupRssBytes: number;
  losses: number[];
}

export interface TorchTrainPeerSkip {
  python: string;
  skipped: string;
}

interface PeerOutput {
  torch: string;
  blas: string;
  threads: number;
  implementation: string;
  tokens_per_s: number;
  step_ms: number;
  peak_rss_bytes: number;
  setup_rss_bytes: number;
  losses: number[];
}

export function runTorchTrainPeer(
  python: string,
  job: TorchTrainPeerJob,
): TorchTrainPeerRun | TorchTrainPeerSkip {
  const input = JSON.stringify({
    config: TRAIN_BENCH_PRESETS[job.preset],
    rank: job.rank,
    batch: job.batch,
    seq: job.seq,
    steps: job.steps,
    warmup_steps: job.warmupSteps,
    threads: job.threads,
    implementation: job.implementation ?? 'auto',
  });
  const result = spawnSync(python, [SCRIPT], {
    input,
    encoding: 'utf8',
    timeout: 60 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, TQDM_DISABLE: '1', PYTHONWARNINGS: 'ignore' },
  });
  if (result.error) return { python, skipped: result.error.message };
  if (result.status !== 0) {
    const line = (result.stderr || '').trim().split('\n').pop() ?? `exit ${result.status}`;
    return { python, skipped: line.includes("No module named 'torch'") ? 'torch is not installed' : line };
  }
  try {
    const output = JSON.parse(result.stdout) as PeerOutput;
    return {
      python,
      label: `torch ${output.torch} (${output.blas}, ${output.threads} threads), ${output.implementation}`,
      implementation: output.implementation,
      tokensPerSecond: output.tokens_per_s,
      stepMs: output.step_ms,
      peakRssBytes: output.peak_rss_bytes,
      setupRssBytes: output.setup_rss_bytes,
      losses: output.losses,
    };
  } catch {
    return { python, skipped: 'the peer printed no JSON' };
  }
}
