import { formatAlike, formatPercent, formatQuantityForResource } from '../../quantity';
import type { SourceLocation } from '../../model/location';
import type { PlanState } from '../../budget/states';
import type { PlanModel } from '../../plan/types';
import type { RelatedLocation } from '../types';

/** "current state" or "after phase quick-wins". */
export function stateLabel(state: PlanState): string {
  return state.phase ? `after phase ${state.phase.name}` : 'current state';
}

/** Current-state findings go on `spec.budget`, a phase's on that phase's name. */
export function stateLocation(plan: PlanModel, state: PlanState): SourceLocation {
  return state.phase?.nameLocation ?? plan.budget?.location ?? plan.location;
}

/** `15,238Mi = 186% of budget 8,192Mi`: the amount and the budget in one unit. */
export function amountOfBudget(resource: string, amount: number, budget: number): string {
  const [shownAmount, shownBudget] = formatAlike(resource, [amount, budget]);
  return `${shownAmount} = ${formatPercent(amount, budget)} of budget ${shownBudget}`;
}

export function formatMilliPercent(milliPercent: number): string {
  return `${milliPercent / 1000}%`;
}

/** The workloads that contribute most to a total, as related locations: where the numbers come from. */
export function largestContributors(state: PlanState, resource: string, kind: 'requests' | 'limits', count = 3): RelatedLocation[] {
  return state.workloads
    .filter((w) => w.workload.steady && (w.perPod[kind][resource] ?? 0) * w.pods > 0)
    .sort((a, b) => (b.perPod[kind][resource] ?? 0) * b.pods - (a.perPod[kind][resource] ?? 0) * a.pods)
    .slice(0, count)
    .map((w) => ({
      location: w.workload.nameLocation,
      message: `${w.workload.name}: ${w.pods} × ${formatQuantityForResource(resource, w.perPod[kind][resource] ?? 0)} ${resource} ${kind}`,
    }));
}

export function resourceLabel(resource: string): string {
  return resource === 'cpu' ? 'CPU' : resource;
}
