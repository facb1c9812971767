import { aboveShare } from '../../budget/share';
import { formatAlike, formatPercent } from '../../quantity';
import type { TargetSpec } from '../../plan/types';
import type { PlanState } from '../../budget/states';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { amountOfBudget, formatMilliPercent, stateLabel } from './stateText';

const METRIC: Record<
  Exclude<TargetSpec['metric'], 'pods' | 'workloads' | 'cpuUsage' | 'memoryUsage'>,
  { resource: string; kind: 'requests' | 'limits'; label: string }
> = {
  cpuRequests: { resource: 'cpu', kind: 'requests', label: 'CPU requests' },
  memoryRequests: { resource: 'memory', kind: 'requests', label: 'memory requests' },
  cpuLimits: { resource: 'cpu', kind: 'limits', label: 'CPU limits' },
  memoryLimits: { resource: 'memory', kind: 'limits', label: 'memory limits' },
};

export const targetMissed: Rule<PlanContext> = {
  code: 'budget/target-missed',
  defaultSeverity: 'warning',
  where: 'plan: the target',
  description: "A phase's target (at most) is not met by the state after that phase.",
  check({ plan, analysis }, addFinding) {
    for (const state of analysis.states) {
      for (const target of state.phase?.targets ?? []) {
        const message = missed(target, state, plan.budget?.allocatable ?? {}, plan.budget?.pods);
        if (message) addFinding({ message: `${stateLabel(state)}: ${message}`, location: target.location });
      }
    }
  },
};

function missed(
  target: TargetSpec,
  state: PlanState,
  allocatable: Record<string, number>,
  budgetPods: number | undefined,
): string | undefined {
  // Usage targets are checked on the usage snapshot: usage/target-missed.
  if (target.metric === 'cpuUsage' || target.metric === 'memoryUsage') return undefined;
  if (target.metric === 'workloads') {
    const workloads = state.totals.workloads;
    return target.absolute !== undefined && workloads > target.absolute
      ? `${workloads} workloads, target at most ${target.absolute}.`
      : undefined;
  }
  if (target.metric === 'pods') {
    const pods = state.totals.pods;
    if (target.absolute !== undefined)
      return pods > target.absolute ? `${pods} pods, target at most ${target.absolute}.` : undefined;
    if (target.milliPercent === undefined) return undefined;
    if (budgetPods === undefined)
      return `pods target ${target.raw} is a share of budget.pods, which the plan does not set.`;
    return aboveShare(pods, budgetPods, target.milliPercent)
      ? `${pods} pods = ${formatPercent(pods, budgetPods)} of budget ${budgetPods}, target at most ${formatMilliPercent(target.milliPercent)}.`
      : undefined;
  }
  const { resource, kind, label } = METRIC[target.metric];
  const total = state.totals[kind][resource] ?? 0;
  if (target.absolute !== undefined) {
    // One unit on both sides: `9,680m, target at most 9,000m`, not `9680m, target at most 9`.
    const [shown, limit] = formatAlike(resource, [total, target.absolute]);
    return total > target.absolute ? `${label} ${shown}, target at most ${limit}.` : undefined;
  }
  if (target.milliPercent === undefined) return undefined;
  const budget = allocatable[resource];
  if (!budget) return `${label} target ${target.raw} is a share of budget.${resource}, which the plan does not set.`;
  return aboveShare(total, budget, target.milliPercent)
    ? `${label} ${amountOfBudget(resource, total, budget)}, target at most ${formatMilliPercent(target.milliPercent)}.`
    : undefined;
}
