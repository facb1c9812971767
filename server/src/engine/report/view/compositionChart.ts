// What each state is made of: its workloads sorted by their share of one metric, largest first,
// so the top consumers and what a merge or removal frees stand out.
import type { PlanReport, WorkloadShare } from '../report';
import {
  USAGE_STAT,
  compositionMetrics,
  sortedComposition,
  stateName,
  usageStatLabel,
  workloadAmount,
  workloadUsage,
  type Metric,
} from './figures';
import { el, esc, px } from './svg';
import { columnUnit, sharePercent } from './units';
import { CHART_WIDTH, hitArea } from './budgetChart';

/** Workloads drawn per state; the rest are summed in one row. */
export const TOP_WORKLOADS = 12;
const BAR_WIDTH = 380;
const VALUE_LEFT = 392;
const ROW = 32;
const HEADER = 44;

export interface CompositionRow {
  label: string;
  value: number;
  workload?: WorkloadShare;
  /** How many workloads an `others` row sums. */
  others?: number;
}

/** The rows of one state's composition: the top workloads, then one row for the rest. */
export function compositionRows(
  report: PlanReport,
  index: number,
  metric: Pick<Metric, 'resource' | 'kind'>,
  top = TOP_WORKLOADS,
): CompositionRow[] {
  const sorted = sortedComposition(report.states[index], metric);
  const rows: CompositionRow[] = sorted
    .slice(0, top)
    .map((w) => ({ label: w.name, value: workloadAmount(w, metric), workload: w }));
  const rest = sorted.slice(top);
  if (rest.length > 0)
    rows.push({
      label: `${rest.length} more`,
      value: rest.reduce((n, w) => n + workloadAmount(w, metric), 0),
      others: rest.length,
    });
  return rows;
}

function workloadSentence(row: CompositionRow, metric: Metric, total: number, format: (v: number) => string): string {
  const what = row.workload
    ? `${row.workload.name} (${row.workload.kind}, ${row.workload.pods} pod${row.workload.pods === 1 ? '' : 's'}${row.workload.mergedFrom ? `, merged from ${row.workload.mergedFrom.join(', ')}` : ''})`
    : `${row.others} more workloads together`;
  const usage = row.workload ? workloadUsage(row.workload, metric) : undefined;
  const observed =
    usage === undefined
      ? ''
      : `, observed usage ${usageStatLabel(metric.resource, USAGE_STAT[metric.resource as 'cpu' | 'memory'])} ${usage === null ? 'no data' : format(usage)}`;
  return `${what}: ${metric.label} ${format(row.value)}, ${sharePercent(row.value, total)} of the state's total${observed}`;
}

/** A workload's observed usage on its bar (a diamond), or the words `usage: no data`. */
function workloadUsageMark(usage: number | null, x: number, y: number, format: (v: number) => string): string {
  const words = el(
    'text',
    { class: 'usage-label', x: BAR_WIDTH, y: px(y + 12), 'text-anchor': 'end' },
    esc(usage === null ? 'usage: no data' : `used ${format(usage)}`),
  );
  if (usage === null) return el('g', { class: 'usage no-data', 'data-usage': 'none' }, words);
  return el(
    'g',
    { class: 'usage', 'data-usage': usage },
    el('line', { x1: px(x), x2: px(x), y1: px(y + 14), y2: px(y + 30) }),
    el('path', { d: `M${px(x)} ${px(y + 16)}l5 6l-5 6l-5 -6z` }),
    words,
  );
}

/** One state's composition for one metric, as an SVG. */
export function renderComposition(report: PlanReport, index: number, metric: Metric): string {
  const state = report.states[index];
  const rows = compositionRows(report, index, metric);
  const total = metric.rows[index].value;
  const previous = index > 0 ? metric.rows[index - 1].value : undefined;
  const usages = rows.map((r) => (r.workload ? workloadUsage(r.workload, metric) : undefined));
  const known = usages.filter((u): u is number => typeof u === 'number');
  const unit = columnUnit(metric.resource, [...rows.map((r) => r.value), total, previous ?? 0, ...known]);
  // Scaled to the largest workload (or usage); the summed rest is capped at the full width (its number says how much).
  const max = Math.max(1, ...rows.filter((r) => r.workload).map((r) => r.value), ...known);
  const height = HEADER + Math.max(1, rows.length) * ROW + 4;
  const change =
    previous === undefined
      ? ''
      : previous >= total
        ? ` · frees ${unit.format(previous - total)} from the state before`
        : ` · adds ${unit.format(total - previous)} to the state before`;
  const subheading = `${metric.label} ${unit.format(total)}${change}`;
  const heading = `${stateName(state)} · ${subheading}`;
  const body = rows.map((row, i) => {
    const y = HEADER + i * ROW;
    const sentence = workloadSentence(row, metric, total, unit.format);
    const location = row.workload?.location;
    const usage = usages[i];
    return el(
      'g',
      {
        class: row.workload ? 'row workload' : 'row others',
        tabindex: 0,
        role: 'listitem',
        'aria-label': sentence,
        'data-file': location?.file,
        'data-line': location?.line,
        'data-workload': row.workload?.name,
      },
      el('title', {}, esc(sentence)),
      hitArea(y, ROW),
      el(
        'text',
        { class: 'label', x: 0, y: px(y + 12) },
        esc(row.workload?.mergedFrom ? `${row.label} (merged)` : row.label),
      ),
      el('rect', {
        class: row.workload?.mergedFrom ? 'bar merged' : 'bar part',
        x: 0,
        y: px(y + 16),
        width: px(Math.min(1, row.value / max) * BAR_WIDTH),
        height: 12,
        'data-value': row.value,
      }),
      el(
        'text',
        { class: 'value', x: VALUE_LEFT, y: px(y + 27), 'data-value': row.value },
        esc(`${unit.format(row.value)} (${sharePercent(row.value, total)})`),
      ),
      usage === undefined
        ? ''
        : workloadUsageMark(usage, usage === null ? 0 : (usage / max) * BAR_WIDTH, y, unit.format),
    );
  });
  if (rows.length === 0)
    body.push(el('text', { class: 'label', x: 0, y: HEADER + 14 }, 'No long-running workloads in this state.'));
  return el(
    'svg',
    {
      class: 'chart composition',
      role: 'list',
      'aria-label': `${heading}. Largest first.`,
      viewBox: `0 0 ${CHART_WIDTH} ${height}`,
      width: CHART_WIDTH,
      height,
      'data-state': stateName(state),
      'data-metric': metric.id,
      'data-total': total,
    },
    el('title', {}, esc(`${heading}. Largest first.`)),
    el('text', { class: 'heading', x: 0, y: 16 }, esc(stateName(state))),
    el('text', { class: 'label', x: 0, y: 32 }, esc(subheading)),
    ...body,
  );
}

/** Every state's composition for every metric; the page shows one metric at a time. */
export function renderCompositions(report: PlanReport): { metric: Metric; svgs: string[] }[] {
  return compositionMetrics(report).map((metric) => ({
    metric,
    svgs: report.states.map((_, i) => renderComposition(report, i, metric)),
  }));
}
