/**
 * The validation checklist report as ONE self-contained HTML page: inline CSS, inline SVG charts drawn
 * here (no scripts, fonts, images or links to anything outside the file), every user string escaped.
 */
import { buildChecklist } from './report-checklist.js';
import type { ReportData, TaskResult } from './report-data.js';
import { reportFormat as format } from './report-format.js';
import { CHECKLIST_MARKS, CHECKLIST_WORDS } from './report-markdown.js';
import { REPORT_CSS } from './report-styles.js';
import type { ReportTable } from './report-tables.js';
import {
  lossSummary,
  recommendationBasis,
  recommendationHeadline,
  regressionTable,
  runsTable,
} from './report-tables.js';
import type { CostChartPoint } from './svg-cost-chart.js';
import { renderCostChart } from './svg-cost-chart.js';
import { escapeHtml as e } from './svg-escape.js';
import { renderLossChart } from './svg-loss-chart.js';
import { renderScoreChart } from './svg-score-chart.js';

function table(content: ReportTable, rowClass: (row: readonly string[]) => string = () => ''): string {
  const align = (column: number): string => (content.textColumns.includes(column) ? ' class="text"' : '');
  const head = `<tr>${content.header.map((cell, column) => `<th scope="col"${align(column)}>${e(cell)}</th>`).join('')}</tr>`;
  const rows = content.rows.map((row) => {
    const className = rowClass(row);
    return `<tr${className ? ` class="${className}"` : ''}>${row.map((cell, column) => `<td${align(column)}>${e(cell)}</td>`).join('')}</tr>`;
  });
  return `<div class="table-wrap"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${e(caption)}</figcaption></figure>`;
}

/** x of the quality-against-cost chart: relative cost when every run has it, else dollars, else none. */
function costPoints(task: TaskResult): { unit: 'relative' | 'usd'; points: CostChartPoint[] } {
  const finite = (value: number | undefined): value is number =>
    value !== undefined && Number.isFinite(value);
  const relative = task.runs.length > 0 && task.runs.every((run) => finite(run.costRelativeToFull));
  const unit = relative ? 'relative' : 'usd';
  const points: CostChartPoint[] = [];
  if (task.baseline)
    points.push({
      label: 'base',
      kind: 'baseline',
      cost: 0,
      score: task.baseline.score,
      ci95: task.baseline.ci95,
    });
  for (const run of task.runs) {
    const cost = relative ? run.costRelativeToFull : run.projectedCostUsd;
    if (finite(cost))
      points.push({ label: `r=${run.rank}`, kind: 'lora', cost, score: run.score, ci95: run.ci95 });
  }
  const fullCost = relative ? 1 : task.full?.projectedCostUsd;
  if (task.full && finite(fullCost))
    points.push({
      label: 'full',
      kind: 'full',
      cost: fullCost,
      score: task.full.score,
      ci95: task.full.ci95,
    });
  // The baseline alone (no run with a cost) is not a cost comparison.
  return { unit, points: points.some((point) => point.kind !== 'baseline') ? points : [] };
}

function taskSection(task: TaskResult): string {
  const runs = [...task.runs].sort((a, b) => a.rank - b.rank);
  const threshold =
    task.threshold && Number.isFinite(task.threshold.value) ? task.threshold.value : undefined;
  const direction = task.higherIsBetter === false ? '≤' : '≥';
  const facts = [
    [
      'Quality threshold',
      task.threshold
        ? `${task.metric} ${direction} ${format.score(task.threshold.value)} (${task.threshold.statedBeforeRun ? 'stated before the run' : 'set after the run'}` +
          `${task.threshold.note ? `, ${task.threshold.note}` : ''})`
        : 'not stated',
    ],
    [
      'Splits',
      task.splits
        ? `train ${task.splits.train} · validation ${task.splits.validation} · test ${task.splits.test}`
        : 'not recorded',
    ],
    [
      'Baseline',
      task.baseline
        ? `${format.score(task.baseline.score)} ${format.interval(task.baseline.ci95)}`
        : 'not measured',
    ],
  ];
  const cost = costPoints(task);
  const lower = task.higherIsBetter === false;
  const axisTitle = lower ? `${task.metric} (lower is better)` : task.metric;
  const better = lower ? 'Down and to the left is better.' : 'Up and to the left is better.';
  const lines = [
    task.full ? 'full fine-tune (solid, its interval shaded)' : '',
    task.baseline ? 'baseline without adapter (dashed, its interval shaded)' : '',
    threshold === undefined ? '' : 'the quality threshold (dotted)',
  ].filter(Boolean);
  return [
    `<section class="task"><h2>Task: ${e(task.task)} <span class="small">${e(task.metric)}</span></h2>`,
    `<dl class="facts">${facts.map(([term, value]) => `<dt>${e(term ?? '')}</dt><dd>${e(value ?? '')}</dd>`).join('')}</dl>`,
    table(runsTable(task)),
    `<h3>Score per rank</h3>`,
    figure(
      renderScoreChart({
        metric: axisTitle,
        runs: runs.map((run) => ({ label: `r=${run.rank}`, score: run.score, ci95: run.ci95 })),
        ...(task.baseline ? { baseline: task.baseline } : {}),
        ...(task.full ? { full: task.full } : {}),
        ...(threshold === undefined ? {} : { threshold }),
        title: `${task.task}: ${task.metric} per LoRA rank`,
      }),
      `Dots are LoRA scores, bars their 95% intervals.${lines.length > 0 ? ` Horizontal lines: ${lines.join(', ')}.` : ''}`,
    ),
    `<h3>Quality against cost</h3>`,
    figure(
      renderCostChart({
        metric: axisTitle,
        costUnit: cost.unit,
        points: cost.points,
        ...(threshold === undefined ? {} : { threshold }),
        title: `${task.task}: ${task.metric} against training cost`,
      }),
      cost.unit === 'relative'
        ? `Training cost as a share of the full fine-tune’s; the base model costs nothing to train. ${better}`
        : `Projected training cost in US dollars; the base model costs nothing to train. ${better}`,
    ),
    '</section>',
  ].join('');
}

function checklistSection(data: ReportData): string {
  const items = buildChecklist(data);
  const count = (status: string): number => items.filter((item) => item.status === status).length;
  const rows = items.map(
    (item) =>
      `<li class="status-${item.status}"><span class="mark" aria-hidden="true">${CHECKLIST_MARKS[item.status]}</span>` +
      `<span class="label">${e(item.label)}</span><span class="status">${CHECKLIST_WORDS[item.status]}</span>` +
      `<span class="reason">${e(item.reason)}</span></li>`,
  );
  return (
    `<section><h2>Checklist</h2><p class="summary">${count('pass')} pass · ${count('fail')} fail · ${count('not-run')} not run</p>` +
    `<ul class="checklist">${rows.join('')}</ul></section>`
  );
}

function recommendationSection(data: ReportData): string {
  const recommendation = data.recommendation;
  if (!recommendation) return '<section class="recommendation"><p>No recommendation was made.</p></section>';
  return (
    `<section class="recommendation"><span class="headline">${e(recommendationHeadline(recommendation))}</span>` +
    `<span class="badge ${recommendation.basis}">${recommendation.basis}</span>` +
    `<p>${e(recommendation.why)}</p><p class="small">${e(recommendationBasis(recommendation))}</p></section>`
  );
}

function checksSection(data: ReportData): string {
  const merged = data.mergedCheck;
  const mergedText = merged
    ? `${merged.pass ? 'Pass' : 'Fail'}: max |Δlogit| = ${format.scientific(merged.maxAbsDiff)} against atol = ${format.scientific(merged.atol)}, ` +
      `rtol = ${format.scientific(merged.rtol)}${merged.dtype ? ` (${merged.dtype})` : ''}` +
      `${merged.samples === undefined ? '' : ` on ${merged.samples} sample inputs`}.`
    : 'Not run.';
  const loading = data.adapterLoading;
  const loadingText = loading?.tested
    ? `${loading.pass === false ? 'Failed' : 'Tested'}: ${loading.what}`
    : 'Not tested.';
  const regressions =
    (data.regressions ?? []).length > 0
      ? table(regressionTable(data), (row) => (row[row.length - 1] === 'DROP' ? 'drop' : ''))
      : '<p>Not run.</p>';
  return (
    `<section><h2>Merged ≡ adapter</h2><p>${e(mergedText)}</p></section>` +
    `<section><h2>Regression check on other tasks</h2>${regressions}</section>` +
    `<section><h2>Adapter loading</h2><p>${e(loadingText)}</p></section>`
  );
}

function lossSection(data: ReportData): string {
  const curves = data.lossCurves;
  const chart = renderLossChart({
    training: curves?.training ?? [],
    validation: curves?.validation ?? [],
    title: curves ? `Loss curves of ${curves.run}` : 'Loss curves',
  });
  const summary = lossSummary(data);
  return (
    `<section><h2>Training and validation loss</h2>` +
    figure(chart, summary.length > 0 ? summary.join('. ') + '.' : 'No metrics.jsonl was given.') +
    '</section>'
  );
}

export function renderHtml(data: ReportData): string {
  const title = data.title ?? 'Validation checklist';
  const meta = [
    data.model ? `Model: ${data.model}` : '',
    data.generatedAt ? `Generated: ${data.generatedAt}` : '',
  ].filter(Boolean);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title><style>${REPORT_CSS}</style></head>`,
    '<body><main>',
    `<header><h1>${e(title)}</h1>${meta.length > 0 ? `<p class="meta">${e(meta.join(' · '))}</p>` : ''}</header>`,
    recommendationSection(data),
    checklistSection(data),
    ...data.tasks.map(taskSection),
    checksSection(data),
    lossSection(data),
    '</main></body></html>',
    '',
  ].join('\n');
}
