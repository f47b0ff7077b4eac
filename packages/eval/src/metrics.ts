/**
 * The metric registry: data, one entry per metric. Two kinds:
 * - "generation": the model answers greedily and `score(output, reference, options)` grades the text;
 * - "likelihood": no free generation; `score(scorer, item, options)` reads log-probabilities of given texts
 *   after the prompt (teacher forcing) and returns the score and what to record as the output.
 * `binary: true` marks 0/1 scores (Wilson intervals, McNemar); `higherIsBetter: false` marks losses.
 *
 * Adding a metric: add an entry here (a snake_case key; generation()/likelihood() type it, `satisfies` checks the table), e.g.
 *   starts_with: generation({ binary: true, higherIsBetter: true, description: '…',
 *                  score: (output, reference) => (output.trimStart().startsWith(reference.trim()) ? 1 : 0) }),
 * and a test beside it. Nothing else changes: the CLI's --metric and the runs look names up here.
 */
import { LorakitError } from '@lorakit/core';
import type { EvalItem } from './eval-item.js';
import { jsonFieldF1, parseJsonOutput } from './json-field-f1.js';
import { rougeL } from './rouge-l.js';
import { normalizeText } from './text-normalization.js';
import type { NormalizationOptions } from './text-normalization.js';

export interface MetricOptions {
  /** exact_match, contains: how texts are normalised before comparing. */
  normalize?: NormalizationOptions;
  /** regex: the pattern the output must match (default: the reference itself, as a pattern). */
  pattern?: string;
  /** regex: flags for the pattern (default "u"). */
  flags?: string;
  /** multiple_choice: compare mean instead of summed log-likelihood per option (default false). */
  lengthNormalized?: boolean;
}

/** Log-likelihood of a continuation after the item's prompt, by teacher forcing. */
export interface LikelihoodScorer {
  (continuation: string): { logLikelihood: number; tokens: number };
}

interface MetricCommon {
  description: string;
  binary: boolean;
  higherIsBetter: boolean;
}

export interface GenerationMetricSpec extends MetricCommon {
  kind: 'generation';
  score(output: string, reference: string, options: MetricOptions): number;
}

export interface LikelihoodMetricSpec extends MetricCommon {
  kind: 'likelihood';
  score(scorer: LikelihoodScorer, item: EvalItem, options: MetricOptions): { score: number; output: string };
}

export type MetricSpec = GenerationMetricSpec | LikelihoodMetricSpec;

// Entries typed as full specs (not narrowed by inference), so every score can be called with all its arguments.
function generation(spec: Omit<GenerationMetricSpec, 'kind'>): GenerationMetricSpec {
  return { kind: 'generation', ...spec };
}

function likelihood(spec: Omit<LikelihoodMetricSpec, 'kind'>): LikelihoodMetricSpec {
  return { kind: 'likelihood', ...spec };
}

export const METRICS = {
  exact_match: generation({
    description: 'output equals the reference after normalisation (case, whitespace; punctuation on request)',
    binary: true,
    higherIsBetter: true,
    score: (output, reference, options) =>
      normalizeText(output, options.normalize) === normalizeText(reference, options.normalize) ? 1 : 0,
  }),
  json_valid: generation({
    description: 'output parses as JSON (a ```json fence is allowed)',
    binary: true,
    higherIsBetter: true,
    score: (output) => (parseJsonOutput(output) === undefined ? 0 : 1),
  }),
  json_field_f1: generation({
    description: 'F1 of the JSON leaves (path=value pairs) of the output against the reference JSON',
    binary: false,
    higherIsBetter: true,
    score: (output, reference) => jsonFieldF1(output, reference),
  }),
  contains: generation({
    description: 'output contains the reference after normalisation',
    binary: true,
    higherIsBetter: true,
    score: (output, reference, options) =>
      normalizeText(output, options.normalize).includes(normalizeText(reference, options.normalize)) ? 1 : 0,
  }),
  regex: generation({
    description: 'output matches the pattern (options.pattern, else the reference read as a pattern)',
    binary: true,
    higherIsBetter: true,
    score: (output, reference, options) =>
      compilePattern(options.pattern ?? reference, options.flags).test(output) ? 1 : 0,
  }),
  rouge_l: generation({
    description: 'ROUGE-L F-measure: longest common subsequence of word tokens',
    binary: false,
    higherIsBetter: true,
    score: (output, reference) => rougeL(output, reference),
  }),
  perplexity: likelihood({
    description:
      'exp of the mean per-token loss of the reference after the prompt (teacher forcing); lower is better',
    binary: false,
    higherIsBetter: false,
    score: (scorer, item) => {
      const { logLikelihood, tokens } = scorer(item.reference);
      if (tokens === 0)
        throw new LorakitError('INVALID_ARGUMENT', `${item.source}: the reference encodes to no tokens`);
      return { score: Math.exp(-logLikelihood / tokens), output: '' };
    },
  }),
  multiple_choice: likelihood({
    description: 'the option with the highest log-likelihood after the prompt is the reference',
    binary: true,
    higherIsBetter: true,
    score: (scorer, item, options) => {
      if (!item.choices)
        throw new LorakitError('INVALID_ARGUMENT', `${item.source}: multiple_choice needs a "choices" array`);
      let best = '';
      let bestValue = -Infinity;
      for (const choice of item.choices) {
        const { logLikelihood, tokens } = scorer(choice);
        const value = options.lengthNormalized ? logLikelihood / Math.max(1, tokens) : logLikelihood;
        if (value > bestValue) [best, bestValue] = [choice, value];
      }
      return { score: best === item.reference ? 1 : 0, output: best };
    },
  }),
} satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

const patterns = new Map<string, RegExp>();

function compilePattern(pattern: string, flags = 'u'): RegExp {
  const key = `${flags}/${pattern}`;
  let compiled = patterns.get(key);
  if (!compiled) {
    try {
      // a global or sticky regex keeps state between test() calls; one match anywhere is what counts
      compiled = new RegExp(pattern, flags.replace(/[gy]/gu, ''));
    } catch (error) {
      throw new LorakitError(
        'INVALID_ARGUMENT',
        `regex metric: invalid pattern /${pattern}/${flags} (${(error as Error).message})`,
      );
    }
    patterns.set(key, compiled);
  }
  return compiled;
}

/** The metric of that name, or a one-line error listing the names there are. */
export function getMetric(name: string): MetricSpec {
  if (!Object.hasOwn(METRICS, name))
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `unknown metric "${name}"; metrics: ${Object.keys(METRICS).join(', ')}`,
    );
  return METRICS[name as MetricName];
}
