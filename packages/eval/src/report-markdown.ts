/**
 * The validation checklist report as markdown: headings, tables, and the checklist as a list marked
 * ✓ (pass), ✗ (fail), – (not run). User text is escaped so that a task name cannot break a table or
 * inject HTML into a renderer that passes HTML through.
 */
import { buildChecklist } from './report-checklist.js';
import type { ChecklistStatus } from './report-checklist.js';
import type { ReportData, TaskResult } from './report-data.js';
import { reportFormat as format } from './report-format.js';
import type { ReportTable } from './report-tables.js';
import {
  lossSummary,
  recommendationBasis,
  recommendationHeadline,
  regressionTable,
  runsTable,
} from './report-tables.js';

export const CHECKLIST_MARKS: Readonly<Record<ChecklistStatus, string>> = {
  pass: '✓',
  fail: '✗',
  'not-run': '–',
};
export const CHECKLIST_WORDS: Readonly<Record<ChecklistStatus, string>> = {
  pass: 'pass',
  fail: 'fail',
  'not-run': 'not run',
};

/** Escape markdown syntax and HTML in inline text. */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([\\`*_|#])/g, '\\$1')
      // "](" is what turns bracketed text into a link; breaking it keeps intervals like [0.8, 0.9] readable.
      .replace(/\]\(/g, ']\\(')
      .replace(/\r?\n/g, ' ')
  );
}

function table(content: ReportTable): string {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell) => escapeMarkdown(cell) || ' ').join(' | ')} |`;
  return [
    line(content.header),
    `|${content.header.map(() => '---').join('|')}|`,
    ...content.rows.map(line),
  ].join('\n');
}

function taskSection(task: TaskResult): string {
  const lines = [`## Task: ${escapeMarkdown(task.task)} (${escapeMarkdown(task.metric)})`, ''];
  const facts: string[] = [];
  if (task.threshold) {
    const direction = task.higherIsBetter === false ? '≤' : '≥';
    const when = task.threshold.statedBeforeRun ? 'stated before the run' : 'set after the run';
    const note = task.threshold.note ? `, ${task.threshold.note}` : '';
    facts.push(
      `- Quality threshold: ${escapeMarkdown(task.metric)} ${direction} ${format.score(task.threshold.value)} (${when}${escapeMarkdown(note)})`,
    );
  } else {
    facts.push('- Quality threshold: not stated');
  }
  facts.push(
    task.splits
      ? `- Splits: train ${task.splits.train} · validation ${task.splits.validation} · test ${task.splits.test}`
      : '- Splits: not recorded',
  );
  lines.push(...facts, '', table(runsTable(task)), '');
  return lines.join('\n');
}

export function renderMarkdown(data: ReportData): string {
  const out: string[] = [`# ${escapeMarkdown(data.title ?? 'Validation checklist')}`, ''];
  const meta = [
    data.model ? `Model: ${escapeMarkdown(data.model)}` : '',
    data.generatedAt ? `Generated: ${escapeMarkdown(data.generatedAt)}` : '',
  ];
  if (meta.some(Boolean)) out.push(meta.filter(Boolean).join(' · '), '');

  out.push('## Recommendation', '');
  if (data.recommendation) {
    out.push(
      `**${escapeMarkdown(recommendationHeadline(data.recommendation))}** (${escapeMarkdown(recommendationBasis(data.recommendation))})`,
      '',
      escapeMarkdown(data.recommendation.why),
      '',
    );
  } else {
    out.push('No recommendation was made.', '');
  }

  out.push('## Checklist', '');
  for (const item of buildChecklist(data)) {
    out.push(
      `- ${CHECKLIST_MARKS[item.status]} **${escapeMarkdown(item.label)}**: ${CHECKLIST_WORDS[item.status]}. ${escapeMarkdown(item.reason)}`,
    );
  }
  out.push('');

  for (const task of data.tasks) out.push(taskSection(task));

  out.push('## Merged ≡ adapter', '');
  const merged = data.mergedCheck;
  out.push(
    merged
      ? `${merged.pass ? 'Pass' : 'Fail'}: max |Δlogit| = ${format.scientific(merged.maxAbsDiff)}, atol = ${format.scientific(merged.atol)}, ` +
          `rtol = ${format.scientific(merged.rtol)}${merged.dtype ? `, ${escapeMarkdown(merged.dtype)}` : ''}` +
          `${merged.samples === undefined ? '' : `, ${merged.samples} sample inputs`}.`
      : 'Not run.',
    '',
  );

  out.push('## Regression check on other tasks', '');
  out.push((data.regressions ?? []).length > 0 ? table(regressionTable(data)) : 'Not run.', '');

  out.push('## Adapter loading', '');
  const loading = data.adapterLoading;
  out.push(
    loading?.tested
      ? `${loading.pass === false ? 'Failed' : 'Tested'}: ${escapeMarkdown(loading.what)}`
      : 'Not tested.',
    '',
  );

  out.push('## Loss curves', '');
  const summary = lossSummary(data);
  out.push(
    summary.length > 0
      ? summary.map((line) => `- ${escapeMarkdown(line)}`).join('\n')
      : 'No metrics.jsonl given.',
    '',
  );
  return out.join('\n');
}
