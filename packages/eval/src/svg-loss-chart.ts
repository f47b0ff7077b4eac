/**
 * Chart 3: training and validation loss against step, from the trainer's metrics.jsonl. Non-finite losses
 * (a diverged step) break the line rather than dragging the axis to infinity; a single point is a dot.
 */
import type { TrainingLossPoint, ValidationLossPoint } from './report-data.js';
import { escapeHtml } from './svg-escape.js';
import type { ChartSize } from './svg-frame.js';
import { noDataChart, plotAreaOf, renderAxes, round, svgRoot } from './svg-frame.js';
import { linearScale, niceDomain, niceTicks } from './svg-scale.js';
import { CHART_COLORS } from './svg-score-chart.js';

export interface LossChartInput {
  training: readonly TrainingLossPoint[];
  validation: readonly ValidationLossPoint[];
  title?: string;
  size?: ChartSize;
}

export const LOSS_CHART_SIZE: ChartSize = {
  width: 760,
  height: 340,
  margin: { top: 20, right: 30, bottom: 56, left: 66 },
};

interface Series {
  name: string;
  color: string;
  points: { step: number; value: number }[];
  markers: boolean;
}

export function renderLossChart(input: LossChartInput): string {
  const size = input.size ?? LOSS_CHART_SIZE;
  const title = input.title ?? 'Training and validation loss';
  const series: Series[] = [
    {
      name: 'training loss',
      color: CHART_COLORS.lora,
      points: input.training.map((point) => ({ step: point.step, value: point.loss })),
      markers: input.training.length <= 40,
    },
    {
      name: 'validation loss',
      color: CHART_COLORS.validation,
      points: input.validation.map((point) => ({ step: point.step, value: point.validation_loss })),
      markers: true,
    },
  ];
  const all = series
    .flatMap((entry) => entry.points)
    .filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value));
  if (all.length === 0) return noDataChart(size, title);

  const area = plotAreaOf(size);
  const steps = all.map((point) => point.step);
  const values = all.map((point) => point.value);
  const xDomain = niceDomain(Math.min(...steps), Math.max(...steps), 6);
  const yDomain = niceDomain(Math.min(...values), Math.max(...values), 5);
  const x = linearScale(xDomain, [area.left, area.right]);
  const y = linearScale(yDomain, [area.bottom, area.top]);

  const parts: string[] = [
    renderAxes({
      area,
      x,
      y,
      xTicks: niceTicks(xDomain[0], xDomain[1], 6).map((value) => ({ value, label: formatStep(value) })),
      yTicks: niceTicks(yDomain[0], yDomain[1], 5),
      xTitle: 'step',
      yTitle: 'loss',
    }),
  ];
  for (const entry of series) {
    const path = pathOf(
      entry.points,
      (step) => round(x(step)),
      (value) => round(y(value)),
    );
    if (path) {
      parts.push(
        `<path class="line" data-name="${entry.name}" d="${path}" fill="none" stroke="${entry.color}" ` +
          `stroke-width="2" stroke-linejoin="round"/>`,
      );
    }
    const alone = entry.points.filter((point) => Number.isFinite(point.step) && Number.isFinite(point.value));
    if (entry.markers || alone.length === 1) {
      for (const point of alone) {
        parts.push(
          `<circle class="point" cx="${round(x(point.step))}" cy="${round(y(point.value))}" r="3.5" ` +
            `fill="${entry.color}"/>`,
        );
      }
    }
  }
  parts.push(legend(series, area.right - 150, area.top + 8));
  return svgRoot(size, title, parts.join(''));
}

/** An SVG path through the finite points, sorted by step; a non-finite value starts a new segment. */
function pathOf(
  points: readonly { step: number; value: number }[],
  toX: (step: number) => number,
  toY: (value: number) => number,
): string {
  const sorted = points.filter((point) => Number.isFinite(point.step)).sort((a, b) => a.step - b.step);
  let path = '';
  let pen = false;
  for (const point of sorted) {
    if (!Number.isFinite(point.value)) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${toX(point.step)} ${toY(point.value)}`;
    pen = true;
  }
  return path;
}

function legend(series: readonly Series[], left: number, top: number): string {
  const rows = series.map((entry, index) => {
    const rowY = top + 12 + index * 20;
    const empty = entry.points.every((point) => !Number.isFinite(point.value));
    return (
      `<line x1="${left + 10}" x2="${left + 34}" y1="${rowY - 4}" y2="${rowY - 4}" stroke="${entry.color}" stroke-width="2.5"/>` +
      `<text class="legend-label" x="${left + 42}" y="${rowY}">${escapeHtml(entry.name)}${empty ? ' (none)' : ''}</text>`
    );
  });
  return (
    `<g class="legend"><rect x="${left}" y="${top}" width="142" height="${series.length * 20 + 8}" rx="4" ` +
    `fill="#ffffff" fill-opacity="0.9" stroke="#d1d5db"/>${rows.join('')}</g>`
  );
}

function formatStep(value: number): string {
  return value >= 10_000 ? `${Number((value / 1000).toPrecision(3))}k` : String(Number(value.toPrecision(4)));
}
