import type { PlanState, StateWorkload } from '../budget/states';
import type { StateUsage, UsageAnalysis, WorkloadUsageInState } from './stateUsage';

/** The usage of a state of the plan's analysis (same object), when the plan has a snapshot. */
export function usageOfState(usage: UsageAnalysis | undefined, state: PlanState): StateUsage | undefined {
  return usage?.states.find((s) => s.state === state);
}

/** The usage of a workload as it stands in some state. */
export function usageOfWorkload(
  usage: UsageAnalysis | undefined,
  entry: StateWorkload,
): WorkloadUsageInState | undefined {
  for (const state of usage?.states ?? []) {
    const found = state.workloads.find((w) => w.entry === entry);
    if (found) return found;
  }
  return undefined;
}
