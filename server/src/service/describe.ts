import * as path from 'node:path';
import { formatAlike, formatPercent, formatQuantityForResource } from '../engine/quantity';
import type { PlanState, StateWorkload } from '../engine/budget/states';
import { composeRunModeOf } from '../engine/manifests/compose';
import type { ResourceList } from '../engine/model/resources';
import { formatNamedResources, orderedResources } from '../engine/report/formatResources';
import type { BudgetSpec } from '../engine/plan/types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import type { StateUsage, WorkloadUsageInState } from '../engine/usage/stateUsage';
import type { UsageStats } from '../engine/usage/snapshot';

export function describeList(list: ResourceList): string {
  return formatNamedResources(Object.fromEntries(Object.entries(list).filter(([, amount]) => amount !== 0))) || 'none';
}

/** Per pod and total cells of one row, each resource in one unit across the two (`memory 512Mi` | `memory 1,024Mi`). */
function describeLists(perPod: ResourceList, total: ResourceList): string {
  const names = orderedResources(Object.keys(perPod)).filter((k) => perPod[k] !== 0);
  if (names.length === 0) return 'none | none';
  const shown = names.map((k) => ({ k, values: formatAlike(k, [perPod[k], total[k] ?? 0]) }));
  return [0, 1].map((i) => shown.map(({ k, values }) => `${k} ${values[i]}`).join(', ')).join(' | ');
}

function times(list: ResourceList, n: number): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, v * n]));
}

/** Markdown describing a workload in a state: what one pod and all its pods take, and where it is defined. */
export function describeWorkload(
  workspace: ConsolidationWorkspace,
  entry: StateWorkload,
  planDir: string,
  usage?: WorkloadUsageInState | null,
): string {
  const w = entry.workload;
  const defined = workspace.realLocation(w.nameLocation);
  const where = workspace.lineIndex(defined.file)?.positionAt(defined.range.start);
  const lines = [
    `**${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}**${w.steady ? '' : ' (job: not steady-state load)'}`,
    '',
    `${entry.pods} pod${entry.pods === 1 ? '' : 's'} × ${w.containers.length} container${w.containers.length === 1 ? '' : 's'} (${w.containers.map((c) => c.name).join(', ')})`,
    '',
    `| | per pod | total |`,
    `|---|---|---|`,
    `| requests | ${describeLists(entry.perPod.requests, times(entry.perPod.requests, entry.pods))} |`,
    `| limits | ${describeLists(entry.perPod.limits, times(entry.perPod.limits, entry.pods))} |`,
  ];
  // The one-shot rule of compose services, applied: say which way it went and why.
  const mode = w.origin === 'compose' ? composeRunModeOf(w) : undefined;
  if (mode) lines.push('', mode.steady ? `Runs steadily: ${mode.reason}.` : `Counted as a job because ${mode.reason}.`);
  // null: the plan has a usage snapshot and it has nothing for this workload (unknown, not zero).
  if (usage === null) lines.push('', 'Observed usage: no data in the snapshot (unknown, not zero).');
  if (usage) {
    const row = (label: string, pick: (s: UsageStats) => number) =>
      `| ${label} | ${usageCell(usage.perPod, pick, 1)} | ${usageCell(usage.perPod, pick, entry.pods)} |`;
    lines.push(
      row('usage p95', (s) => s.p95),
      row('usage max', (s) => s.max),
    );
    if (usage.missing.length)
      lines.push(
        '',
        `No usage data for container${usage.missing.length === 1 ? '' : 's'} ${usage.missing.join(', ')} (unknown, not zero).`,
      );
  }
  const unlimited = entry.perPod.unlimited;
  if (unlimited.cpu || unlimited.memory)
    lines.push('', `Containers without a limit: cpu ${unlimited.cpu}, memory ${unlimited.memory} per pod.`);
  if (entry.merge)
    lines.push('', `Merged (${entry.merge.spec.strategy}) from ${entry.merge.sources.map((s) => s.name).join(', ')}.`);
  else if (where) lines.push('', `Defined in \`${path.relative(planDir, defined.file)}:${where.line + 1}\``);
  return lines.join('\n');
}

function usageCell(
  perPod: { cpu?: UsageStats; memory?: UsageStats },
  pick: (s: UsageStats) => number,
  pods: number,
): string {
  const cpu = perPod.cpu ? `cpu ${formatQuantityForResource('cpu', pick(perPod.cpu) * pods)}` : 'cpu unknown';
  const memory = perPod.memory
    ? `memory ${formatQuantityForResource('memory', pick(perPod.memory) * pods)}`
    : 'memory unknown';
  return `${cpu}, ${memory}`;
}

/** One line: `45 pods (23%) · CPU req 6 (38%) · mem req 20Gi (62%) · mem lim 24Gi (75%)` */
export function summarizeState(state: PlanState, budget: BudgetSpec | undefined, usage?: StateUsage): string {
  const t = state.totals;
  const share = (value: number, total: number | undefined) => (total ? ` (${formatPercent(value, total)})` : '');
  const parts = [
    `${t.pods} pods${share(t.pods, budget?.pods)}`,
    `CPU req ${formatQuantityForResource('cpu', t.requests.cpu ?? 0)}${share(t.requests.cpu ?? 0, budget?.allocatable.cpu)}`,
    `mem req ${formatQuantityForResource('memory', t.requests.memory ?? 0)}${share(t.requests.memory ?? 0, budget?.allocatable.memory)}`,
    `mem lim ${formatQuantityForResource('memory', t.limits.memory ?? 0)}${share(t.limits.memory ?? 0, budget?.allocatable.memory)}`,
  ];
  if (usage) {
    parts.push(
      `CPU use p95 ${formatQuantityForResource('cpu', usage.total.cpu.p95)}${share(usage.total.cpu.p95, budget?.allocatable.cpu)}`,
    );
    parts.push(
      `mem use p95 ${formatQuantityForResource('memory', usage.total.memory.p95)}${share(usage.total.memory.p95, budget?.allocatable.memory)}`,
    );
    const unknown = new Set([...usage.unknown.cpu, ...usage.unknown.memory]).size;
    if (unknown) parts.push(`${unknown} without usage data`);
  }
  if (state.schedule) parts.push(`${state.schedule.unschedulableCount} unschedulable`);
  return parts.join(' · ');
}
