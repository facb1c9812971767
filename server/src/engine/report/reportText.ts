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
  const header = [
    'state',
    'workloads',
    'pods',
    'jobs',
    'cpu req',
    'cpu lim',
    'mem req',
    'mem lim',
    'no cpu lim',
    'no mem lim',
    'unschedulable',
  ];
  // One unit per memory column (`10,240Mi` beside `10,620Mi`, never `10Gi` beside it); the JSON has the bytes.
  const memoryRequests = formatAlike(
    'memory',
    report.states.map((s) => s.requests.memory ?? 0),
  );
  const memoryLimits = formatAlike(
    'memory',
    report.states.map((s) => s.limits.memory ?? 0),
  );
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
  const format = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push('', format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  const extended = new Set(
    report.states.flatMap((s) => Object.keys(s.requests).filter((k) => k !== 'cpu' && k !== 'memory')),
  );
  for (const name of extended) {
    lines.push(
      '',
      `${name} requests: ${report.states.map((s) => `${s.phase ?? 'current'} ${s.requests[name] ?? 0}`).join(', ')}`,
    );
  }
  lines.push(...usageTable(report, share));
  return lines.join('\n') + '\n';
}

/** Observed usage beside the requests, when the plan names a usage snapshot. */
function usageTable(report: PlanReport, share: (value: number, total: number | undefined) => string): string[] {
  const usage = report.usage;
  if (!usage) return [];
  const lines = [
    '',
    `Observed usage: ${usage.file}${usage.source ? ` (${usage.source}, ${usage.window ?? '?'} to ${usage.takenAt ?? '?'})` : ''}`,
  ];
  if (usage.error) return [...lines, `  not read: ${usage.error}`];
  const header = ['state', 'cpu req', 'cpu p95', 'cpu max', 'mem req', 'mem p95', 'mem max', 'no data'];
  const rows = report.states.map((s) => {
    const u = s.usage;
    const unknown = u ? new Set([...u.unknownCpu, ...u.unknownMemory]).size : 0;
    // A sum over no workload at all is not 0: every steady workload of the state is unknown.
    const steady = s.composition.filter((w) => w.steady).map((w) => w.name);
    const none = (names: string[]) => steady.length > 0 && steady.every((name) => names.includes(name));
    const cpu = u && !none(u.unknownCpu) ? u.cpu : undefined;
    const memory = u && !none(u.unknownMemory) ? u.memory : undefined;
    const missing = u ? 'unknown' : '-';
    return [
      s.phase ?? 'current',
      cpuColumn(s.requests.cpu ?? 0),
      cpu ? cpuColumn(cpu.p95) + share(cpu.p95, report.budget?.cpu) : missing,
      cpu ? cpuColumn(cpu.max) : missing,
      formatQuantityForResource('memory', s.requests.memory ?? 0),
      memory ? formatQuantityForResource('memory', memory.p95) + share(memory.p95, report.budget?.memory) : missing,
      memory ? formatQuantityForResource('memory', memory.max) : missing,
      String(unknown),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push('', format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  // Each state's workloads without data are named (a merge of an unknown workload is unknown too).
  const named = report.states.flatMap((s) => {
    const unknown = s.usage ? [...new Set([...s.usage.unknownCpu, ...s.usage.unknownMemory])] : [];
    return unknown.length ? [`${s.phase === null ? 'current' : `after ${s.phase}`}: ${unknown.join(', ')}`] : [];
  });
  if (named.length) lines.push('', 'No usage data (unknown, left out of the sums):', ...named.map((n) => `  ${n}`));
  return lines;
}

/** CPU in a column: always millicores with separators (`6,000m`, `7,500m`), like memory's `8,448Mi`, so rows compare at a glance. */
function cpuColumn(millicores: number): string {
  return `${groupThousands(millicores)}m`;
}
