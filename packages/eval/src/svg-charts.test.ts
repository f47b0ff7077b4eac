import { describe, expect, it } from 'vitest';
import { renderCostChart } from './svg-cost-chart.js';
import { escapeHtml } from './svg-escape.js';
import { placePointLabels, spreadVertically } from './svg-labels.js';
import { renderLossChart } from './svg-loss-chart.js';
import { linearScale, niceTicks, scoreDomain } from './svg-scale.js';
import { renderScoreChart } from './svg-score-chart.js';

/** Attributes of the first element matching `selector` (tag + class), as numbers where numeric. */
function attributes(svg: string, tag: string, className: string): Record<string, string> {
  const match = new RegExp(`<${tag} class="${className}"([^>]*)/?>`).exec(svg);
  if (!match) throw new Error(`no <${tag} class="${className}">`);
  return Object.fromEntries([...match[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

const SIZE = { width: 400, height: 300, margin: { top: 20, right: 100, bottom: 50, left: 60 } };

describe('renderScoreChart', () => {
  it('puts the error bar of 0.5 ± 0.1 on a 0–1 axis where the scale says', () => {
    const svg = renderScoreChart({
      metric: 'exact_match',
      runs: [{ label: 'r=8', score: 0.5, ci95: [0.4, 0.6] }],
      yDomain: [0, 1],
      size: SIZE,
    });
    // Plot height 300 − 20 − 50 = 230 from y = 20 (score 1) to y = 250 (score 0).
    const bar = attributes(svg, 'line', 'error-bar');
    expect(Number(bar['y1'])).toBeCloseTo(20 + 0.4 * 230, 2); // 0.6 → 112
    expect(Number(bar['y2'])).toBeCloseTo(20 + 0.6 * 230, 2); // 0.4 → 158
    // One category sits in the middle of the plot's width (60 … 300).
    expect(Number(bar['x1'])).toBeCloseTo(180, 2);
    const point = attributes(svg, 'circle', 'point');
    expect(Number(point['cy'])).toBeCloseTo(135, 2);
  });

  it('draws baseline, full fine-tune and threshold as reference lines', () => {
    const svg = renderScoreChart({
      metric: 'f1',
      runs: [{ label: 'r=8', score: 0.5, ci95: [0.4, 0.6] }],
      baseline: { score: 0.2, ci95: [0.15, 0.25] },
      full: { score: 0.8 },
      threshold: 0.7,
      yDomain: [0, 1],
      size: SIZE,
    });
    const at = (name: string): number =>
      Number(new RegExp(`data-name="${name}"[^>]*y1="([\\d.]+)"`).exec(svg)?.[1]);
    expect(at('baseline')).toBeCloseTo(20 + 0.8 * 230, 2);
    expect(at('full fine-tune')).toBeCloseTo(20 + 0.2 * 230, 2);
    expect(at('threshold')).toBeCloseTo(20 + 0.3 * 230, 2);
    expect(svg).toContain('>baseline 0.2<');
  });

  it('says "no data" for nothing, and skips NaN without writing NaN into the markup', () => {
    expect(renderScoreChart({ metric: 'f1', runs: [] })).toContain('>no data</text>');
    const svg = renderScoreChart({
      metric: 'f1',
      runs: [
        { label: 'r=4', score: Number.NaN, ci95: [Number.NaN, 0.5] },
        { label: 'r=8', score: 0.6, ci95: [0.5, 0.7] },
      ],
    });
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain('>n/a</text>');
  });
});

describe('renderCostChart and renderLossChart', () => {
  it('labels each point and escapes the labels', () => {
    const svg = renderCostChart({
      metric: 'f1',
      costUnit: 'relative',
      points: [
        { label: 'r=8', kind: 'lora', cost: 0.2, score: 0.8 },
        { label: 'r=16', kind: 'lora', cost: 0.21, score: 0.81 },
        { label: '<full>', kind: 'full', cost: 1, score: 0.85 },
      ],
    });
    expect(svg.match(/class="point-label"/g)).toHaveLength(3);
    expect(svg).toContain('&lt;full&gt;');
    expect(renderCostChart({ metric: 'f1', costUnit: 'usd', points: [] })).toContain('no data');
  });

  it('draws one point, breaks lines at NaN, and shows "no data" when empty', () => {
    expect(renderLossChart({ training: [], validation: [] })).toContain('>no data</text>');
    const one = renderLossChart({ training: [{ step: 1, loss: 2 }], validation: [] });
    expect(one).toMatch(/<circle class="point"/);
    expect(one).not.toMatch(/NaN|Infinity/);
    const gap = renderLossChart({
      training: [
        { step: 1, loss: 2 },
        { step: 2, loss: Number.NaN },
        { step: 3, loss: 1.5 },
        { step: 4, loss: 1.4 },
      ],
      validation: [{ step: 4, validation_loss: 1.6 }],
    });
    const path = /data-name="training loss" d="([^"]*)"/.exec(gap)?.[1] ?? '';
    expect(path.match(/M/g)).toHaveLength(2);
    expect(gap).toContain('validation loss');
  });
});

describe('chart helpers', () => {
  it('scales, ticks and fits domains', () => {
    const scale = linearScale([0, 1], [250, 20]);
    expect(scale(0.6)).toBeCloseTo(112, 9);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // span 0.6 / 5 = 0.12 rounds up to a step of 0.2
    expect(niceTicks(0.3, 0.9, 5)).toEqual([0.4, 0.6, 0.8]);
    // 5% padding gives [0.384, 0.956]; a step of 0.2 widens it to [0.2, 1], kept inside [0, 1].
    expect(scoreDomain([0.41, 0.93])).toEqual([0.2, 1]);
    expect(scoreDomain([Number.NaN])).toEqual([0, 1]);
    expect(scoreDomain([8, 12])).toEqual([7, 13]);
  });

  it('keeps labels apart', () => {
    expect(spreadVertically([100, 101, 300], 15, 0, 400)).toEqual([100, 115, 300]);
    expect(spreadVertically([395, 398], 15, 0, 400)).toEqual([385, 400]);
    const placed = placePointLabels(
      [
        { x: 100, y: 100, text: 'r=8' },
        { x: 102, y: 101, text: 'r=16' },
      ],
      { x: 0, y: 0, width: 400, height: 300 },
      13,
    );
    expect(placed[0]).not.toEqual(placed[1]);
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
