import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { amountOfBudget, largestContributors, resourceLabel, stateLabel, stateLocation } from './stateText';

export const requestsExceeded: Rule<PlanContext> = {
  code: 'budget/requests-exceeded',
  defaultSeverity: 'error',
  where: "plan: `budget` or the phase's `name`",
  description: 'Total requests of a resource are above what the cluster can give.',
  check({ plan, analysis }, addFinding) {
    const budget = plan.budget;
    if (!budget) return;
    for (const state of analysis.states) {
      for (const [resource, allocatable] of Object.entries(budget.allocatable)) {
        const total = state.totals.requests[resource] ?? 0;
        if (total <= allocatable) continue;
        addFinding({
          message: `${stateLabel(state)}: ${resourceLabel(resource)} requests ${amountOfBudget(resource, total, allocatable)}.`,
          location: stateLocation(plan, state),
          related: largestContributors(state, resource, 'requests'),
        });
      }
    }
  },
};
