/** The `lorakit` command: one file per verb under commands/, each registered here. */
import { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCost } from './commands/cost.js';
import { registerEval } from './commands/eval.js';
import { registerGenerate } from './commands/generate.js';
import { registerInspect } from './commands/inspect.js';
import { registerLogits } from './commands/logits.js';
import { registerMerge } from './commands/merge.js';
import { registerParams } from './commands/params.js';
import { registerTrain } from './commands/train.js';
import type { CliStreams } from './run-cli.js';

export function createProgram(streams: CliStreams): Command {
  const program = new Command('lorakit')
    .description(
      'LoRA fine-tuning toolkit: inspect, merge, size, train and run PEFT-compatible adapters; benchmark the kernels',
    )
    .version('0.1.0')
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout(text),
      writeErr: (text) => streams.stderr(text),
      outputError: (text, write) => write(`lorakit: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);
  for (const register of [
    registerInspect,
    registerMerge,
    registerParams,
    registerLogits,
    registerGenerate,
    registerTrain,
    registerCost,
    registerEval,
    registerBench,
  ])
    register(program, streams);
  for (const command of program.commands) command.exitOverride();
  return program;
}
