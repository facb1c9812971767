import { formatResourceListsAlike } from '../../report/formatResources';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { stateLabel, stateLocation } from './stateText';

export const unschedulable: Rule<PlanContext> = {
  code: 'budget/unschedulable',
  defaultSeverity: 'error',
  description: 'Pods that fit on no node of budget.nodes (first-fit decreasing simulation).',
  check({ plan, analysis }, report) {
    for (const state of analysis.states) {
      const result = state.schedule;
      if (!result || result.unschedulableCount === 0) continue;
      const largest = [...result.unschedulable].sort((a, b) => (b.requests.memory ?? 0) - (a.requests.memory ?? 0) || (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0))[0];
      const roomiest = [...result.nodes].sort((a, b) => (b.free.memory ?? 0) - (a.free.memory ?? 0) || (b.free.cpu ?? 0) - (a.free.cpu ?? 0))[0];
      const count = result.unschedulableCount;
      // The pod's requests and the node's room side by side, each resource in one unit.
      const [requests, room] = formatResourceListsAlike([largest.requests, roomiest?.free ?? {}], ['cpu', 'memory']);
      report({
        message: `${stateLabel(state)}: ${count} pod${count === 1 ? ' fits' : 's fit'} on no node; the largest, ${largest.name}, requests ${requests}${
          roomiest ? `; the most room left is ${room} and ${roomiest.freePods} pod slots on ${roomiest.node}` : ''
        }.`,
        location: stateLocation(plan, state),
      });
    }
  },
};
