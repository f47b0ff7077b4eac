/**
 * The parts every report chart shares: the <svg> element, plot area, axes with ticks, grid, axis titles, and
 * the "no data" placeholder. Charts scale to their container (viewBox + width 100%), so sizes here are in
 * the chart's own units, which equal CSS pixels at the design width.
 */
import { escapeHtml } from './svg-escape.js';
import type { LinearScale } from './svg-scale.js';
import { formatTick } from './svg-scale.js';

export interface ChartSize {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const CHART_FONT_SIZE = 13;

export function plotAreaOf(size: ChartSize): PlotArea {
  return {
    left: size.margin.left,
    right: size.width - size.margin.right,
    top: size.margin.top,
    bottom: size.height - size.margin.bottom,
  };
}

/** The <svg> element around `body`, with an accessible title. */
export function svgRoot(size: ChartSize, title: string, body: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" ` +
    `role="img" font-size="${CHART_FONT_SIZE}">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}

/** A chart with nothing to draw: same size, a frame, and the reason in the middle. */
export function noDataChart(size: ChartSize, title: string, reason = 'no data'): string {
  const area = plotAreaOf(size);
  return svgRoot(
    size,
    title,
    `<rect class="frame" x="${area.left}" y="${area.top}" width="${area.right - area.left}" ` +
      `height="${area.bottom - area.top}"/>` +
      `<text class="no-data" x="${(area.left + area.right) / 2}" y="${(area.top + area.bottom) / 2}" ` +
      `text-anchor="middle">${escapeHtml(reason)}</text>`,
  );
}

export interface AxesOptions {
  area: PlotArea;
  x: LinearScale;
  y: LinearScale;
  /** Tick positions and labels on x (categorical charts pass their categories). */
  xTicks: readonly { value: number; label: string }[];
  yTicks: readonly number[];
  xTitle: string;
  yTitle: string;
}

/** Grid lines, axis lines, tick marks, tick labels and axis titles. */
export function renderAxes(options: AxesOptions): string {
  const { area, x, y } = options;
  const parts: string[] = [];
  for (const value of options.yTicks) {
    const position = round(y(value));
    parts.push(
      `<line class="grid" x1="${area.left}" x2="${area.right}" y1="${position}" y2="${position}"/>`,
      `<line class="tick" x1="${area.left - 5}" x2="${area.left}" y1="${position}" y2="${position}"/>`,
      `<text class="tick-label" x="${area.left - 8}" y="${position + 4}" text-anchor="end">${formatTick(value)}</text>`,
    );
  }
  for (const tick of options.xTicks) {
    const position = round(x(tick.value));
    parts.push(
      `<line class="tick" x1="${position}" x2="${position}" y1="${area.bottom}" y2="${area.bottom + 5}"/>`,
      `<text class="tick-label" x="${position}" y="${area.bottom + 19}" text-anchor="middle">` +
        `${escapeHtml(tick.label)}</text>`,
    );
  }
  const middleX = (area.left + area.right) / 2;
  const middleY = (area.top + area.bottom) / 2;
  parts.push(
    `<line class="axis" x1="${area.left}" x2="${area.right}" y1="${area.bottom}" y2="${area.bottom}"/>`,
    `<line class="axis" x1="${area.left}" x2="${area.left}" y1="${area.top}" y2="${area.bottom}"/>`,
    `<text class="axis-title" x="${middleX}" y="${area.bottom + 40}" text-anchor="middle">` +
      `${escapeHtml(options.xTitle)}</text>`,
    `<text class="axis-title" transform="translate(${area.left - 48} ${middleY}) rotate(-90)" ` +
      `text-anchor="middle">${escapeHtml(options.yTitle)}</text>`,
  );
  return parts.join('');
}

/** Coordinates rounded to 0.01 keep the markup short and the tests readable. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
