/**
 * Linear scales and "nice" axis ticks for the report's charts.
 *   scale(v) = r0 + (v − d0) · (r1 − r0) / (d1 − d0)
 * Ticks step by 1, 2 or 5 × 10^k so that about `count` of them cover the domain (Heckbert's nice numbers).
 */

export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** A linear map from domain to range; a zero-width domain maps everything to the middle of the range. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const width = d1 - d0;
  const scale = (value: number): number =>
    width === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) * (r1 - r0)) / width;
  return Object.assign(scale, { domain, range });
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Widen [min, max] outward to multiples of a nice step; a single value gets a small band around it. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep(max - min, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** Tick values inside [min, max] at a nice step. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return Number.isFinite(min) ? [min] : [];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  // Rounding to the step's decimals keeps 0.30000000000000004 out of the labels.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toFixed(decimals)));
  }
  return ticks;
}

/** A tick label: few digits, no float noise, thousands as "k". */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/**
 * The y domain of a score chart: a nice domain around the values (so that close scores stay apart), kept
 * inside [0, 1] when every value is a fraction (most metrics). Non-finite values are ignored.
 */
export function scoreDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return [0, 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  // 5% headroom keeps error-bar caps and points off the axis lines.
  const pad = (max - min) * 0.05;
  const [low, high] = niceDomain(min - pad, max + pad);
  if (min >= 0 && max <= 1) return [Math.max(0, low), Math.min(1, high)];
  return [low, high];
}
