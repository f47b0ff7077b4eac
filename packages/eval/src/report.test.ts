import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReportData } from './report-data.js';
import { exampleReportData } from './report-example.js';
import { renderReport } from './report.js';

/** Edge cases on one page: hostile names, a single rank, NaN, no full run, empty curves, a prior. */
function edgeReportData(): ReportData {
  return {
    title: 'Edge cases <b>',
    tasks: [
      {
        task: '<script>alert(1)</script> & "quotes"',
        metric: 'exact_match',
        threshold: { value: 0.9, statedBeforeRun: false },
        splits: { train: 100, validation: 0, test: 20 },
        runs: [{ method: 'lora', rank: 8, score: 0.5, ci95: [0.4, 0.6], testScore: 0.5 }],
      },
      {
        task: 'perplexity task',
        metric: 'perplexity',
        higherIsBetter: false,
        baseline: { score: 12.4, ci95: [11.9, 12.9] },
        runs: [
          { method: 'qlora', rank: 16, score: Number.NaN, ci95: [Number.NaN, Number.NaN] },
          {
            method: 'lora',
            rank: 4,
            score: 8.1,
            ci95: [7.7, 8.6],
            validationScore: 8.3,
            testScore: 8.1,
            projectedCostUsd: 3.2,
          },
        ],
      },
    ],
    lossCurves: { run: 'LoRA r=8', training: [], validation: [] },
    recommendation: { method: 'lora', rank: 16, basis: 'prior', why: 'decision guide: 90% → r=16' },
  };
}

const count = (text: string, pattern: string): number => text.split(pattern).length - 1;

describe('renderReport', () => {
  // LORAKIT_REPORT_EXAMPLE=/tmp/report.html writes the example pages, to look at them in a browser.
  it('writes the example pages when asked', () => {
    const target = process.env['LORAKIT_REPORT_EXAMPLE'];
    const report = renderReport(exampleReportData());
    if (target) {
      const stem = target.replace(/\.html$/, '');
      writeFileSync(target, report.html);
      writeFileSync(`${stem}.md`, report.markdown);
      writeFileSync(`${stem}-edge.html`, renderReport(edgeReportData()).html);
    }
    expect(report.html.startsWith('<!doctype html>')).toBe(true);
  });

  it('writes the runs table and checklist statuses in markdown', () => {
    const { markdown } = renderReport(exampleReportData());
    expect(markdown).toContain(
      '| Run | Score (95% CI) | Validation | Test | Quality vs full (95% CI) | Cost vs full | Train time | Size | Projected cost |',
    );
    expect(markdown).toContain('| Baseline | 0.412 [0.371, 0.455] |');
    expect(markdown).toContain(
      '| LoRA r=16 | 0.874 [0.845, 0.901] | 0.879 | 0.874 | 96.9% [94.1%, 99.5%] | 20% | 26 min | 84 MiB | $9.60 |',
    );
    expect(markdown).toContain(
      '| Full fine-tune | 0.902 [0.876, 0.927] | 0.906 | 0.902 | 100% | 100% | 1 h 30 min | 16.1 GiB | $48.00 |',
    );
    expect(markdown).toContain(
      '- ✓ **Quality threshold stated before the run**: pass. json\\_field\\_f1 ≥ 0.85, fixed before the first run',
    );
    expect(markdown).toContain(
      '- ✗ **No regression on other tasks**: fail. drop beyond its interval on gsm8k-200 0.41 → 0.335',
    );
    expect(markdown).toContain(
      '| gsm8k-200 | exact\\_match | 0.41 [0.343, 0.479] | 0.335 [0.271, 0.404] | [-0.125, -0.025] | 0.004 | DROP |',
    );
    expect(markdown).toContain('**LoRA r=16** (measured: decided by this study’s eval results)');
    expect(count(markdown, '- ✓ ')).toBe(7);
  });

  it('marks missing evidence as not run and wrong evidence as fail', () => {
    const { markdown } = renderReport(edgeReportData());
    expect(markdown).toContain('- ✗ **Quality threshold stated before the run**: fail.');
    expect(markdown).toContain('- ✗ **Train / validation / test split**: fail.');
    expect(markdown).toContain('no validation split');
    expect(markdown).toContain('- – **Merged model matches adapter model**: not run. merged-check not run');
    expect(markdown).toContain('- – **Adapter loading tested**: not run.');
    expect(markdown).toContain('(prior: from the decision guide, not a measurement of this task)');
    expect(markdown).toContain('| QLoRA r=16 | n/a [n/a, n/a] |');
    expect(markdown).not.toContain('NaN');
    // A task name cannot open a tag or break out of a table cell.
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('makes one self-contained HTML page with three charts', () => {
    const { html } = renderReport(exampleReportData());
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(count(html, '<svg')).toBe(3);
    expect(count(html, '<style>')).toBe(1);
    expect(html).toContain(
      '<span class="label">No regression on other tasks</span><span class="status">fail</span>',
    );
    expect(html).toContain('7 pass · 1 fail · 0 not run');
  });

  it('escapes hostile text and draws empty or NaN data without NaN coordinates', () => {
    const { html } = renderReport(edgeReportData());
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('<title>Edge cases &lt;b&gt;</title>');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    // Two tasks × two charts, plus the loss chart, which says it has no data.
    expect(count(html, '<svg')).toBe(5);
    expect(html).toMatch(/<title>Loss curves of LoRA r=8<\/title>.*?>no data<\/text>/s);
  });
});
