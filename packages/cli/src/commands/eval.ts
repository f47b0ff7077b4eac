/**
 * `lorakit eval` (CLI.md), one command with a default action and two subcommands:
 *   eval --model MODEL_DIR [--adapter ADAPTER_DIR] --data TEST.jsonl --metric NAME [--records OUT.jsonl] [--limit N] --json
 *   eval compare RECORDS_A.jsonl RECORDS_B.jsonl [--seed S] --json
 *   eval merged-check --model MODEL_DIR --adapter ADAPTER_DIR [--samples 8] --json
 * Where commander hands an option (to `eval` or to the subcommand) depends on whether the root program parses
 * options positionally; the subcommands therefore read `optsWithGlobals()` and declare shared options
 * without defaults or `requiredOption`, so that both ways give the same values.
 */
import type { Command } from 'commander';
import { LorakitError } from '@lorakit/core';
import { readAdapterFolder } from '@lorakit/core/node';
import {
  compareRuns,
  evaluateModel,
  getMetric,
  mergedCheck,
  readRecords,
  readTestFile,
  writeRecords,
} from '@lorakit/eval';
import type { MergedCheckResult, RunComparison } from '@lorakit/eval';
import { loadModel, loadTokenizer } from '@lorakit/models';
import { printJson } from '../json-output.js';
import { parsePositiveInteger } from '../options.js';
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
const BACKENDS = ['auto', 'cpu', 'reference', 'cuda'] as const;

function parseBackend(value: string): (typeof BACKENDS)[number] {
  const found = BACKENDS.find((name) => name === value);
  if (!found)
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `--backend must be one of ${BACKENDS.join(', ')}, got "${value}"`,
    );
  return found;
}

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
}
