// `consolidate report --format html`: one self-contained page, no network (the CSP allows only its
// own inline style and script, by hash), that works offline as a CI artefact.
import { createHash } from 'node:crypto';
import type { PlanReport } from '../report';
import { PAGE_CSS, PAGE_SCRIPT, STANDALONE_THEME_CSS, renderPage, renderReportBody } from './page';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderStandaloneHtml(report: PlanReport): string {
  const css = STANDALONE_THEME_CSS + PAGE_CSS;
  return renderPage({
    title: `Budget: plan ${report.name ?? report.plan}`,
    csp: `default-src 'none'; style-src ${sha256(css)}; script-src ${sha256(PAGE_SCRIPT)}; img-src data:`,
    themeCss: STANDALONE_THEME_CSS,
    body: renderReportBody(report),
  });
}
