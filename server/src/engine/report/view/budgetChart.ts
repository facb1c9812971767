// The budget chart: for each metric, one bar per state against the budget, with the limits
// overcommit line and the phase targets marked met or missed. Plain SVG, classes for colours.
import type { PlanReport, ReportLocation, TargetReport } from '../report';
import { budgetMetrics, usageStatLabel, type Metric, type MetricRow, type UsageMark } from './figures';
import { el, esc, px } from './svg';

// Narrow enough for a view beside the plan: each state's name above its bar, the value to its right.
export const CHART_WIDTH = 620;
const BAR_LEFT = 0;
const BAR_WIDTH = 380;
const VALUE_LEFT = 392;
const ROW = 36;
const HEADER = 40;
const GAP = 20;

/** `target at most 80%` / `target at most 25`: the target as written (a share's amount is where its mark is drawn). */
export function targetText(target: TargetReport, _metric?: Metric): string {
  return `target at most ${target.raw}`;
}

export function targetVerdict(target: TargetReport): string {
  return target.met === null ? 'cannot be judged (no budget for it)' : target.met ? 'met' : 'missed';
}

/** The sentence a screen reader reads for one bar. */
export function rowSentence(metric: Metric, row: MetricRow): string {
  const parts = [`${row.state}: ${metric.label} ${metric.unit.format(row.value)}`];
  if (metric.budget !== undefined) parts.push(`${row.share} of budget ${metric.unit.format(metric.budget)}`);
  if (metric.overcommit && row.status === 'overcommitted')
    parts.push(`above the ${metric.overcommit.percent}% limits overcommit`);
  else if (row.status === 'over') parts.push('over budget');
  for (const target of row.targets) parts.push(`${targetText(target, metric)}: ${targetVerdict(target)}`);
  if (row.usage) parts.push(usageSentence(metric, row.usage));
  return parts.join(', ');
}

/** `observed usage CPU p95 1,120m (56% of budget), not counting cart (no data)` / `observed usage CPU p95: no data`. */
export function usageSentence(metric: Pick<Metric, 'resource' | 'unit' | 'budget'>, usage: UsageMark): string {
  const what = `observed usage ${usageStatLabel(metric.resource, usage.stat)}`;
  if (usage.value === null) return `${what}: no data${usage.unknown.length ? ` for ${usage.unknown.join(', ')}` : ''}`;
  const share = usage.share ? ` (${usage.share} of budget ${metric.unit.format(metric.budget!)})` : '';
  return `${what} ${metric.unit.format(usage.value)}${share}${usage.unknown.length ? `, not counting ${usage.unknown.join(', ')} (no data)` : ''}`;
}

/** The short text above the bar: `used p95 1,120m` (`+ no data: cart`), or `usage: no data`. */
export function usageText(metric: Pick<Metric, 'unit'>, usage: UsageMark): string {
  if (usage.value === null) return 'usage: no data';
  const unknown = usage.unknown.length > 2 ? `${usage.unknown.length} workloads` : usage.unknown.join(', ');
  return `used ${usage.stat} ${metric.unit.format(usage.value)}${unknown ? ` + no data: ${unknown}` : ''}`;
}

/**
 * The usage mark on a requests bar: a diamond on a line across the bar at the usage (the line dashed
 * when some workloads have no data: at least this much), or only the words `usage: no data`.
 */
function usageMark(metric: Metric, row: MetricRow, usage: UsageMark, x: (v: number) => number, y: number): string {
  const attributes = {
    'data-metric': metric.id,
    'data-state': row.state,
    'data-stat': usage.stat,
    'data-usage': usage.value === null ? 'none' : usage.value,
    'data-unknown': usage.unknown.join(',') || undefined,
  };
  const title = el('title', {}, esc(usageSentence(metric, usage)));
  const words = el(
    'text',
    { class: 'usage-label', x: BAR_LEFT + BAR_WIDTH, y: px(y + 13), 'text-anchor': 'end' },
    esc(usageText(metric, usage)),
  );
  if (usage.value === null) return el('g', { class: 'usage no-data', ...attributes }, title, words);
  const ux = x(usage.value);
  return el(
    'g',
    { class: `usage${usage.unknown.length ? ' partial' : ''}`, ...attributes },
    title,
    el('line', { x1: px(ux), x2: px(ux), y1: px(y + 15), y2: px(y + 33) }),
    el('path', { d: `M${px(ux)} ${px(y + 18)}l5 6l-5 6l-5 -6z` }),
    words,
  );
}

/** The value column: `7,714Mi (94%)`. */
export function valueText(metric: Metric, row: MetricRow): string {
  return `${metric.unit.format(row.value)}${row.share ? ` (${row.share})` : ''}`;
}

export function metricHeading(metric: Metric): string {
  const parts = [metric.label];
  if (metric.budget !== undefined) parts.push(`budget ${metric.unit.format(metric.budget)}`);
  else if (metric.id !== 'workloads') parts.push('no budget set');
  if (metric.overcommit)
    parts.push(`limits overcommit ${metric.overcommit.percent}% = ${metric.unit.format(metric.overcommit.amount)}`);
  return parts.join(' · ');
}

/** A transparent rectangle over the whole row, so a click anywhere on it (not only on the bar or text) reaches the row. */
export function hitArea(y: number, height: number, width = CHART_WIDTH): string {
  return el('rect', { class: 'hit', x: 0, y: px(y), width, height, fill: 'transparent' });
}

function locationAttributes(location: ReportLocation | undefined): Record<string, string | number | undefined> {
  return location ? { 'data-file': location.file, 'data-line': location.line } : {};
}

/** A vertical line at `x` through every row's bar, not through the states' names above them. */
function acrossBars(x: number, rowsTop: number, rows: number): string {
  return Array.from(
    { length: rows },
    (_, i) => `M${px(x)} ${px(rowsTop + i * ROW + (i === 0 ? -6 : 14))}V${px(rowsTop + i * ROW + 34)}`,
  ).join('');
}

function metricHeight(metric: Metric): number {
  return HEADER + metric.rows.length * ROW;
}

function renderMetric(report: PlanReport, metric: Metric, top: number): string {
  const targetLimits = metric.rows.flatMap((r) => r.targets.map((t) => t.limit ?? 0));
  const usages = metric.rows.map((r) => r.usage?.value ?? 0);
  const max = Math.max(
    1,
    ...metric.rows.map((r) => r.value),
    metric.budget ?? 0,
    metric.overcommit?.amount ?? 0,
    ...targetLimits,
    ...usages,
  );
  const x = (value: number) => BAR_LEFT + (value / max) * BAR_WIDTH;
  const rowsTop = top + HEADER;
  const bottom = rowsTop + metric.rows.length * ROW;
  const parts: string[] = [el('text', { class: 'heading', x: 0, y: px(top + 18) }, esc(metricHeading(metric)))];
  parts.push(
    el('line', { class: 'axis', x1: BAR_LEFT + 0.5, x2: BAR_LEFT + 0.5, y1: px(rowsTop - 4), y2: px(bottom) }),
  );
  metric.rows.forEach((row, i) => {
    const y = rowsTop + i * ROW;
    const state = report.states[row.index];
    const sentence = rowSentence(metric, row);
    const bar = el('rect', {
      class: `bar ${row.status}`,
      x: BAR_LEFT,
      y: px(y + 17),
      width: px(Math.max(0, x(row.value) - BAR_LEFT)),
      height: 14,
      'data-metric': metric.id,
      'data-state': row.state,
      'data-value': row.value,
    });
    const marks = row.targets
      .filter((t) => t.limit !== null)
      .map((t) =>
        el(
          'g',
          { class: `target ${t.met ? 'met' : 'missed'}`, ...locationAttributes(t.location) },
          el('title', {}, esc(`${targetText(t, metric)}: ${targetVerdict(t)}`)),
          el('line', { x1: px(x(t.limit!)), x2: px(x(t.limit!)), y1: px(y + 12), y2: px(y + ROW - 2) }),
          el('path', { d: `M${px(x(t.limit!) - 5)} ${px(y + 12)}h10l-5 6z` }),
        ),
      );
    const verdicts = row.targets.map((t) => `${t.met === null ? '?' : t.met ? '✓' : '✗'} target ≤ ${t.raw}`).join('  ');
    parts.push(
      el(
        'g',
        { class: 'row', tabindex: 0, role: 'listitem', 'aria-label': sentence, ...locationAttributes(state.location) },
        el('title', {}, esc(sentence)),
        hitArea(y, ROW),
        el('text', { class: 'label', x: BAR_LEFT, y: px(y + 13) }, esc(row.state)),
        bar,
        ...marks,
        row.usage ? usageMark(metric, row, row.usage, x, y) : '',
        el(
          'text',
          { class: `value ${row.status}`, x: VALUE_LEFT, y: px(y + 29), 'data-value': row.value },
          esc(valueText(metric, row)),
          verdicts
            ? el(
                'tspan',
                { class: `verdict ${row.targets.every((t) => t.met) ? 'met' : 'missed'}`, dx: 8 },
                esc(verdicts),
              )
            : '',
        ),
      ),
    );
  });
  if (metric.budget !== undefined) {
    parts.push(
      el('path', { class: 'budget-line', fill: 'none', d: acrossBars(x(metric.budget), rowsTop, metric.rows.length) }),
    );
    parts.push(
      el(
        'text',
        { class: 'line-label', x: px(x(metric.budget)), y: px(rowsTop - 10), 'text-anchor': 'middle' },
        'budget',
      ),
    );
  }
  if (metric.overcommit) {
    const ox = x(metric.overcommit.amount);
    parts.push(el('path', { class: 'overcommit-line', fill: 'none', d: acrossBars(ox, rowsTop, metric.rows.length) }));
    parts.push(
      el(
        'text',
        { class: 'line-label', x: px(ox), y: px(rowsTop - 10), 'text-anchor': 'middle' },
        esc(`${metric.overcommit.percent}%`),
      ),
    );
  }
  const label = `${metricHeading(metric)}. ${metric.rows.map((r) => rowSentence(metric, r)).join('. ')}.`;
  return el('g', { class: 'metric', role: 'list', 'aria-label': label, 'data-metric': metric.id }, ...parts);
}

/** The whole budget chart as one SVG element (`consolidate report --format svg` prints it as a file). */
export function renderBudgetChart(report: PlanReport, options: { standalone?: boolean } = {}): string {
  const metrics = budgetMetrics(report);
  let top = 0;
  const groups: string[] = [];
  for (const metric of metrics) {
    groups.push(renderMetric(report, metric, top));
    top += metricHeight(metric) + GAP;
  }
  const height = Math.max(top - GAP, 1);
  const title = `Budget of plan ${report.name ?? report.plan}: each state against the budget`;
  const summary = metrics
    .map((m) => `${m.label}: ${m.rows.map((r) => `${r.state} ${valueText(m, r)}`).join(', ')}`)
    .join('. ');
  return el(
    'svg',
    {
      xmlns: options.standalone ? 'http://www.w3.org/2000/svg' : undefined,
      class: 'chart budget-chart',
      // A figure, not an img: its bars are focusable, labelled items a screen reader can reach.
      role: 'figure',
      'aria-labelledby': 'budget-title budget-desc',
      viewBox: `0 0 ${CHART_WIDTH} ${height}`,
      width: CHART_WIDTH,
      height,
    },
    el('title', { id: 'budget-title' }, esc(title)),
    el('desc', { id: 'budget-desc' }, esc(summary)),
    options.standalone ? el('style', {}, STANDALONE_SVG_STYLE) : '',
    ...groups,
  );
}

/** The SVG file's own colours (light, with a dark variant), the same classes the page styles. */
const STANDALONE_SVG_STYLE = `
svg{font:13px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#1f2328;background:#fff}
.heading{font-weight:600}.bar.ok{fill:#3572b0}.bar.over,.bar.overcommitted{fill:#c9372c}
.value.over,.value.overcommitted,.verdict.missed,.target.missed{fill:#c9372c}.verdict.met{fill:#1f7a3a}
.target line{stroke-width:3}.target.met line{stroke:#1f7a3a}.target.missed line{stroke:#c9372c}.target.met path{fill:#1f7a3a}
.axis{stroke:#8c959f}.budget-line{stroke:#1f2328;stroke-width:2}.overcommit-line{stroke:#bc4c00;stroke-width:2;stroke-dasharray:6 4}
.line-label{font-size:11px;fill:#57606a}
.usage line{stroke:#1f2328;stroke-width:2}.usage path{fill:#d4a72c;stroke:#1f2328;stroke-width:1.5}.usage.partial line{stroke-dasharray:3 2}.usage-label{font-size:11px;fill:#57606a}
@media (prefers-color-scheme:dark){svg{fill:#e6edf3;background:#0d1117}.bar.ok{fill:#4493f8}.budget-line{stroke:#e6edf3}.line-label{fill:#9198a1}.usage line,.usage path{stroke:#e6edf3}.usage-label{fill:#9198a1}}
`;
