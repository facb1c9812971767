// `consolidate report --format markdown`: the same figures as the charts, for pull request comments.
import type { PlanReport } from '../report';
import { compositionMetrics, stateName, workloadUsage } from './figures';
import { compositionRows } from './compositionChart';
import { budgetLine, stateTable, type Table } from './table';
import { columnUnit, sharePercent } from './units';

function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(table: Table): string {
  const line = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [
    line(table.header),
    `|${table.numeric.map((n) => (n ? '---:' : ':---')).join('|')}|`,
    ...table.rows.map(line),
  ].join('\n');
}

/** A heading, the budget, the per-state table, and the largest workloads of the first and last state. */
export function formatReportMarkdown(report: PlanReport, top = 5): string {
  const out = [
    `### Budget: plan ${mdCell(report.name ?? '(unnamed)')} (\`${report.plan}\`)`,
    '',
    budgetLine(report),
    '',
    markdownTable(stateTable(report)),
  ];
  const memory = compositionMetrics(report).find((m) => m.id === 'memory.requests')!;
  const indexes = [...new Set([0, report.states.length - 1])];
  for (const index of indexes) {
    const rows = compositionRows(report, index, memory, top);
    if (rows.length === 0) continue;
    const total = memory.rows[index].value;
    // With a usage snapshot: each workload's observed memory max (no data, never 0, without it).
    const usage = report.usage
      ? rows.map((r) => (r.workload ? workloadUsage(r.workload, memory) : undefined))
      : undefined;
    const unit = columnUnit('memory', [
      ...rows.map((r) => r.value),
      total,
      ...(usage ?? []).filter((u): u is number => typeof u === 'number'),
    ]);
    out.push(
      '',
      `Largest memory requests, ${stateName(report.states[index])}:`,
      '',
      markdownTable({
        header: [
          'workload',
          'pods',
          `memory requests (${unit.unit})`,
          'share of state',
          ...(usage ? [`memory usage max (${unit.unit})`] : []),
        ],
        numeric: [false, true, true, true, ...(usage ? [true] : [])],
        rows: rows.map((r, i) => [
          r.workload
            ? r.label + (r.workload.mergedFrom ? ` (merged from ${r.workload.mergedFrom.join(', ')})` : '')
            : r.label,
          r.workload ? String(r.workload.pods) : '',
          unit.format(r.value),
          sharePercent(r.value, total),
          ...(usage
            ? [usage[i] === undefined ? '' : usage[i] === null ? 'no data' : unit.format(usage[i] as number)]
            : []),
        ]),
      }),
    );
  }
  return out.join('\n') + '\n';
}
