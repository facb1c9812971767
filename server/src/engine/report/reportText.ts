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
  lines.push(...usageTable(report, share));
  return lines.join('\n') + '\n';
}

/** Observed usage beside the requests, when the plan names a usage snapshot. */
function usageTable(report: PlanReport, share: (value: number, total: number | undefined) => string): string[] {
  const usage = report.usage;
  if (!usage) return [];
  const lines = ['', `Observed usage: ${usage.file}${usage.source ? ` (${usage.source}, ${usage.window ?? '?'} to ${usage.takenAt ?? '?'})` : ''}`];
  if (usage.error) return [...lines, `  not read: ${usage.error}`];
  const header = ['state', 'cpu req', 'cpu p95', 'cpu max', 'mem req', 'mem p95', 'mem max', 'no data'];
  const rows = report.states.map((s) => {
    const u = s.usage;
    const unknown = u ? new Set([...u.unknownCpu, ...u.unknownMemory]).size : 0;
    return [
      s.phase ?? 'current',
      cpuColumn(s.requests.cpu ?? 0),
      u ? cpuColumn(u.cpu.p95) + share(u.cpu.p95, report.budget?.cpu) : '-',
      u ? cpuColumn(u.cpu.max) : '-',
      formatQuantityForResource('memory', s.requests.memory ?? 0),
      u ? formatQuantityForResource('memory', u.memory.p95) + share(u.memory.p95, report.budget?.memory) : '-',
      u ? formatQuantityForResource('memory', u.memory.max) : '-',
      String(unknown),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  lines.push('', format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  const unknown = report.states[0]?.usage ? [...new Set([...report.states[0].usage.unknownCpu, ...report.states[0].usage.unknownMemory])] : [];
  if (unknown.length) lines.push('', `No usage data (unknown, left out of the sums): ${unknown.join(', ')}`);
  return lines;
}

/** CPU in a column: always millicores with separators (`6,000m`, `7,500m`), like memory's `8,448Mi`, so rows compare at a glance. */
function cpuColumn(millicores: number): string {
  return `${groupThousands(millicores)}m`;
}
