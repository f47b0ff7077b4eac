/**
 * `lorakit eval` (CLI.md), one command with a default action and two subcommands:
 *   eval --model MODEL_DIR [--adapter ADAPTER_DIR] --data TEST.jsonl --metric NAME [--records OUT.jsonl] [--limit N] --json
 *   eval compare RECORDS_A.jsonl RECORDS_B.jsonl [--seed S] --json
 *   eval merged-check --model MODEL_DIR --adapter ADAPTER_DIR [--samples 8] --json
 *   eval checklist --model DIR --adapter DIR --data TEST.jsonl --metric NAME --threshold X [--val VAL.jsonl]
 *     [--full DIR] [--other NAME=TEST.jsonl:METRIC]… [--metrics metrics.jsonl] [--limit N] --out OUT_DIR --json
 * Where commander hands an option (to `eval` or to the subcommand) depends on whether the root program parses
 * options positionally; the subcommands therefore read `optsWithGlobals()` and declare shared options
 * without defaults or `requiredOption`, so that both ways give the same values.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FileError, LorakitError } from '@lorakit/core';
import { readAdapterFolder, writeFileAtomic } from '@lorakit/core/node';
import {
  buildChecklist,
  compareRuns,
  evaluateModel,
  getMetric,
  mergedCheck,
  readRecords,
  readTestFile,
  runChecklist,
  writeRecords,
} from '@lorakit/eval';
import type { ChecklistOtherTask, ChecklistStatus, MergedCheckResult, RunComparison } from '@lorakit/eval';
import { loadModel, loadTokenizer } from '@lorakit/models';
import { printJson } from '../json-output.js';
import { parseBackend, parsePositiveInteger } from '../options.js';
import type { CliStreams } from '../run-cli.js';

export interface EvalReport {
  metric: string;
  score: number;
  ci95: [number, number];
  n: number;
  records: string | null;
}

interface EvalCommandOptions {
  model?: string;
  adapter?: string;
  data?: string;
  metric?: string;
  records?: string;
  limit?: string;
  backend?: string;
  json?: boolean;
}

const ADAPTER_NAME = 'adapter';
function required(value: string | undefined, option: string, hint: string): string {
  if (value === undefined)
    throw new LorakitError('INVALID_ARGUMENT', `eval needs ${option}`, {
      fix: `usage: lorakit eval ${hint}`,
    });
  return value;
}

export async function runEval(options: EvalCommandOptions, streams: CliStreams): Promise<EvalReport> {
  const usage = '--model DIR --data TEST.jsonl --metric NAME (or: eval compare A B | eval merged-check)';
  const modelDirectory = required(options.model, '--model', usage);
  const data = required(options.data, '--data', usage);
  const metricName = required(options.metric, '--metric', usage);
  getMetric(metricName); // an unknown metric fails before anything loads
  const limit = options.limit === undefined ? undefined : parsePositiveInteger('--limit', options.limit);
  const backend = parseBackend(options.backend ?? 'auto');
  const items = await readTestFile({ path: data, ...(limit !== undefined ? { limit } : {}) });
  const tokenizer = await loadTokenizer({ modelDirectory });
  const model = await loadModel(modelDirectory, {
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
    const run = evaluateModel({
      model,
      tokenizer,
      items,
      metric: metricName,
      adapter: options.adapter !== undefined ? ADAPTER_NAME : null,
      onProgress: (done, total) => {
        if (done === total || done % 50 === 0) streams.stderr(`lorakit: scored ${done}/${total}\n`);
      },
    });
    if (options.records !== undefined) await writeRecords({ path: options.records, records: run.records });
    return {
      metric: run.metric,
      score: run.mean,
      ci95: run.ci95,
      n: run.n,
      records: options.records ?? null,
    };
  } finally {
    model.dispose();
  }
}

function formatInterval([low, high]: [number, number]): string {
  return `[${low.toFixed(4)}, ${high.toFixed(4)}]`;
}

export function registerEval(program: Command, streams: CliStreams): void {
  const evalCommand = program
    .command('eval')
    .description(
      'score a model (and an adapter) on a test file with greedy decoding; compare runs; check merges',
    )
    .option('--model <dir>', 'the model folder: base, merged or fully fine-tuned')
    .option('--adapter <dir>', 'a PEFT adapter folder to apply')
    .option(
      '--data <file>',
      'test JSONL: {"messages": [...]} (last assistant message is the reference) or {"prompt","completion"}',
    )
    .option(
      '--metric <name>',
      'exact_match | json_valid | json_field_f1 | contains | regex | rouge_l | perplexity | multiple_choice',
    )
    .option('--records <file>', 'write per-item records (JSONL) here, to pair runs later with `eval compare`')
    .option('--limit <n>', 'score only the first N items')
    .option('--backend <backend>', 'auto | cpu | reference | cuda (default auto)')
    .option('--json', 'print one JSON document')
    .action(async (options: EvalCommandOptions) => {
      const report = await runEval(options, streams);
      if (options.json) return printJson(streams, report);
      streams.stdout(
        `${report.metric} ${report.score.toFixed(4)} (95% CI ${formatInterval(report.ci95)}, n = ${report.n})\n`,
      );
    });

  // subcommands inherit the program's exitOverride and output settings when created; set it again to be sure
  evalCommand
    .command('compare')
    .exitOverride()
    .description('pair two runs item by item: difference B − A with a 95% interval and a p-value')
    .argument('<records-a>', 'records JSONL of run A')
    .argument('<records-b>', 'records JSONL of run B')
    .option('--seed <s>', 'bootstrap seed (default 0)')
    .option('--json', 'print one JSON document')
    .action(async (pathA: string, pathB: string, _local: unknown, command: Command) => {
      const options = command.optsWithGlobals<{ seed?: string; json?: boolean }>();
      const seedText = options.seed ?? '0';
      const seed = Number(seedText);
      if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed))
        throw new LorakitError(
          'INVALID_ARGUMENT',
          `--seed must be a non-negative integer, got "${seedText}"`,
        );
      const [a, b] = await Promise.all([readRecords({ path: pathA }), readRecords({ path: pathB })]);
      const metric = a[0]?.metric;
      const spec = metric !== undefined && metric !== 'custom' ? getMetric(metric) : undefined;
      const report: RunComparison = compareRuns(a, b, {
        seed,
        names: { a: pathA, b: pathB },
        ...(spec ? { binary: spec.binary } : {}),
      });
      if (options.json) return printJson(streams, report);
      streams.stdout(
        `n = ${report.n}: A ${report.a.toFixed(4)}, B ${report.b.toFixed(4)}, B − A ${report.difference.toFixed(4)} ` +
          `(95% CI ${formatInterval(report.ci95)}), p = ${report.p_value.toPrecision(3)} (${report.test})\n`,
      );
    });

  evalCommand
    .command('merged-check')
    .exitOverride()
    .description(
      'merge the adapter in memory and compare logits with base + adapter (atol = rtol = 1e-4 in f32)',
    )
    .option('--model <dir>', 'the base model folder (required)')
    .option('--adapter <dir>', 'the PEFT adapter folder (required)')
    .option('--samples <n>', 'number of seeded random inputs (default 8)')
    .option('--backend <backend>', 'auto | cpu | reference | cuda (default auto)')
    .option('--json', 'print one JSON document')
    .action(async (_local: unknown, command: Command) => {
      const options = command.optsWithGlobals<
        Partial<Record<'model' | 'adapter' | 'samples' | 'backend', string>> & { json?: boolean }
      >();
      const hint = 'merged-check --model MODEL_DIR --adapter ADAPTER_DIR [--samples 8]';
      const result: MergedCheckResult = await mergedCheck({
        model: required(options.model, '--model', hint),
        adapter: required(options.adapter, '--adapter', hint),
        samples: parsePositiveInteger('--samples', options.samples ?? '8'),
        backend: parseBackend(options.backend ?? 'auto'),
        onLog: (line) => streams.stderr(`lorakit: ${line}\n`),
      });
      if (options.json) return printJson(streams, result);
      streams.stdout(
        `${result.pass ? 'pass' : 'FAIL'}: max |Δlogit| ${result.max_abs_diff.toExponential(2)} over ${result.samples} inputs ` +
          `(atol ${result.atol}, rtol ${result.rtol}, ${result.dtype} base)\n`,
      );
    });

  registerChecklist(evalCommand, streams);
}

/** `--other NAME=TEST.jsonl:METRIC`: the name ends at the first "=", the metric starts after the last ":". */
function parseOtherTask(value: string): ChecklistOtherTask {
  const equals = value.indexOf('=');
  const colon = value.lastIndexOf(':');
  const name = value.slice(0, equals);
  const testFile = value.slice(equals + 1, colon);
  const metric = value.slice(colon + 1);
  if (equals <= 0 || colon <= equals + 1 || metric === '')
    throw new LorakitError('INVALID_ARGUMENT', `--other must be NAME=TEST.jsonl:METRIC, got "${value}"`);
  return { name, testFile, metric };
}

type ChecklistOptions = Partial<
  Record<
    'model' | 'adapter' | 'data' | 'metric' | 'threshold' | 'val' | 'train' | 'name' | 'full' | 'metrics',
    string
  >
> &
  Partial<Record<'limit' | 'backend' | 'out', string>> & { other?: string[]; json?: boolean };

export interface ChecklistReport {
  report: string;
  markdown: string;
  checklist: { id: string; status: ChecklistStatus }[];
  /** Every item passed ("not run" is not a pass). */
  pass: boolean;
}

export async function runChecklistCommand(
  options: ChecklistOptions,
  streams: CliStreams,
): Promise<ChecklistReport> {
  const hint =
    'checklist --model DIR --adapter DIR --data TEST.jsonl --metric NAME --threshold X --out OUT_DIR';
  const model = required(options.model, '--model', hint);
  const adapter = required(options.adapter, '--adapter', hint);
  const testFile = required(options.data, '--data', hint);
  const metric = required(options.metric, '--metric', hint);
  const thresholdText = required(options.threshold, '--threshold', hint);
  const out = required(options.out, '--out', hint);
  const threshold = Number(thresholdText);
  if (thresholdText.trim() === '' || !Number.isFinite(threshold))
    throw new LorakitError('INVALID_ARGUMENT', `--threshold must be a number, got "${thresholdText}"`);
  // With the training file given, the split sizes are counted from the three files (non-empty lines).
  const splits =
    options.train !== undefined && options.val !== undefined
      ? {
          train: await countLines(options.train),
          validation: await countLines(options.val),
          test: await countLines(testFile),
        }
      : undefined;
  const result = await runChecklist({
    model,
    adapter,
    ...(splits ? { splits } : {}),
    task: {
      name: options.name ?? testFile,
      testFile,
      metric,
      threshold,
      ...(options.val !== undefined ? { validationFile: options.val } : {}),
    },
    otherTasks: (options.other ?? []).map(parseOtherTask),
    ...(options.full !== undefined ? { full: options.full } : {}),
    ...(options.metrics !== undefined ? { metricsFile: options.metrics } : {}),
    ...(options.limit !== undefined ? { limit: parsePositiveInteger('--limit', options.limit) } : {}),
    backend: parseBackend(options.backend ?? 'auto'),
    onLog: (line) => streams.stderr(`lorakit: ${line}\n`),
  });
  // Each file is written under a temporary name and renamed; other files already in OUT_DIR are kept.
  await mkdir(out, { recursive: true });
  const markdown = join(out, 'report.md');
  const report = join(out, 'report.html');
  await writeFileAtomic(markdown, result.markdown);
  await writeFileAtomic(report, result.html);
  const checklist = buildChecklist(result.data).map(({ id, status }) => ({ id, status }));
  return { report, markdown, checklist, pass: checklist.every((item) => item.status === 'pass') };
}

async function countLines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new FileError('FILE_NOT_FOUND', `${path}: cannot be read (${error.code ?? 'error'})`);
  });
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `eval checklist`: the validation checklist as one run, written as report.md and report.html. */
function registerChecklist(evalCommand: Command, streams: CliStreams): void {
  evalCommand
    .command('checklist')
    .exitOverride()
    .description(
      'run the validation checklist (base, adapter, full, merged, regressions) and write the report',
    )
    .option('--model <dir>', 'the base model folder (required)')
    .option('--adapter <dir>', 'the PEFT adapter folder (required)')
    .option('--data <file>', 'test JSONL of the task (required)')
    .option('--metric <name>', "the task's metric (required)")
    .option('--threshold <x>', 'the score the adapter must reach, stated before the run (required)')
    .option('--val <file>', 'validation JSONL of the task')
    .option(
      '--train <file>',
      'training JSONL of the task (with --val: the split sizes are counted from the files)',
    )
    .option('--name <task>', 'the task name shown in the report (default: the test file)')
    .option('--full <dir>', 'a full fine-tuned model folder to compare with')
    .option(
      '--other <task>',
      'another task to check for regressions: NAME=TEST.jsonl:METRIC (repeatable)',
      collect,
    )
    .option('--metrics <file>', "the trainer's metrics.jsonl, for the loss curves")
    .option('--limit <n>', 'score only the first N items of every file')
    .option('--backend <backend>', 'auto | cpu | reference | cuda (default auto)')
    .option('--out <dir>', 'folder for report.md and report.html (required)')
    .option('--json', 'print one JSON document')
    .action(async (_local: unknown, command: Command) => {
      const options = command.optsWithGlobals<ChecklistOptions>();
      const result = await runChecklistCommand(options, streams);
      if (options.json) return printJson(streams, result);
      const lines = result.checklist.map((item) => `${item.status.padEnd(7)} ${item.id}`);
      streams.stdout(
        `${lines.join('\n')}\n${result.pass ? 'pass' : 'not all items pass'}: ${result.report}\n`,
      );
    });
}
