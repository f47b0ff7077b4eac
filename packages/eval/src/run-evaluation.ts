/**
 * Scores one model (base, base + attached adapter, merged or fully fine-tuned folder: all load the same way) on
 * test items. Generation metrics decode greedily (temperature 0) up to the reference's token count plus a margin;
 * likelihood metrics read log-probabilities by teacher forcing. Returns per-item records and the mean with its
 * 95% interval.
 */
import type { Model, Tokenizer } from '@lorakit/models';
import { generate } from '@lorakit/models';
import { continuationLogLikelihood } from './continuation-likelihood.js';
import type { EvalItem } from './eval-item.js';
import type { EvalRecord } from './eval-record.js';
import { meanWithInterval } from './mean-interval.js';
import type { MeanInterval } from './mean-interval.js';
import { getMetric } from './metrics.js';
import type { LikelihoodScorer, MetricOptions, MetricSpec } from './metrics.js';
import { renderPrompt } from './rendered-prompt.js';

export interface EvaluateOptions {
  model: Model;
  tokenizer: Tokenizer;
  items: readonly EvalItem[];
  /** A registry name, or a spec of your own. */
  metric: string | MetricSpec;
  metricOptions?: MetricOptions;
  /** Name of an adapter attached to the model, or null for the base. */
  adapter?: string | null;
  /** Tokens allowed beyond the reference's length (default 16). */
  maxTokensMargin?: number;
  /** Called after each item. */
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationRun extends MeanInterval {
  metric: string;
  higherIsBetter: boolean;
  binary: boolean;
  records: EvalRecord[];
}

export function evaluateModel(options: EvaluateOptions): EvaluationRun {
  const { model, tokenizer, items } = options;
  const spec = typeof options.metric === 'string' ? getMetric(options.metric) : options.metric;
  const metricName = typeof options.metric === 'string' ? options.metric : 'custom';
  const metricOptions = options.metricOptions ?? {};
  const adapter = options.adapter ?? null;
  const margin = options.maxTokensMargin ?? 16;
  const records: EvalRecord[] = items.map((item, index) => {
    const prompt = renderPrompt(tokenizer, item);
    let output: string;
    let score: number;
    if (spec.kind === 'generation') {
      const referenceTokens = tokenizer.encode(item.reference, { addSpecialTokens: false }).length;
      const room = model.maxPositions - prompt.tokens.length;
      const result = generate(model, {
        tokenizer,
        ...(item.messages ? { messages: item.messages } : { prompt: item.prompt ?? '' }),
        maxTokens: Math.max(1, Math.min(referenceTokens + margin, room)),
        temperature: 0,
        adapter,
      });
      output = result.text;
      score = spec.score(output, item.reference, metricOptions);
    } else {
      const scorer: LikelihoodScorer = (continuation) => {
        const tokens = tokenizer.encode(continuation, { addSpecialTokens: false });
        return {
          logLikelihood: continuationLogLikelihood(model, {
            prompt: prompt.tokens,
            continuation: tokens,
            adapter,
          }),
          tokens: tokens.length,
        };
      };
      ({ score, output } = spec.score(scorer, item, metricOptions));
    }
    options.onProgress?.(index + 1, items.length);
    return {
      id: item.id,
      prompt_hash: prompt.hash,
      output,
      reference: item.reference,
      score,
      metric: metricName,
    };
  });
  const summary = meanWithInterval(
    records.map((record) => record.score),
    { binary: spec.binary },
  );
  return {
    ...summary,
    metric: metricName,
    higherIsBetter: spec.higherIsBetter,
    binary: spec.binary,
    records,
  };
}
