/**
 * Node-only. Runs the PyTorch peer (bench/torch_kernels.py) with every Python that has torch: Debian's
 * python3-torch (/usr/bin/python3, OpenBLAS), the project's peers venv (.venv-peers, PyPI torch with MKL) and
 * $LORAKIT_PEERS_PYTHON. A Python without torch is reported as skipped with the reason, never an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelCase } from './kernel-cases.js';

const SCRIPT = fileURLToPath(new URL('../../bench/torch_kernels.py', import.meta.url));

export interface TorchPeerRun {
  python: string;
  /** "torch 2.15.0+cu132 (mkl)" */
  label: string;
  results: { op: string; shape: number[]; ms: number }[];
}

export interface TorchPeerSkip {
  python: string;
  skipped: string;
}

/** Candidate Pythons, most specific first, without duplicates. */
export function torchPeerPythons(repositoryRoot: string): string[] {
  const candidates = [
    process.env['LORAKIT_PEERS_PYTHON'],
    join(repositoryRoot, '.venv-peers/bin/python'),
    '/usr/bin/python3',
  ];
  return [
    ...new Set(
      candidates.filter(
        (path): path is string => typeof path === 'string' && path !== '' && existsSync(path),
      ),
    ),
  ];
}

export function runTorchPeer(
  python: string,
  cases: readonly KernelCase[],
  options: { threads: number; minSeconds: number },
): TorchPeerRun | TorchPeerSkip {
  const job = JSON.stringify({ cases, threads: options.threads, min_seconds: options.minSeconds });
  // OPENBLAS_CORETYPE may be pinned on this machine for old OpenBLAS builds; the peer runs as configured.
  const result = spawnSync(python, [SCRIPT], {
    input: job,
    encoding: 'utf8',
    timeout: 30 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) return { python, skipped: result.error.message };
  if (result.status !== 0) {
    const line = (result.stderr || '').trim().split('\n').pop() ?? `exit ${result.status}`;
    return { python, skipped: line.includes('No module named') ? 'torch is not installed' : line };
  }
  try {
    const output = JSON.parse(result.stdout) as {
      torch: string;
      blas: string;
      threads: number;
      results: TorchPeerRun['results'];
    };
    return {
      python,
      label: `torch ${output.torch} (${output.blas}, ${output.threads} threads)`,
      results: output.results,
    };
  } catch {
    return { python, skipped: 'the peer printed no JSON' };
  }
}
