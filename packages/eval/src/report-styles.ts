/**
 * The report page's stylesheet, inlined so the page is one self-contained file: system fonts only (no
 * downloads), a light theme, a readable measure (~70 characters) for prose, and charts and tables that
 * shrink or scroll on narrow screens.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --pass: #15803d; --fail: #b91c1c;
  --skip: #6b7280; --accent: #2563eb; --paper: #ffffff; --wash: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); color: var(--ink); font: 16px/1.55 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 24px 64px; background: var(--paper); min-height: 100vh; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 24px 0 8px; }
p, li { max-width: 72ch; }
.meta { color: var(--muted); margin: 0; }
.small { font-size: 0.9rem; color: var(--muted); }
.recommendation { margin-top: 24px; padding: 16px 20px; border: 1px solid var(--line); border-left: 5px solid var(--accent);
  border-radius: 6px; background: #f8fbff; }
.recommendation .headline { font-size: 1.4rem; font-weight: 650; margin: 0 8px 0 0; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 2px 8px; border-radius: 999px; vertical-align: 3px; }
.badge.measured { background: #dcfce7; color: #166534; }
.badge.prior { background: #fef3c7; color: #92400e; }
.recommendation p { margin: 8px 0 0; }
.summary { margin: 0 0 12px; color: var(--muted); }
.checklist { list-style: none; padding: 0; margin: 0; border: 1px solid var(--line); border-radius: 6px; }
.checklist li { display: grid; grid-template-columns: 28px 1fr auto; gap: 2px 10px; padding: 10px 14px; max-width: none;
  border-top: 1px solid var(--line); }
.checklist li:first-child { border-top: 0; }
.checklist .mark { font-weight: 700; font-size: 1.1rem; text-align: center; }
.checklist .label { font-weight: 600; }
.checklist .status { font-size: 0.8rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.04em; padding-top: 3px; }
.checklist .reason { grid-column: 2 / 4; color: #374151; font-size: 0.93rem; }
.status-pass .mark, .status-pass .status { color: var(--pass); }
.status-fail .mark, .status-fail .status { color: var(--fail); }
.status-fail { background: #fef2f2; }
.status-not-run .mark, .status-not-run .status { color: var(--skip); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; min-width: 100%; }
th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th.text, td.text { text-align: left; }
/* Headers may wrap (two short lines) so that the numbers fit without scrolling. */
th { background: #f3f4f6; font-weight: 600; white-space: normal; vertical-align: bottom; line-height: 1.3; }
tr.drop td { background: #fef2f2; color: var(--fail); }
figure { margin: 16px 0 24px; }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 4px; max-width: 72ch; }
svg.chart { display: block; width: 100%; height: auto; max-width: 900px; font-family: inherit; }
svg.chart .grid { stroke: #eef0f3; }
svg.chart .axis, svg.chart .tick { stroke: #4b5563; }
svg.chart .frame { fill: #fafafa; stroke: var(--line); }
svg.chart .tick-label, svg.chart .value-label, svg.chart .legend-label { fill: #374151; }
svg.chart .point-label { fill: #111827; font-weight: 600; }
svg.chart .axis-title { fill: #111827; font-weight: 600; }
svg.chart .no-data { fill: var(--muted); font-size: 16px; }
svg.chart .reference-label { font-weight: 600; }
svg.chart .value-label, svg.chart .point-label, svg.chart .reference-label { paint-order: stroke; stroke: #ffffff;
  stroke-width: 4px; stroke-linejoin: round; }
`;
