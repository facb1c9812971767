// The side bar's compact budget chart: for each metric with a budget, each state's share as a thin
// bar under the state's name, in a column narrow enough for the side bar.
import type { PlanReport } from '../report';
import { budgetMetrics } from './figures';
import { hitArea, rowSentence, valueText } from './budgetChart';
import { el, esc, px } from './svg';

export const COMPACT_WIDTH = 280;
const BAR_WIDTH = 200;
const ROW = 30;
const HEADER = 22;

export function renderCompactChart(report: PlanReport): string {
  const metrics = budgetMetrics(report).filter((m) => m.budget !== undefined);
  let top = 0;
  const groups: string[] = [];
  for (const metric of metrics) {
    const max = Math.max(
      1,
      metric.budget!,
      metric.overcommit?.amount ?? 0,
      ...metric.rows.map((r) => r.value),
      ...metric.rows.map((r) => r.usage?.value ?? 0),
    );
    const x = (v: number) => (v / max) * BAR_WIDTH;
    const rows = metric.rows.map((row, i) => {
      const y = top + HEADER + i * ROW;
      const state = report.states[row.index];
      const sentence = rowSentence(metric, row);
      return el(
        'g',
        {
          class: 'row',
          tabindex: 0,
          role: 'listitem',
          'aria-label': sentence,
          'data-file': state.location.file,
          'data-line': state.location.line,
        },
        el('title', {}, esc(sentence)),
        hitArea(y, ROW, COMPACT_WIDTH),
        el('text', { class: 'label', x: 0, y: px(y + 11) }, esc(row.state)),
        el('rect', {
          class: `bar ${row.status}`,
          x: 0,
          y: px(y + 15),
          width: px(x(row.value)),
          height: 8,
          'data-metric': metric.id,
          'data-state': row.state,
          'data-value': row.value,
        }),
        el(
          'text',
          { class: `value ${row.status}`, x: COMPACT_WIDTH, y: px(y + 23), 'text-anchor': 'end' },
          esc(row.share ?? valueText(metric, row)),
        ),
        // Observed usage (its figures are in the row's label): a diamond on the bar.
        row.usage && row.usage.value !== null
          ? el(
              'g',
              { class: `usage${row.usage.unknown.length ? ' partial' : ''}`, 'data-usage': row.usage.value },
              el('line', { x1: px(x(row.usage.value)), x2: px(x(row.usage.value)), y1: px(y + 13), y2: px(y + 25) }),
              el('path', { d: `M${px(x(row.usage.value))} ${px(y + 14)}l4 5l-4 5l-4 -5z` }),
            )
          : '',
      );
    });
    const bottom = top + HEADER + metric.rows.length * ROW;
    const lines = [
      el('line', {
        class: 'budget-line',
        x1: px(x(metric.budget!)),
        x2: px(x(metric.budget!)),
        y1: top + HEADER,
        y2: bottom,
      }),
    ];
    if (metric.overcommit)
      lines.push(
        el('line', {
          class: 'overcommit-line',
          x1: px(x(metric.overcommit.amount)),
          x2: px(x(metric.overcommit.amount)),
          y1: top + HEADER,
          y2: bottom,
        }),
      );
    groups.push(
      el(
        'g',
        { class: 'metric', role: 'list', 'aria-label': metric.label, 'data-metric': metric.id },
        el(
          'text',
          { class: 'heading', x: 0, y: top + 14 },
          esc(`${metric.label} · ${metric.unit.format(metric.budget!)}`),
        ),
        ...rows,
        ...lines,
      ),
    );
    top = bottom + 12;
  }
  const height = Math.max(top, 20);
  const title = `Budget of plan ${report.name ?? report.plan}: each state's share`;
  return el(
    'svg',
    {
      class: 'chart compact',
      role: 'figure',
      'aria-label': title,
      viewBox: `0 0 ${COMPACT_WIDTH} ${height}`,
      width: COMPACT_WIDTH,
      height,
    },
    el('title', {}, esc(title)),
    groups.length ? groups.join('') : el('text', { class: 'label', x: 0, y: 14 }, 'No budget in this plan.'),
  );
}
