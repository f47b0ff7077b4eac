/** `lorakit bench train`: one LoRA training step of a preset model, against the same step in PyTorch. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import { torchPeerPythons } from '@lorakit/kernels-cuda';
import { benchTrain, runTorchTrainPeer, TRAIN_BENCH_PRESETS } from '@lorakit/trainer';
import type { TrainBenchPresetName } from '@lorakit/trainer';
import { benchMachine, REPOSITORY_ROOT, roundRatio } from './bench-common.js';
import { printJson } from '../json-output.js';
import { parseBackend, parsePositiveInteger } from '../options.js';
import type { CliStreams } from '../run-cli.js';

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

export function registerBenchTrain(bench: Command, streams: CliStreams): void {
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
          backend: parseBackend(options.backend),
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
        const report = { machine: benchMachine(), peers, results, ratios: trainRatios(results, preset) };
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
    'tokens_per_s / fastest peer': roundRatio(speed),
    'peak_rss / fastest peer': roundRatio(memory),
    'peak_rss / lowest peer peak_rss': roundRatio(own.peak_rss_bytes / leanest),
    'target tokens_per_s ratio': TRAIN_SPEED_TARGETS[preset],
    'speed target met': speed >= TRAIN_SPEED_TARGETS[preset],
    'memory target met': memory <= 1,
  };
}
