import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { stateLabel, stateLocation } from './stateText';

export const missingRequests: Rule<PlanContext> = {
  code: 'budget/missing-requests',
  defaultSeverity: 'information',
  where: "plan: `budget` or the phase's `name`",
  description: 'Some running containers request no CPU or memory: the totals are a lower bound.',
  check({ plan, analysis }, addFinding) {
    if (!plan.budget) return;
    for (const state of analysis.states) {
      const { cpu, memory } = state.totals.missingRequests;
      if (cpu === 0 && memory === 0) continue;
      const parts = [
        memory ? `${memory} without a memory request` : '',
        cpu ? `${cpu} without a CPU request` : '',
      ].filter(Boolean);
      addFinding({
        message: `${stateLabel(state)}: ${parts.join(' and ')} (containers × replicas); the request totals are a lower bound.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
