import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { stateLabel, stateLocation } from './stateText';

export const podsExceeded: Rule<PlanContext> = {
  code: 'budget/pods-exceeded',
  defaultSeverity: 'error',
  where: "plan: `budget` or the phase's `name`",
  description: 'More pods than budget.pods.',
  check({ plan, analysis }, addFinding) {
    const limit = plan.budget?.pods;
    if (limit === undefined) return;
    for (const state of analysis.states) {
      if (state.totals.pods <= limit) continue;
      addFinding({
        message: `${stateLabel(state)}: ${state.totals.pods} pods, budget ${limit} pods.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
