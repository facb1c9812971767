import { formatAlike, formatPercent, formatQuantityForResource, groupThousands } from '../quantity';
import type { PlanReport } from './report';

/** A table a person would paste into a review. */
export function formatReportText(report: PlanReport): string {
  const budget = report.budget;
  const lines = [`Plan ${report.name ?? '(unnamed)'} (${report.plan})`];
  if (budget) {
    const parts = [
      budget.cpu !== undefined ? `cpu ${formatQuantityForResource('cpu', budget.cpu)}` : '',
      budget.memory !== undefined ? `memory ${formatQuantityForResource('memory', budget.memory)}` : '',
      budget.pods !== undefined ? `${budget.pods} pods` : '',
      ...Object.entries(budget.extended).map(([k, v]) => `${k} ${v}`),
    ].filter(Boolean);
    lines.push(`Budget: ${parts.join(', ')}`);
  } else {
    lines.push('Budget: none (numbers only, no budget findings)');
  }
  const share = (value: number, total: number | undefined) => (total ? ` (${formatPercent(value, total)})` : '');
  const header = ['state', 'workloads', 'pods', 'jobs', 'cpu req', 'cpu lim', 'mem req', 'mem lim', 'no cpu lim', 'no mem lim', 'unschedulable'];
  // One unit per memory column (`10,240Mi` beside `10,620Mi`, never `10Gi` beside it); the JSON has the bytes.
  const memoryRequests = formatAlike('memory', report.states.map((s) => s.requests.memory ?? 0));
  const memoryLimits = formatAlike('memory', report.states.map((s) => s.limits.memory ?? 0));
  const rows = report.states.map((s, index) => [
    s.phase ?? 'current',
    String(s.workloads),
    String(s.pods) + share(s.pods, budget?.pods),
    String(s.jobs),
    cpuColumn(s.requests.cpu ?? 0) + share(s.requests.cpu ?? 0, budget?.cpu),
    cpuColumn(s.limits.cpu ?? 0) + share(s.limits.cpu ?? 0, budget?.cpu),
    memoryRequests[index] + share(s.requests.memory ?? 0, budget?.memory),
    memoryLimits[index] + share(s.limits.memory ?? 0, budget?.memory),
    String(s.unlimitedContainers.cpu),
    String(s.unlimitedContainers.memory),
    s.unschedulable === null ? '-' : String(s.unschedulable),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  lines.push('', format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  const extended = new Set(report.states.flatMap((s) => Object.keys(s.requests).filter((k) => k !== 'cpu' && k !== 'memory')));
  for (const name of extended) {
    lines.push('', `${name} requests: ${report.states.map((s) => `${s.phase ?? 'current'} ${s.requests[name] ?? 0}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** CPU in a column: always millicores with separators (`6,000m`, `7,500m`), like memory's `8,448Mi`, so rows compare at a glance. */
function cpuColumn(millicores: number): string {
  return `${groupThousands(millicores)}m`;
}
