/**
 * Number formatting shared by the markdown and HTML reports, so both say the same thing. Non-finite numbers
 * print as "n/a" rather than "NaN".
 */
import type { Interval95 } from './report-data.js';

const NOT_AVAILABLE = 'n/a';

export const reportFormat = {
  /** A score: 3 significant digits (0.912, 12.4). */
  score(value: number | undefined): string {
    return value !== undefined && Number.isFinite(value)
      ? String(Number(value.toPrecision(3)))
      : NOT_AVAILABLE;
  },
  /** An interval: "[0.880, 0.940]" at 3 significant digits. */
  interval(ci95: Interval95 | undefined): string {
    if (!ci95) return NOT_AVAILABLE;
    return `[${reportFormat.score(ci95[0])}, ${reportFormat.score(ci95[1])}]`;
  },
  /** A ratio as a percentage: 0.953 → "95.3%". */
  percent(value: number | undefined): string {
    return value !== undefined && Number.isFinite(value)
      ? `${Number((value * 100).toPrecision(3))}%`
      : NOT_AVAILABLE;
  },
  percentInterval(ci95: Interval95 | undefined): string {
    if (!ci95) return NOT_AVAILABLE;
    return `[${reportFormat.percent(ci95[0])}, ${reportFormat.percent(ci95[1])}]`;
  },
  /** Bytes in binary units: 16.8 MiB. */
  bytes(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value) || value < 0) return NOT_AVAILABLE;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let size = value;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) {
      size /= 1024;
      unit += 1;
    }
    return `${unit === 0 ? size : Number(size.toPrecision(3))} ${units[unit]}`;
  },
  /** Dollars with cents below $100, whole dollars above. */
  usd(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return NOT_AVAILABLE;
    return value < 100 ? `$${value.toFixed(2)}` : `$${Math.round(value).toLocaleString('en-US')}`;
  },
  /** Seconds as "41 s", "12 min", "3 h 20 min". */
  duration(seconds: number | undefined): string {
    if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return NOT_AVAILABLE;
    if (seconds < 60) return `${Number(seconds.toPrecision(3))} s`;
    const minutes = Math.floor(seconds / 60);
    // Past a minute the seconds are noise next to the run-to-run variation of training time.
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  },
  /** Small numbers in scientific notation: 3e-7. */
  scientific(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return NOT_AVAILABLE;
    return value === 0 ? '0' : value.toExponential(1);
  },
};
