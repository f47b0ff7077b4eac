/** `lorakit bench kernels`: the kernel cases on lorakit's backend and on every PyTorch found, with ratios. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import {
  benchKernels,
  caseFlops,
  createBackend,
  KERNEL_CASES,
  runTorchPeer,
  torchPeerPythons,
} from '@lorakit/kernels-cuda';
import type { KernelBenchResult, KernelCase } from '@lorakit/kernels-cuda';
import { benchMachine, REPOSITORY_ROOT, roundRatio } from './bench-common.js';
import { printJson } from '../json-output.js';
import { parseBackend, parsePositiveNumber } from '../options.js';
import type { CliStreams } from '../run-cli.js';

interface PeerResult {
  name: string;
  op: string;
  shape: number[];
  backend: string;
  ms: number;
  gflops: number;
}

export function registerBenchKernels(bench: Command, streams: CliStreams): void {
  bench
    .command('kernels')
    .description('time the ops (matmul, fused LoRA forward/backward, multi-adapter LoRA) against PyTorch')
    .option('--backend <name>', 'auto | cuda | cpu | reference', 'auto')
    .option('--peers <mode>', 'auto (every PyTorch found) | none', 'auto')
    .option('--min-seconds <s>', 'time each case for at least this long', '1')
    .option('--only <op>', 'run only the cases of one op (matmul, linear, lora_linear_forward, …)')
    .option('--json', 'print one JSON document')
    .action(
      async (options: {
        backend: string;
        peers: string;
        minSeconds: string;
        only?: string;
        json?: boolean;
      }) => {
        const minSeconds = parsePositiveNumber('--min-seconds', options.minSeconds);
        const cases = options.only
          ? KERNEL_CASES.filter((kernelCase) => kernelCase.op === options.only)
          : KERNEL_CASES;
        if (cases.length === 0) {
          const ops = [...new Set(KERNEL_CASES.map((kernelCase) => kernelCase.op))];
          throw new LorakitError(
            'INVALID_ARGUMENT',
            `--only ${options.only} matches no case; ops: ${ops.join(', ')}`,
          );
        }
        if (options.peers !== 'auto' && options.peers !== 'none') {
          throw new LorakitError('INVALID_ARGUMENT', `--peers must be auto or none, got "${options.peers}"`);
        }
        const log = (line: string): void => streams.stderr(`lorakit: ${line}\n`);
        const backend = createBackend(parseBackend(options.backend), { log });
        log(`backend ${backend.description}`);
        let results: (KernelBenchResult | PeerResult)[];
        try {
          results = benchKernels(backend, {
            cases,
            minSeconds,
            onCase: (kernelCase) => log(`${backend.name} ${describe(kernelCase)}`),
          });
        } finally {
          backend.dispose();
        }
        const peers: { python: string; label?: string; skipped?: string }[] = [];
        if (options.peers === 'auto') {
          const threads = availableParallelism();
          for (const python of torchPeerPythons(REPOSITORY_ROOT)) {
            log(`peer ${python}`);
            const peer = runTorchPeer(python, cases, { threads, minSeconds });
            if ('skipped' in peer) {
              peers.push({ python, skipped: peer.skipped });
              continue;
            }
            peers.push({ python, label: peer.label });
            for (const entry of peer.results) {
              const kernelCase = { op: entry.op, shape: entry.shape } as KernelCase;
              results.push({
                name: `${entry.op} [${entry.shape.join(', ')}]`,
                op: entry.op,
                shape: entry.shape,
                backend: peer.label,
                ms: entry.ms,
                gflops: caseFlops(kernelCase) / (entry.ms / 1000) / 1e9,
              });
            }
          }
        }
        const report = { machine: benchMachine(), peers, results, ratios: ratios(results, backend.name) };
        if (options.json) return printJson(streams, report);
        for (const result of results)
          streams.stdout(
            `${result.backend.padEnd(40)} ${result.name.padEnd(44)} ${result.ms.toFixed(2).padStart(9)} ms ${result.gflops.toFixed(1).padStart(7)} GFLOP/s\n`,
          );
      },
    );
}

function describe(kernelCase: KernelCase): string {
  return `${kernelCase.op} [${kernelCase.shape.join(', ')}]`;
}

/**
 * Per case: lorakit's time over the fastest peer's (below 1 = lorakit faster), plus the ratios the issue's
 * targets are stated in: LoRA forward over the plain linear product, 64 adapters over one.
 */
function ratios(
  results: readonly (KernelBenchResult | PeerResult)[],
  backendName: string,
): Record<string, number> {
  const own = results.filter((result) => result.backend === backendName);
  const out: Record<string, number> = {};
  for (const result of own) {
    const peerTimes = results
      .filter((peer) => peer.backend !== backendName && peer.name === result.name)
      .map((peer) => peer.ms);
    if (peerTimes.length > 0)
      out[`${result.name} time / fastest peer`] = roundRatio(result.ms / Math.min(...peerTimes));
  }
  const find = (name: string): number | undefined => own.find((result) => result.name === name)?.ms;
  const linear = find('linear [512, 2048, 2048]');
  for (const r of [8, 16, 64]) {
    const forward = find(`lora_linear_forward [512, 2048, 2048, ${r}]`);
    if (forward && linear) out[`lora_linear_forward r=${r} / linear`] = roundRatio(forward / linear);
  }
  const one = find('lora_multi_forward [64, 2048, 2048, 16, 1]');
  const many = find('lora_multi_forward [64, 2048, 2048, 16, 64]');
  if (one && many) out['lora_multi_forward 64 adapters / 1 adapter'] = roundRatio(many / one);
  return out;
}
