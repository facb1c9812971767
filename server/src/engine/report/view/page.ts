// The page the HTML report and the editor's view share: the budget chart, what each state is made
// of, the nodes, and the table, with one stylesheet over CSS variables (the standalone page sets
// them itself, the editor's view maps them to the theme's colours) and one small script.
import type { PlanReport } from '../report';
import { renderBudgetChart } from './budgetChart';
import { renderCompositions } from './compositionChart';
import { renderNodes } from './nodesChart';
import { budgetLine, stateTable } from './table';
import { el, esc } from './svg';

export const DEFAULT_COMPOSITION_METRIC = 'memory.requests';

/** The page's content (what `<main>` holds); redrawn in place by the editor's view on each edit. */
export function renderReportBody(report: PlanReport): string {
  const compositions = renderCompositions(report);
  const nodes = report.states.map((_, i) => renderNodes(report, i)).filter(Boolean);
  const table = stateTable(report);
  const tableHtml = el(
    'table',
    { class: 'figures' },
    el('caption', {}, 'The same figures as a table'),
    el('thead', {}, el('tr', {}, ...table.header.map((h) => el('th', { scope: 'col' }, esc(h))))),
    el(
      'tbody',
      {},
      ...table.rows.map((row) =>
        el(
          'tr',
          {},
          ...row.map((c, i) =>
            i === 0
              ? el('th', { scope: 'row' }, esc(c))
              : el('td', { class: table.numeric[i] ? 'num' : undefined }, esc(c)),
          ),
        ),
      ),
    ),
  );
  return [
    el(
      'header',
      {},
      el('h1', {}, esc(`Budget: plan ${report.name ?? '(unnamed)'}`)),
      el(
        'p',
        { class: 'muted' },
        el(
          'span',
          { 'data-file': report.plan, 'data-line': 0, class: 'link', tabindex: 0, role: 'link' },
          esc(report.plan),
        ),
        ' · ',
        esc(budgetLine(report)),
      ),
    ),
    el(
      'section',
      { id: 'budget', 'aria-labelledby': 'h-budget' },
      el('h2', { id: 'h-budget' }, 'Each state against the budget'),
      el(
        'p',
        { class: 'muted' },
        esc(
          'Bars: current state and after each phase. Solid line: the budget. Dashed line: the limits overcommit allowed. Triangles: phase targets (✓ met, ✗ missed).' +
            (report.usage
              ? ` Diamonds: observed usage from ${report.usage.file} (CPU p95, memory max, summed over the state's pods; a dashed line when some workloads have no data and are not counted).`
              : '') +
            ' Select a bar and press Enter to go to its phase.',
        ),
      ),
      el('figure', {}, renderBudgetChart(report)),
      tableHtml,
    ),
    el(
      'section',
      { id: 'composition', 'aria-labelledby': 'h-composition' },
      el('h2', { id: 'h-composition' }, 'What each state is made of'),
      el(
        'label',
        {},
        'Workloads by ',
        el(
          'select',
          { id: 'metric' },
          ...compositions.map(({ metric }) =>
            el(
              'option',
              { value: metric.id, selected: metric.id === DEFAULT_COMPOSITION_METRIC ? 'selected' : undefined },
              esc(metric.label),
            ),
          ),
        ),
      ),
      ...compositions.map(({ metric, svgs }) =>
        el(
          'div',
          {
            class: 'composition-set',
            'data-metric': metric.id,
            hidden: metric.id === DEFAULT_COMPOSITION_METRIC ? undefined : 'hidden',
          },
          ...svgs.map((svg) => el('figure', {}, svg)),
        ),
      ),
    ),
    nodes.length
      ? el(
          'section',
          { id: 'nodes', 'aria-labelledby': 'h-nodes' },
          el('h2', { id: 'h-nodes' }, 'Where the pods land (scheduling simulation)'),
          el(
            'p',
            { class: 'muted' },
            'Each node: used CPU and memory against its allocatable, free room and the pods placed on it (select a pod and press Enter to go to its workload); then the pods that fit nowhere.',
          ),
          ...nodes.map((svg) => el('figure', {}, svg)),
        )
      : '',
  ].join('\n');
}

/** Layout and colours by class, over variables each host sets (no inline style attributes: the CSP forbids them). */
export const PAGE_CSS = `
body{margin:0;padding:16px 24px;color:var(--fg);background:var(--bg);font:13px/1.45 var(--font,system-ui,sans-serif)}
h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:28px 0 6px}
.muted{color:var(--muted)}figure{margin:8px 0;overflow-x:auto}
svg.chart{display:block;max-width:none;font:12px var(--font,system-ui,sans-serif)}
svg.budget-chart,svg.composition{max-width:100%;height:auto}
svg text{fill:var(--fg)}svg .heading{font-weight:600}svg .line-label,svg .axis-label{fill:var(--muted);font-size:11px}
.bar.ok,.bar.part{fill:var(--bar)}.bar.merged{fill:var(--merged)}.bar.over,.bar.overcommitted{fill:var(--over)}
.value.over,.value.overcommitted,.verdict.missed,.missed{fill:var(--over)}.verdict.met{fill:var(--met)}
.target line{stroke-width:3}.target.met line{stroke:var(--met)}.target.met path{fill:var(--met)}.target.missed line{stroke:var(--over)}.target.missed path{fill:var(--over)}
.axis{stroke:var(--muted)}.budget-line{stroke:var(--fg);stroke-width:2}.overcommit-line{stroke:var(--overcommit);stroke-width:2;stroke-dasharray:6 4}
.capacity{fill:var(--capacity);stroke:var(--muted)}.bar.used{fill:var(--bar)}
.usage line{stroke:var(--fg);stroke-width:2}.usage path{fill:var(--usage);stroke:var(--fg);stroke-width:1.5}.usage.partial line{stroke-dasharray:3 2}svg .usage-label{fill:var(--muted);font-size:11px}
[data-file]{cursor:pointer}.link{text-decoration:underline}
.row:focus,.node:focus,.pod:focus,[data-file]:focus{outline:2px solid var(--focus);outline-offset:1px}
.row:focus rect.bar,.row:hover rect.bar{stroke:var(--focus);stroke-width:2}
table.figures{border-collapse:collapse;margin:12px 0}table.figures caption{text-align:left;color:var(--muted);padding:4px 0}
table.figures th,table.figures td{border:1px solid var(--border);padding:3px 8px;text-align:left}table.figures td.num{text-align:right;font-variant-numeric:tabular-nums}
select{color:var(--fg);background:var(--bg);border:1px solid var(--border);padding:2px 4px}
`;

/** The standalone page's colours: light, and dark when the reader's system is. */
export const STANDALONE_THEME_CSS = `
:root{--usage:#d4a72c;--fg:#1f2328;--bg:#ffffff;--muted:#59636e;--bar:#3572b0;--merged:#8250df;--over:#c9372c;--met:#1a7f37;--overcommit:#bc4c00;--capacity:#f6f8fa;--border:#d1d9e0;--focus:#0969da}
@media (prefers-color-scheme:dark){:root{--usage:#d29922;--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--bar:#4493f8;--merged:#ab7df8;--over:#f85149;--met:#3fb950;--overcommit:#db6d28;--capacity:#161b22;--border:#3d444d;--focus:#4493f8}}
`;

/** The editor's view: the theme's colours (light, dark and high contrast) from VS Code's CSS variables. */
export const VSCODE_THEME_CSS = `
:root{--usage:var(--vscode-charts-yellow);--fg:var(--vscode-foreground);--bg:var(--vscode-editor-background);--muted:var(--vscode-descriptionForeground);--bar:var(--vscode-charts-blue);--merged:var(--vscode-charts-purple);--over:var(--vscode-charts-red);--met:var(--vscode-charts-green);--overcommit:var(--vscode-charts-orange);--capacity:var(--vscode-editorWidget-background);--border:var(--vscode-panel-border,var(--vscode-widget-border,#8888));--focus:var(--vscode-focusBorder);--font:var(--vscode-font-family)}
body.vscode-high-contrast .bar,body.vscode-high-contrast-light .bar{stroke:var(--vscode-contrastBorder);stroke-width:1}
`;

/**
 * The page's script, the same in the HTML report and the editor's view: choose the metric of the
 * composition, keyboard navigation (arrows between bars, Enter to open), and in the editor, reveal
 * on click and redraw on update keeping the scroll position. Messages: see protocol/messages.ts.
 */
export const PAGE_SCRIPT = `(function () {
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  var state = (vscode && vscode.getState()) || {};
  function save(patch) { for (var k in patch) state[k] = patch[k]; if (vscode) vscode.setState(state); }
  function showMetric(id) {
    var sets = document.querySelectorAll('.composition-set');
    var known = false;
    sets.forEach(function (s) { if (s.getAttribute('data-metric') === id) known = true; });
    if (!known) return;
    sets.forEach(function (s) { s.hidden = s.getAttribute('data-metric') !== id; });
    var select = document.getElementById('metric');
    if (select) select.value = id;
  }
  function open(target) {
    var item = target && target.closest ? target.closest('[data-file]') : null;
    if (!item || !vscode) return;
    vscode.postMessage({ type: 'reveal', file: item.getAttribute('data-file'), line: Number(item.getAttribute('data-line')) || 0 });
  }
  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'metric') { showMetric(e.target.value); save({ metric: e.target.value }); }
  });
  document.addEventListener('click', function (e) { open(e.target); });
  document.addEventListener('keydown', function (e) {
    var item = document.activeElement;
    if (!item || !item.matches || !item.matches('[tabindex]')) return;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(item); return; }
    if (['ArrowDown', 'ArrowUp', 'ArrowRight', 'ArrowLeft', 'Home', 'End'].indexOf(e.key) === -1) return;
    var figure = item.closest('svg') || document.body;
    var items = Array.prototype.slice.call(figure.querySelectorAll('[tabindex]'));
    var i = items.indexOf(item);
    var next = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : e.key === 'ArrowDown' || e.key === 'ArrowRight' ? i + 1 : i - 1;
    if (next >= 0 && next < items.length) { e.preventDefault(); items[next].focus(); }
  });
  var scrollTimer;
  window.addEventListener('scroll', function () {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(function () { save({ scrollY: window.scrollY }); }, 100);
  });
  window.addEventListener('message', function (e) {
    var message = e.data;
    if (!message || message.type !== 'update') return;
    var y = window.scrollY;
    var main = document.querySelector('main');
    main.innerHTML = message.body;
    main.setAttribute('aria-busy', 'false');
    save({ planUri: message.planUri });
    if (state.metric) showMetric(state.metric);
    window.scrollTo(0, y);
  });
  if (state.metric) showMetric(state.metric);
  if (state.scrollY) window.scrollTo(0, state.scrollY);
  if (vscode) vscode.postMessage({ type: 'ready' });
})();`;

export interface PageOptions {
  title: string;
  /** The Content-Security-Policy. */
  csp: string;
  /** Theme variables: STANDALONE_THEME_CSS or VSCODE_THEME_CSS. */
  themeCss: string;
  /** Attribute for the inline style and script: ` nonce="..."` in the editor, empty for hashes. */
  nonceAttribute?: string;
  body: string;
}

export function renderPage(options: PageOptions): string {
  const nonce = options.nonceAttribute ?? '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(options.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(options.title)}</title>
<style${nonce}>${options.themeCss}${PAGE_CSS}</style>
</head>
<body>
<main>
${options.body}
</main>
<script${nonce}>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
