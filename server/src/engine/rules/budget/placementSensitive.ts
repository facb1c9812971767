import { STRATEGIES } from '../../budget/schedule';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { STRATEGY_NAMES, pods } from './placementText';
import { stateLabel, stateLocation } from './stateText';

export const placementSensitive: Rule<PlanContext> = {
  code: 'budget/placement-sensitive',
  defaultSeverity: 'warning',
  where: "plan: `budget` or the phase's `name`",
  description:
    'Some placement strategy places every pod and another does not: pods may stay Pending depending on the order they arrive in.',
  check({ plan, analysis }, addFinding) {
    for (const state of analysis.states) {
      const result = state.schedule;
      if (!result || result.unschedulableCount > 0) continue;
      const failing = STRATEGIES.filter((s) => result.byStrategy[s].unschedulableCount > 0);
      if (failing.length === 0) continue;
      const placing = STRATEGIES.filter((s) => result.byStrategy[s].unschedulableCount === 0);
      const failed = failing.map((s) => {
        const r = result.byStrategy[s];
        return `${STRATEGY_NAMES[s]} leaves ${pods(r.unschedulableCount)} Pending (${r.unschedulable[0].name} first)`;
      });
      addFinding({
        message: `${stateLabel(state)}: ${placing.map((s) => STRATEGY_NAMES[s]).join(' and ')} place${placing.length === 1 ? 's' : ''} every pod, but ${failed.join(' and ')}: the scheduler may leave pods Pending depending on the order they arrive in; leave more room on the nodes.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
