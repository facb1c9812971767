// The figures as a table (Markdown for pull requests, HTML beside the charts): one unit per column.
import type { PlanReport } from '../report';
import { budgetMetrics, stateName, type Metric, type UsageMark } from './figures';
import { targetText, targetVerdict } from './budgetChart';
import { columnUnit } from './units';

export interface Table {
  header: string[];
  /** Right-aligned columns (numbers). */
  numeric: boolean[];
  rows: string[][];
}

function cell(metric: Metric, index: number): string {
  const row = metric.rows[index];
  return `${metric.unit.format(row.value)}${row.share ? ` (${row.share})` : ''}${row.status !== 'ok' ? ' ⚠' : ''}`;
}

/** A usage cell: `1,120m (56%)`, `980m (49%) + no data: cart`, or `no data` (never 0). */
function usageCell(metric: Metric, usage: UsageMark | undefined): string {
  if (!usage || usage.value === null) return 'no data';
  return `${metric.unit.format(usage.value)}${usage.share ? ` (${usage.share})` : ''}${usage.unknown.length ? ` + no data: ${usage.unknown.join(', ')}` : ''}`;
}

/** The per-state table: workloads, pods, requests and limits with their share of the budget, extended resources, observed usage, targets. */
export function stateTable(report: PlanReport): Table {
  const metrics = budgetMetrics(report);
  const byId = new Map(metrics.map((m) => [m.id, m]));
  const shown = metrics.filter((m) => m.id !== 'workloads');
  // With a usage snapshot: the usage drawn on the CPU and memory requests bars, in the bars' unit.
  const usage = report.usage ? (['cpu.requests', 'memory.requests'].map((id) => byId.get(id)!) as Metric[]) : [];
  const usageHeader = usage.map((m) => {
    const stat = m.rows.find((r) => r.usage)?.usage?.stat ?? (m.resource === 'cpu' ? 'p95' : 'max');
    return `${m.resource === 'cpu' ? 'CPU' : 'Memory'} usage ${stat}${m.unit.unit ? ` (${m.unit.unit})` : ''}`;
  });
  const header = [
    'state',
    'workloads',
    'jobs',
    ...shown.map((m) => m.label + (m.unit.unit ? ` (${m.unit.unit})` : '')),
    ...usageHeader,
    'unschedulable',
    'targets',
  ];
  const rows = report.states.map((state, i) => {
    const targets = metrics.flatMap((m) =>
      m.rows[i].targets.map(
        (t) => `${t.met === null ? '?' : t.met ? '✓' : '✗'} ${m.label} ${targetText(t, m)}: ${targetVerdict(t)}`,
      ),
    );
    return [
      stateName(state),
      byId.get('workloads')!.unit.format(state.workloads),
      String(state.jobs),
      ...shown.map((m) => cell(m, i)),
      ...usage.map((m) => usageCell(m, m.rows[i].usage)),
      state.unschedulable === null ? '–' : String(state.unschedulable),
      targets.join('; ') || '–',
    ];
  });
  return { header, numeric: header.map((_, i) => i > 0 && i < header.length - 1), rows };
}

/** The budget line above the table: `cpu 4,000m · memory 8Gi · 110 pods · limits overcommit 150%`. */
export function budgetLine(report: PlanReport): string {
  const b = report.budget;
  if (!b) return 'No budget: numbers only.';
  const parts: string[] = [];
  if (b.cpu !== undefined) parts.push(`CPU ${columnUnit('cpu', [b.cpu]).format(b.cpu)}`);
  if (b.memory !== undefined) parts.push(`memory ${columnUnit('memory', [b.memory]).format(b.memory)}`);
  if (b.pods !== undefined) parts.push(`${b.pods} pods`);
  for (const [name, value] of Object.entries(b.extended))
    parts.push(`${name} ${columnUnit(name, [value]).format(value)}`);
  parts.push(`limits overcommit ${b.limitsOvercommitPercent}%`);
  return `Budget: ${parts.join(' · ')}`;
}
