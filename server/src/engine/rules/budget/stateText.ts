import { formatAlike, formatPercent, formatQuantityForResource } from '../../quantity';
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

/** `15,238Mi = 186% of budget 8,192Mi`: the amount and the budget in one unit. */
export function amountOfBudget(resource: string, amount: number, budget: number): string {
  const [shownAmount, shownBudget] = formatAlike(resource, [amount, budget]);
  return `${shownAmount} = ${formatPercent(amount, budget)} of budget ${shownBudget}`;
}

export function formatMilliPercent(milliPercent: number): string {
  return `${milliPercent / 1000}%`;
}

/** The workloads that contribute most to a total, as related locations: where the numbers come from. */
export function largestContributors(
  state: PlanState,
  resource: string,
  kind: 'requests' | 'limits',
  count = 3,
): RelatedLocation[] {
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
