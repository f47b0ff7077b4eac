/**
 * `lorakit bench kernels --json`: the ops of CLI.md's kernel list timed on lorakit's backends and, in the same
 * run, on every PyTorch found (Debian's 1.13 + OpenBLAS, PyPI's current release), with lorakit/peer ratios.
 * `lorakit bench train --preset … --json`: one LoRA training step (forward, backward, AdamW) on a random model
 * with the preset's shapes, against the same step in every PyTorch found (PEFT's LoRA on transformers' Llama,
 * or plain torch modules where transformers is missing).
 * Speed is measured, never asserted: this prints numbers and exits 0.
 */
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
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
import type { BackendPreference, KernelBenchResult, KernelCase } from '@lorakit/kernels-cuda';
import { benchTrain, runTorchTrainPeer, TRAIN_BENCH_PRESETS } from '@lorakit/trainer';
import type { TrainBenchPresetName } from '@lorakit/trainer';
import { printJson } from '../json-output.js';
import { parsePositiveInteger, parsePositiveNumber } from '../options.js';
import type { CliStreams } from '../run-cli.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface PeerResult {
  name: string;
  op: string;
  shape: number[];
  backend: string;
  ms: number;
  gflops: number;
}

export function registerBench(program: Command, streams: CliStreams): void {
  const bench = program
    .command('bench')
    .description('benchmarks that print JSON (measured against PyTorch on this machine)');
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
        const backend = createBackend(options.backend as BackendPreference, { log });
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
        const report = { machine: machine(), peers, results, ratios: ratios(results, backend.name) };
        if (options.json) return printJson(streams, report);
        for (const result of results)
          streams.stdout(
            `${result.backend.padEnd(40)} ${result.name.padEnd(44)} ${result.ms.toFixed(2).padStart(9)} ms ${result.gflops.toFixed(1).padStart(7)} GFLOP/s\n`,
          );
      },
    );
  registerBenchTrain(bench, streams);
}

/** The targets: lorakit's tokens/s over the fastest peer's, per preset (at its stated batch × seq). */
const TRAIN_SPEED_TARGETS: Record<TrainBenchPresetName, number> = { tiny: 2, 'smollm2-135m': 1.5 };

interface TrainRow {
  name: string;
  backend: string;
  tokens_per_s: number;
  step_ms: number;
  peak_rss_bytes: number;
  setup_rss_bytes: number;
  [field: string]: unknown;
}

function registerBenchTrain(bench: Command, streams: CliStreams): void {
  bench
    .command('train')
    .description('time one LoRA training step (forward, backward, AdamW) on a random model against PyTorch')
    .requiredOption('--preset <name>', `model shapes: ${Object.keys(TRAIN_BENCH_PRESETS).join(' | ')}`)
    .option('--rank <r>', 'LoRA rank on q,k,v,o (alpha 2r)', '16')
    .option('--batch <n>', 'sequences per step', '8')
    .option('--seq <n>', 'tokens per sequence', '128')
    .option('--steps <n>', 'timed steps (after one untimed warm-up step)', '5')
    .option('--backend <name>', 'auto | cpu | reference', 'auto')
    .option('--threads <n>', 'threads for lorakit and for PyTorch (default: every CPU)')
    .option('--peers <mode>', 'auto (every PyTorch found) | none', 'auto')
    .option('--json', 'print one JSON document')
    .action(
      async (options: {
        preset: string;
        threads?: string;
        rank: string;
        batch: string;
        seq: string;
        steps: string;
        backend: string;
        peers: string;
        json?: boolean;
      }) => {
        if (!Object.hasOwn(TRAIN_BENCH_PRESETS, options.preset)) {
          throw new LorakitError(
            'INVALID_ARGUMENT',
            `--preset ${options.preset} is unknown; presets: ${Object.keys(TRAIN_BENCH_PRESETS).join(', ')}`,
          );
        }
        if (options.peers !== 'auto' && options.peers !== 'none') {
          throw new LorakitError('INVALID_ARGUMENT', `--peers must be auto or none, got "${options.peers}"`);
        }
        const preset = options.preset as TrainBenchPresetName;
        const settings = {
          preset,
          rank: parsePositiveInteger('--rank', options.rank),
          batch: parsePositiveInteger('--batch', options.batch),
          seq: parsePositiveInteger('--seq', options.seq),
          steps: parsePositiveInteger('--steps', options.steps),
        };
        const threads = options.threads
          ? parsePositiveInteger('--threads', options.threads)
          : availableParallelism();
        const log = (line: string): void => streams.stderr(`lorakit: ${line}\n`);
        const own = await benchTrain({
          ...settings,
          backend: options.backend as BackendPreference,
          ...(options.backend === 'reference' ? {} : { threads }),
          onLog: log,
        });
        const name = `${preset} r=${settings.rank} batch ${settings.batch}x${settings.seq}`;
        const results: TrainRow[] = [
          {
            name,
            backend: own.backend,
            ...settings,
            threads: options.backend === 'reference' ? 1 : threads,
            tokens_per_s: own.tokensPerSecond,
            step_ms: own.stepMs,
            forward_ms: own.forwardMs,
            backward_ms: own.backwardMs,
            optimizer_ms: own.optimizerMs,
            peak_rss_bytes: own.peakRssBytes,
            setup_rss_bytes: own.setupRssBytes,
            trainable_params: own.trainableParameters,
            losses: own.losses,
          },
        ];
        log(`${own.backend}: ${own.tokensPerSecond.toFixed(0)} tokens/s, ${own.stepMs.toFixed(1)} ms/step`);
        const peers: { python: string; label?: string; skipped?: string }[] = [];
        if (options.peers === 'auto') {
          for (const python of torchPeerPythons(REPOSITORY_ROOT)) {
            log(`peer ${python}`);
            const peer = runTorchTrainPeer(python, {
              ...settings,
              warmupSteps: 1,
              threads,
            });
            if ('skipped' in peer) {
              peers.push({ python, skipped: peer.skipped });
              continue;
            }
            peers.push({ python, label: peer.label });
            log(`${peer.label}: ${peer.tokensPerSecond.toFixed(0)} tokens/s`);
            results.push({
              name,
              backend: peer.label,
              python,
              ...settings,
              threads,
              tokens_per_s: peer.tokensPerSecond,
              step_ms: peer.stepMs,
              peak_rss_bytes: peer.peakRssBytes,
              setup_rss_bytes: peer.setupRssBytes,
              losses: peer.losses,
            });
          }
        }
        const report = { machine: machine(), peers, results, ratios: trainRatios(results, preset) };
        if (options.json) return printJson(streams, report);
        for (const result of results)
          streams.stdout(
            `${result.backend.padEnd(72)} ${result.tokens_per_s.toFixed(0).padStart(8)} tokens/s ${result.step_ms.toFixed(1).padStart(9)} ms/step ${(result.peak_rss_bytes / 2 ** 20).toFixed(0).padStart(6)} MiB\n`,
          );
      },
    );
}

/** lorakit (the first row) over the fastest peer: tokens/s and peak memory, with the targets. */
function trainRatios(
  results: readonly TrainRow[],
  preset: TrainBenchPresetName,
): Record<string, number | boolean> {
  const [own, ...peers] = results;
  if (!own || peers.length === 0) return {};
  const fastest = peers.reduce((best, peer) => (peer.tokens_per_s > best.tokens_per_s ? peer : best));
  const leanest = Math.min(...peers.map((peer) => peer.peak_rss_bytes));
  const speed = own.tokens_per_s / fastest.tokens_per_s;
  const memory = own.peak_rss_bytes / fastest.peak_rss_bytes;
  return {
    'tokens_per_s / fastest peer': round(speed),
    'peak_rss / fastest peer': round(memory),
    'peak_rss / lowest peer peak_rss': round(own.peak_rss_bytes / leanest),
    'target tokens_per_s ratio': TRAIN_SPEED_TARGETS[preset],
    'speed target met': speed >= TRAIN_SPEED_TARGETS[preset],
    'memory target met': memory <= 1,
  };
}

function describe(kernelCase: KernelCase): string {
  return `${kernelCase.op} [${kernelCase.shape.join(', ')}]`;
}

function machine(): Record<string, unknown> {
  const cpu = cpus()[0];
  return {
    cpu: cpu?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
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
      out[`${result.name} time / fastest peer`] = round(result.ms / Math.min(...peerTimes));
  }
  const find = (name: string): number | undefined => own.find((result) => result.name === name)?.ms;
  const linear = find('linear [512, 2048, 2048]');
  for (const r of [8, 16, 64]) {
    const forward = find(`lora_linear_forward [512, 2048, 2048, ${r}]`);
    if (forward && linear) out[`lora_linear_forward r=${r} / linear`] = round(forward / linear);
  }
  const one = find('lora_multi_forward [64, 2048, 2048, 16, 1]');
  const many = find('lora_multi_forward [64, 2048, 2048, 16, 64]');
  if (one && many) out['lora_multi_forward 64 adapters / 1 adapter'] = round(many / one);
  return out;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
