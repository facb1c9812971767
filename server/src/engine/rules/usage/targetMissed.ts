import { aboveShare } from '../../budget/share';
import { formatPercent, formatQuantityForResource } from '../../quantity';
import type { TargetSpec } from '../../plan/types';
import { formatMilliPercent, stateLabel } from '../budget/stateText';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

const LISTED = 5;

export const usageTargetMissed: Rule<PlanContext> = {
  code: 'usage/target-missed',
  defaultSeverity: 'warning',
  where: 'plan: the target',
  description:
    "A phase's usage target (cpuUsage, memoryUsage: at most) is not met by the state's predicted usage (observed p95 per pod × pods), or cannot be confirmed.",
  check({ plan, analysis, usage, usageError }, addFinding) {
    analysis.states.forEach((state, index) => {
      for (const target of state.phase?.targets ?? []) {
        if (target.metric !== 'cpuUsage' && target.metric !== 'memoryUsage') continue;
        const label = `${stateLabel(state)}: ${target.metric === 'cpuUsage' ? 'CPU usage' : 'memory usage'}`;
        if (!plan.usage) {
          addFinding({
            message: `${label} target ${target.raw} needs observed usage: name a usage snapshot in spec.usage (consolidate usage writes one).`,
            location: target.location,
          });
          continue;
        }
        if (!usage || usageError) continue;
        const resource = target.metric === 'cpuUsage' ? 'cpu' : 'memory';
        const stateUsage = usage.states[index];
        const total = stateUsage.total[resource].p95;
        const unknown = stateUsage.unknown[resource];
        const unknownText = unknown.length
          ? ` (${unknown.length} workload${unknown.length === 1 ? '' : 's'} without usage data not counted: ${unknown
              .slice(0, LISTED)
              .map((w) => w.workload.name)
              .join(', ')}${unknown.length > LISTED ? ', ...' : ''})`
          : '';
        const over = overTarget(target, resource, total, plan.budget?.allocatable[resource]);
        if (over) addFinding({ message: `${label} ${over}${unknownText}.`, location: target.location });
        else if (unknown.length)
          addFinding({
            message: `${label} target ${target.raw} cannot be confirmed: the workloads with data use p95 ${formatQuantityForResource(resource, total)}${unknownText}.`,
            location: target.location,
          });
      }
    });
  },
};

function overTarget(
  target: TargetSpec,
  resource: 'cpu' | 'memory',
  total: number,
  budget: number | undefined,
): string | undefined {
  const shown = `p95 ${formatQuantityForResource(resource, total)}`;
  if (target.absolute !== undefined)
    return total > target.absolute
      ? `${shown}, target at most ${formatQuantityForResource(resource, target.absolute)}`
      : undefined;
  if (target.milliPercent === undefined) return undefined;
  if (!budget) return `target ${target.raw} is a share of budget.${resource}, which the plan does not set`;
  return aboveShare(total, budget, target.milliPercent)
    ? `${shown} = ${formatPercent(total, budget)} of budget ${formatQuantityForResource(resource, budget)}, target at most ${formatMilliPercent(target.milliPercent)}`
    : undefined;
}
