/**
 * The validation checklist report: one pure function from the study's data to a markdown document and a
 * self-contained HTML page. Writing the files is the caller's job (the CLI's `study --out`).
 */
import type { ReportData } from './report-data.js';
import { renderHtml } from './report-html.js';
import { renderMarkdown } from './report-markdown.js';

export interface RenderedReport {
  markdown: string;
  html: string;
}

export function renderReport(data: ReportData): RenderedReport {
  return { markdown: renderMarkdown(data), html: renderHtml(data) };
}
