import * as path from 'node:path';
import { formatPercent, formatQuantityForResource } from '../engine/quantity';
import type { PlanState, StateWorkload } from '../engine/budget/states';
import type { ResourceList } from '../engine/model/resources';
import { orderedResources } from '../engine/report/formatResources';
import type { BudgetSpec } from '../engine/plan/types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';

export function describeList(list: ResourceList): string {
  const names = orderedResources(Object.keys(list)).filter((k) => list[k] !== 0);
  return names.length ? names.map((k) => `${k} ${formatQuantityForResource(k, list[k])}`).join(', ') : 'none';
}

function times(list: ResourceList, n: number): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, v * n]));
}

/** Markdown describing a workload in a state: what one pod and all its pods take, and where it is defined. */
export function describeWorkload(workspace: ConsolidationWorkspace, entry: StateWorkload, planDir: string): string {
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
    `| requests | ${describeList(entry.perPod.requests)} | ${describeList(times(entry.perPod.requests, entry.pods))} |`,
    `| limits | ${describeList(entry.perPod.limits)} | ${describeList(times(entry.perPod.limits, entry.pods))} |`,
  ];
  const unlimited = entry.perPod.unlimited;
  if (unlimited.cpu || unlimited.memory) lines.push('', `Containers without a limit: cpu ${unlimited.cpu}, memory ${unlimited.memory} per pod.`);
  if (entry.merge) lines.push('', `Merged (${entry.merge.spec.strategy}) from ${entry.merge.sources.map((s) => s.name).join(', ')}.`);
  else if (where) lines.push('', `Defined in \`${path.relative(planDir, defined.file)}:${where.line + 1}\``);
  return lines.join('\n');
}

/** One line: `45 pods (23%) · CPU req 6 (38%) · mem req 20Gi (62%) · mem lim 24Gi (75%)` */
export function summarizeState(state: PlanState, budget: BudgetSpec | undefined): string {
  const t = state.totals;
  const share = (value: number, total: number | undefined) => (total ? ` (${formatPercent(value, total)})` : '');
  const parts = [
    `${t.pods} pods${share(t.pods, budget?.pods)}`,
    `CPU req ${formatQuantityForResource('cpu', t.requests.cpu ?? 0)}${share(t.requests.cpu ?? 0, budget?.allocatable.cpu)}`,
    `mem req ${formatQuantityForResource('memory', t.requests.memory ?? 0)}${share(t.requests.memory ?? 0, budget?.allocatable.memory)}`,
    `mem lim ${formatQuantityForResource('memory', t.limits.memory ?? 0)}${share(t.limits.memory ?? 0, budget?.allocatable.memory)}`,
  ];
  if (state.schedule) parts.push(`${state.schedule.unschedulableCount} unschedulable`);
  return parts.join(' · ');
}
