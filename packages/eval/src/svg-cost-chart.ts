/**
 * Chart 2: quality against cost. Each run is a labelled point (x: training cost, relative to the full
 * fine-tune or in US dollars; y: score, with its 95% interval as a vertical bar); the baseline sits at
 * cost 0 (no training), and the threshold is a horizontal line. Up and to the left is better.
 */
import type { Interval95 } from './report-data.js';
import { escapeHtml } from './svg-escape.js';
import type { ChartSize } from './svg-frame.js';
import { CHART_FONT_SIZE, noDataChart, plotAreaOf, renderAxes, round, svgRoot } from './svg-frame.js';
import { placePointLabels } from './svg-labels.js';
import { linearScale, niceDomain, niceTicks, scoreDomain } from './svg-scale.js';
import { CHART_COLORS } from './svg-score-chart.js';

export interface CostChartPoint {
  label: string;
  kind: 'lora' | 'full' | 'baseline';
  cost: number;
  score: number;
  ci95?: Interval95;
}

export interface CostChartInput {
  metric: string;
  /** What x measures: 'relative' (full fine-tune = 1) or 'usd'. */
  costUnit: 'relative' | 'usd';
  points: readonly CostChartPoint[];
  threshold?: number;
  title?: string;
  size?: ChartSize;
}

export const COST_CHART_SIZE: ChartSize = {
  width: 760,
  height: 340,
  margin: { top: 20, right: 124, bottom: 56, left: 66 },
};

const finite = Number.isFinite;

export function renderCostChart(input: CostChartInput): string {
  const size = input.size ?? COST_CHART_SIZE;
  const title = input.title ?? `${input.metric} against training cost`;
  const points = input.points.filter((point) => finite(point.cost) && finite(point.score));
  if (points.length === 0) return noDataChart(size, title);

  const area = plotAreaOf(size);
  const maxCost = Math.max(...points.map((point) => point.cost), input.costUnit === 'relative' ? 1 : 0);
  // Costs start at 0 so that distances read as ratios; a little headroom keeps the last label inside.
  const xDomain = niceDomain(0, maxCost * 1.08 || 1, 6);
  const x = linearScale(xDomain, [area.left, area.right]);
  const scores = points.flatMap((point) => [point.score, ...(point.ci95 ?? [])]);
  const yDomain = scoreDomain(input.threshold === undefined ? scores : [...scores, input.threshold]);
  const y = linearScale(yDomain, [area.bottom, area.top]);
  const clampY = (value: number): number => round(Math.min(area.bottom, Math.max(area.top, y(value))));

  const parts: string[] = [
    renderAxes({
      area,
      x,
      y,
      xTicks: niceTicks(xDomain[0], xDomain[1], 6).map((value) => ({
        value,
        label: formatCost(value, input.costUnit),
      })),
      yTicks: niceTicks(yDomain[0], yDomain[1], 5),
      xTitle:
        input.costUnit === 'relative'
          ? 'training cost relative to full fine-tune'
          : 'projected training cost (USD)',
      yTitle: input.metric,
    }),
  ];
  if (input.threshold !== undefined && finite(input.threshold)) {
    const position = clampY(input.threshold);
    parts.push(
      `<line class="reference" data-name="threshold" x1="${area.left}" x2="${area.right}" y1="${position}" y2="${position}" ` +
        `stroke="${CHART_COLORS.threshold}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
      // The label sits in the right margin, where no point label can land on it.
      `<text class="reference-label" x="${area.right + 8}" y="${position + 4}" ` +
        `fill="${CHART_COLORS.threshold}">threshold ${Number(input.threshold.toPrecision(3))}</text>`,
    );
  }
  const placed = points.map((point) => ({
    x: round(x(point.cost)),
    y: clampY(point.score),
    text: point.label,
  }));
  for (const [index, point] of points.entries()) {
    const { x: cx, y: cy } = placed[index]!;
    const color = CHART_COLORS[point.kind];
    if (point.ci95 && finite(point.ci95[0]) && finite(point.ci95[1])) {
      parts.push(
        `<line class="error-bar" x1="${cx}" x2="${cx}" y1="${clampY(Math.max(...point.ci95))}" ` +
          `y2="${clampY(Math.min(...point.ci95))}" stroke="${color}" stroke-width="1.5" stroke-opacity="0.6"/>`,
      );
    }
    parts.push(`<circle class="point" cx="${cx}" cy="${cy}" r="5.5" fill="${color}"/>`);
  }
  const labels = placePointLabels(
    placed,
    { x: area.left, y: area.top, width: area.right - area.left, height: area.bottom - area.top },
    CHART_FONT_SIZE,
  );
  labels.forEach((label, index) => {
    parts.push(
      `<text class="point-label" x="${round(label.x)}" y="${round(label.y)}" text-anchor="${label.anchor}">` +
        `${escapeHtml(placed[index]!.text)}</text>`,
    );
  });
  return svgRoot(size, title, parts.join(''));
}

function formatCost(value: number, unit: 'relative' | 'usd'): string {
  if (unit === 'relative') return `${Number((value * 100).toPrecision(3))}%`;
  return `$${Number(value.toPrecision(3))}`;
}
