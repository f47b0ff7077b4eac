/**
 * Chart 1: score per LoRA rank with 95% interval error bars; the baseline, the full fine-tune and the quality
 * threshold drawn as horizontal reference lines (the baseline's and full fine-tune's intervals as light bands).
 */
import type { Interval95 } from './report-data.js';
import { escapeHtml } from './svg-escape.js';
import type { ChartSize } from './svg-frame.js';
import { CHART_FONT_SIZE, noDataChart, plotAreaOf, renderAxes, round, svgRoot } from './svg-frame.js';
import { spreadVertically } from './svg-labels.js';
import { linearScale, niceTicks, scoreDomain } from './svg-scale.js';

export interface ScoreChartInput {
  /** Metric name, the y axis title. */
  metric: string;
  /** One entry per rank, in the order to draw them (label e.g. "r=16"). */
  runs: readonly { label: string; score: number; ci95: Interval95 }[];
  baseline?: { score: number; ci95?: Interval95 };
  full?: { score: number; ci95?: Interval95 };
  threshold?: number;
  /** Fixed y domain (to compare charts side by side); default: fitted to the values. */
  yDomain?: readonly [number, number];
  title?: string;
  size?: ChartSize;
}

export const SCORE_CHART_SIZE: ChartSize = {
  width: 760,
  height: 340,
  margin: { top: 20, right: 150, bottom: 56, left: 66 },
};

export const CHART_COLORS = {
  lora: '#2563eb',
  baseline: '#6b7280',
  full: '#7c3aed',
  threshold: '#dc2626',
  validation: '#ea580c',
} as const;

const finite = Number.isFinite;

export function renderScoreChart(input: ScoreChartInput): string {
  const size = input.size ?? SCORE_CHART_SIZE;
  const title = input.title ?? `${input.metric} per LoRA rank, with 95% intervals`;
  const references = [
    {
      name: 'full fine-tune',
      value: input.full?.score,
      band: input.full?.ci95,
      color: CHART_COLORS.full,
      dash: '',
    },
    {
      name: 'baseline',
      value: input.baseline?.score,
      band: input.baseline?.ci95,
      color: CHART_COLORS.baseline,
      dash: '6 4',
    },
    {
      name: 'threshold',
      value: input.threshold,
      band: undefined,
      color: CHART_COLORS.threshold,
      dash: '2 3',
    },
  ].filter((reference): reference is typeof reference & { value: number } => finite(reference.value ?? NaN));
  const drawable = input.runs.filter(
    (run) => finite(run.score) || finite(run.ci95[0]) || finite(run.ci95[1]),
  );
  if (drawable.length === 0 && references.length === 0) return noDataChart(size, title);

  const values = [
    ...input.runs.flatMap((run) => [run.score, run.ci95[0], run.ci95[1]]),
    ...references.flatMap((reference) => [reference.value, ...(reference.band ?? [])]),
  ];
  const area = plotAreaOf(size);
  const domain = input.yDomain ?? scoreDomain(values);
  const y = linearScale(domain, [area.bottom, area.top]);
  // Categories sit at the centres of equal bands, so one run is drawn in the middle.
  const count = Math.max(1, input.runs.length);
  const x = linearScale([-0.5, count - 0.5], [area.left, area.right]);
  const clampY = (value: number): number => round(Math.min(area.bottom, Math.max(area.top, y(value))));

  const parts: string[] = [
    renderAxes({
      area,
      x,
      y,
      xTicks: input.runs.map((run, index) => ({ value: index, label: run.label })),
      yTicks: niceTicks(domain[0], domain[1], 5),
      xTitle: input.runs.length > 0 ? 'LoRA rank' : 'no LoRA runs',
      yTitle: input.metric,
    }),
  ];
  for (const reference of references) {
    if (reference.band && finite(reference.band[0]) && finite(reference.band[1])) {
      const top = clampY(Math.max(reference.band[0], reference.band[1]));
      const bottom = clampY(Math.min(reference.band[0], reference.band[1]));
      parts.push(
        `<rect class="reference-band" x="${area.left}" y="${top}" width="${area.right - area.left}" ` +
          `height="${round(bottom - top)}" fill="${reference.color}" fill-opacity="0.08"/>`,
      );
    }
    const position = clampY(reference.value);
    parts.push(
      `<line class="reference" data-name="${reference.name}" x1="${area.left}" x2="${area.right}" y1="${position}" ` +
        `y2="${position}" stroke="${reference.color}" stroke-width="1.5"` +
        `${reference.dash ? ` stroke-dasharray="${reference.dash}"` : ''}/>`,
    );
  }
  // Reference labels go in the right margin, spread apart when the lines are close.
  const labelY = spreadVertically(
    references.map((reference) => clampY(reference.value) + 4),
    CHART_FONT_SIZE + 2,
    area.top + 4,
    area.bottom + 4,
  );
  references.forEach((reference, index) => {
    parts.push(
      `<text class="reference-label" x="${area.right + 8}" y="${round(labelY[index]!)}" fill="${reference.color}">` +
        `${escapeHtml(`${reference.name} ${formatValue(reference.value)}`)}</text>`,
    );
  });

  input.runs.forEach((run, index) => {
    const center = round(x(index));
    const [low, high] = run.ci95;
    if (finite(low) && finite(high)) {
      const top = clampY(Math.max(low, high));
      const bottom = clampY(Math.min(low, high));
      parts.push(
        `<line class="error-bar" x1="${center}" x2="${center}" y1="${top}" y2="${bottom}" stroke="${CHART_COLORS.lora}" stroke-width="2"/>`,
        `<line class="error-cap" x1="${center - 7}" x2="${center + 7}" y1="${top}" y2="${top}" stroke="${CHART_COLORS.lora}" stroke-width="2"/>`,
        `<line class="error-cap" x1="${center - 7}" x2="${center + 7}" y1="${bottom}" y2="${bottom}" stroke="${CHART_COLORS.lora}" stroke-width="2"/>`,
      );
    }
    if (finite(run.score)) {
      const cy = clampY(run.score);
      parts.push(
        `<circle class="point" cx="${center}" cy="${cy}" r="5" fill="${CHART_COLORS.lora}"/>`,
        `<text class="value-label" x="${center + 14}" y="${cy + 4}">${formatValue(run.score)}</text>`,
      );
    } else {
      parts.push(
        `<text class="value-label missing" x="${center}" y="${area.bottom - 8}" text-anchor="middle">n/a</text>`,
      );
    }
  });
  return svgRoot(size, title, parts.join(''));
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : 'n/a';
}
