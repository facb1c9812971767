import { formatPercent, formatQuantityForResource } from '../../quantity';
import type { SourceLocation } from '../../model/location';
import type { PlanState, StateWorkload } from '../../budget/states';
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

/** `15,238Mi = 186% of budget 8Gi` */
export function amountOfBudget(resource: string, amount: number, budget: number): string {
  return `${formatQuantityForResource(resource, amount)} = ${formatPercent(amount, budget)} of budget ${formatQuantityForResource(resource, budget)}`;
}

/** Is `amount` strictly above `milliPercent` thousandths of a percent of `budget`? Exact, in BigInt. */
export function aboveShare(amount: number, budget: number, milliPercent: number): boolean {
  return BigInt(amount) * 100_000n > BigInt(budget) * BigInt(milliPercent);
}

export function formatMilliPercent(milliPercent: number): string {
  return `${milliPercent / 1000}%`;
}

/** The workloads that contribute most to a total, as related locations: where the numbers come from. */
export function largestContributors(state: PlanState, resource: string, kind: 'requests' | 'limits', count = 3): RelatedLocation[] {
  // The `count` largest in one pass (ties keep the workloads' order, as a stable sort would): a state of
  // a large workspace has thousands of workloads, and this runs for every state, resource and kind.
  const amount = (w: StateWorkload) => (w.perPod[kind][resource] ?? 0) * w.pods;
  const top: StateWorkload[] = [];
  for (const w of state.workloads) {
    if (!w.workload.steady) continue;
    const value = amount(w);
    if (!(value > 0)) continue;
    if (top.length === count && value <= amount(top[count - 1])) continue;
    let at = top.length;
    while (at > 0 && amount(top[at - 1]) < value) at--;
    top.splice(at, 0, w);
    if (top.length > count) top.pop();
  }
  return top.map((w) => ({
    location: w.workload.nameLocation,
    message: `${w.workload.name}: ${w.pods} × ${formatQuantityForResource(resource, w.perPod[kind][resource] ?? 0)} ${resource} ${kind}`,
  }));
}

export function resourceLabel(resource: string): string {
  return resource === 'cpu' ? 'CPU' : resource;
}
