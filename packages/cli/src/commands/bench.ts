/**
 * `lorakit bench kernels --json`: the ops of CLI.md's kernel list timed on lorakit's backends and, in the same
 * run, on every PyTorch found (Debian's 1.13 + OpenBLAS, PyPI's current release), with lorakit/peer ratios.
 * `lorakit bench train --preset … --json`: one LoRA training step (forward, backward, AdamW) on a random model
 * with the preset's shapes, against the same step in every PyTorch found (PEFT's LoRA on transformers' Llama,
 * or plain torch modules where transformers is missing).
 * Speed is measured, never asserted: this prints numbers and exits 0.
 */
import type { Command } from 'commander';
import type { CliStreams } from '../run-cli.js';
import { registerBenchKernels } from './bench-kernels.js';
import { registerBenchTrain } from './bench-train.js';

export function registerBench(program: Command, streams: CliStreams): void {
  const bench = program
    .command('bench')
    .description('benchmarks that print JSON (measured against PyTorch on this machine)');
  registerBenchKernels(bench, streams);
  registerBenchTrain(bench, streams);
}
