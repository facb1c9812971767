import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { pods, unplacedWorkloads } from './placementText';
import { stateLabel, stateLocation } from './stateText';

export const nodeLoss: Rule<PlanContext> = {
  code: 'budget/node-loss',
  defaultSeverity: 'error',
  where: "plan: `budget` or the phase's `name`",
  description: 'With budget.tolerateNodeLoss: N, pods that no strategy can place once the N largest nodes are gone.',
  check({ plan, analysis }, addFinding) {
    for (const state of analysis.states) {
      const loss = state.nodeLoss;
      if (!loss || !state.schedule) continue;
      // Pods already unplaceable with every node are budget/unschedulable's; report what the loss adds.
      const extra = loss.schedule.unschedulableCount - state.schedule.unschedulableCount;
      if (extra <= 0) continue;
      const count = loss.lost.length;
      addFinding({
        message: `${stateLabel(state)}: without the ${count === 1 ? 'largest node' : `${count} largest nodes`} (${loss.lost.join(', ')}), ${pods(loss.schedule.unschedulableCount)} would stay Pending${
          state.schedule.unschedulableCount > 0 ? ` (${extra} more than with every node)` : ''
        }: ${unplacedWorkloads(loss.schedule)}; tolerateNodeLoss is ${plan.budget?.tolerateNodeLoss}.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
