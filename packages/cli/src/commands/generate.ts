/**
 * `lorakit generate --model MODEL_DIR [--adapter ADAPTER_DIR] (--prompt TEXT | --messages JSON) --max-tokens N
 * [--temperature 0] [--top-p P] [--top-k K] [--seed S] [--stop TEXT]… [--json]` (CLI.md): text from a model
 * (and adapter) with a KV cache; temperature 0 is greedy. Without --json the text streams to stdout.
 */
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import { readAdapterFolder } from '@lorakit/core/node';
import { checkChatMessages, generateStream, loadModel, loadTokenizer } from '@lorakit/models';
import type { ChatMessage, GenerateOptions } from '@lorakit/models';
import { printJson } from '../json-output.js';
import { parseBackend, parsePositiveInteger } from '../options.js';
import type { CliStreams } from '../run-cli.js';

export interface GenerateReport {
  text: string;
  tokens: number[];
  finish_reason: 'stop' | 'length';
}

const ADAPTER_NAME = 'adapter';

function parseNonNegativeNumber(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0)
    throw new LorakitError('INVALID_ARGUMENT', `${option} must be a number ≥ 0, got "${value}"`);
  return number;
}

function parseInteger(option: string, value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number))
    throw new LorakitError('INVALID_ARGUMENT', `${option} must be an integer, got "${value}"`);
  return number;
}

export function parseMessages(value: string): ChatMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new LorakitError('INVALID_ARGUMENT', `--messages is not valid JSON (${(error as Error).message})`, {
      fix: `give an array such as '[{"role":"user","content":"Hi"}]'`,
    });
  }
  return checkChatMessages(parsed, '--messages');
}

interface GenerateCommandOptions {
  model: string;
  adapter?: string;
  prompt?: string;
  messages?: string;
  maxTokens: string;
  temperature: string;
  topP?: string;
  topK?: string;
  seed: string;
  stop: string[];
  backend: string;
  json?: boolean;
}

/** Checks every option before anything is loaded, so bad input fails fast. */
function readInput(options: GenerateCommandOptions): Omit<GenerateOptions, 'tokenizer'> {
  if ((options.prompt === undefined) === (options.messages === undefined))
    throw new LorakitError('INVALID_ARGUMENT', 'give exactly one of --prompt TEXT and --messages JSON');
  if (options.prompt !== undefined && options.prompt.length === 0)
    throw new LorakitError('INVALID_ARGUMENT', '--prompt is empty', { fix: 'give some prompt text' });
  return {
    ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
    ...(options.messages !== undefined ? { messages: parseMessages(options.messages) } : {}),
    maxTokens: parsePositiveInteger('--max-tokens', options.maxTokens),
    temperature: parseNonNegativeNumber('--temperature', options.temperature),
    ...(options.topP !== undefined ? { topP: parseNonNegativeNumber('--top-p', options.topP) } : {}),
    ...(options.topK !== undefined ? { topK: parseInteger('--top-k', options.topK) } : {}),
    seed: parseInteger('--seed', options.seed),
    stop: options.stop,
    ...(options.adapter !== undefined ? { adapter: ADAPTER_NAME } : {}),
  };
}

export function registerGenerate(program: Command, streams: CliStreams): void {
  program
    .command('generate')
    .description('generate text from a model (and an adapter) with a KV cache; temperature 0 is greedy')
    .requiredOption('--model <model-dir>', 'the model folder (config.json, weights, tokenizer.json)')
    .option('--adapter <adapter-dir>', 'a PEFT adapter folder to apply')
    .option('--prompt <text>', 'the prompt text')
    .option('--messages <json>', 'chat messages as JSON, rendered with the model chat template')
    .requiredOption('--max-tokens <n>', 'most tokens to generate')
    .option('--temperature <t>', 'sampling temperature; 0 is greedy', '0')
    .option('--top-p <p>', 'nucleus sampling: keep the smallest set of tokens with mass ≥ p')
    .option('--top-k <k>', 'keep the k most likely tokens')
    .option('--seed <s>', 'sampling seed', '0')
    .option(
      '--stop <text>',
      'a stop string (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--backend <backend>', 'auto | cuda | cpu | reference', 'auto')
    .option('--json', 'print one JSON document')
    .action(async (options: GenerateCommandOptions) => {
      const input = readInput(options);
      const backend = parseBackend(options.backend);
      const tokenizer = await loadTokenizer({ modelDirectory: options.model });
      const model = await loadModel(options.model, {
        backend,
        onLog: (line) => streams.stderr(`lorakit: ${line}\n`),
      });
      try {
        if (options.adapter !== undefined) {
          const adapter = await readAdapterFolder(options.adapter, {
            baseModules: model.modules,
            onWarning: (message) => streams.stderr(`lorakit: warning: ${message}\n`),
          });
          model.attachAdapter(ADAPTER_NAME, adapter);
        }
        const stream = generateStream(model, { ...input, tokenizer });
        for await (const piece of stream) if (!options.json) streams.stdout(piece);
        const result = await stream.result;
        const report: GenerateReport = {
          text: result.text,
          tokens: result.tokens,
          finish_reason: result.finishReason,
        };
        if (options.json) return printJson(streams, report);
        streams.stdout('\n');
        streams.stderr(`lorakit: ${result.tokens.length} tokens, finish reason ${result.finishReason}\n`);
      } finally {
        model.dispose();
      }
    });
}
