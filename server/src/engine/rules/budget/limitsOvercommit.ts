import { aboveShare } from '../../budget/share';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import {
  amountOfBudget,
  formatMilliPercent,
  largestContributors,
  resourceLabel,
  stateLabel,
  stateLocation,
} from './stateText';

export const limitsOvercommit: Rule<PlanContext> = {
  code: 'budget/limits-overcommit',
  defaultSeverity: 'warning',
  where: "plan: `budget` or the phase's `name`",
  description: 'Total limits are above the allowed share of the budget (budget.limitsOvercommit, default 100%).',
  check({ plan, analysis }, addFinding) {
    const budget = plan.budget;
    if (!budget) return;
    for (const state of analysis.states) {
      for (const resource of ['cpu', 'memory'] as const) {
        const allocatable = budget.allocatable[resource];
        const total = state.totals.limits[resource] ?? 0;
        if (!allocatable || !aboveShare(total, allocatable, budget.limitsOvercommitMilliPercent)) continue;
        const unlimited = state.totals.unlimitedContainers[resource];
        addFinding({
          message: `${stateLabel(state)}: ${resourceLabel(resource)} limits ${amountOfBudget(resource, total, allocatable)} (allowed ${formatMilliPercent(budget.limitsOvercommitMilliPercent)})${
            unlimited > 0
              ? `, and ${unlimited} container${unlimited === 1 ? ' has' : 's have'} no ${resource} limit`
              : ''
          }.`,
          location: stateLocation(plan, state),
          related: largestContributors(state, resource, 'limits'),
        });
      }
    }
  },
};
