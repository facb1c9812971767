import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { describeUnplaced, largestUnplaced, pods } from './placementText';
import { stateLabel, stateLocation } from './stateText';

export const unschedulable: Rule<PlanContext> = {
  code: 'budget/unschedulable',
  defaultSeverity: 'error',
  where: "plan: `budget` or the phase's `name`",
  description: 'Pods that no placement strategy (first fit, best fit, least allocated) can place on budget.nodes.',
  check({ plan, analysis }, addFinding) {
    for (const state of analysis.states) {
      const result = state.schedule;
      if (!result || result.unschedulableCount === 0) continue;
      const largest = largestUnplaced(result)!;
      const count = result.unschedulableCount;
      addFinding({
        message: `${stateLabel(state)}: ${pods(count)} cannot be placed by any strategy; ${describeUnplaced(largest)}.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
