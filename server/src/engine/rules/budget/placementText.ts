import { formatResourceList, formatResourceListsAlike } from '../../report/formatResources';
import type { Strategy, StrategyResult, UnschedulablePods } from '../../budget/schedule';

export const STRATEGY_NAMES: Record<Strategy, string> = {
  firstFit: 'first fit',
  bestFit: 'best fit',
  leastAllocated: 'least allocated',
};

/** The largest unplaced pods first: memory, then CPU (the order they were placed in). */
export function largestUnplaced(result: StrategyResult): UnschedulablePods | undefined {
  return [...result.unschedulable].sort(
    (a, b) => (b.requests.memory ?? 0) - (a.requests.memory ?? 0) || (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0),
  )[0];
}

/**
 * `the largest, api#3, requests 1 cpu, 2Gi memory: <why>`. Only a pod that no empty node it may use can
 * take "fits on no node"; the others are told apart: no node it tolerates and matches, or no room left.
 */
export function describeUnplaced(pod: UnschedulablePods): string {
  // The pod's requests in the same unit per resource as the node it is compared with.
  const compared =
    pod.reason === 'too-big' ? pod.largestNode?.allocatable : pod.reason === 'no-room' ? pod.roomiest?.free : undefined;
  const requests = compared
    ? formatResourceListsAlike([pod.requests, compared], ['cpu', 'memory'])[0]
    : formatResourceList(pod.requests);
  return `the largest, ${pod.name}, requests ${requests}: ${whyUnplaced(pod)}`;
}

export function whyUnplaced(pod: UnschedulablePods): string {
  switch (pod.reason) {
    case 'unmatched':
      return `no node it tolerates and matches (${(pod.mismatches ?? []).map((m) => `${m.pool}: ${m.why}`).join('; ')})`;
    case 'too-big': {
      const node = pod.largestNode!;
      const excluded = pod.excluded?.length
        ? `; ${pod.excluded.map((m) => `${m.pool} could, but ${m.why}`).join('; ')}`
        : '';
      const allocatable = formatResourceListsAlike([pod.requests, node.allocatable], ['cpu', 'memory'])[1];
      return `it fits on no node${excluded ? ' it may use' : ''}, even empty (the largest it may use, ${node.node}, has ${allocatable} and ${node.pods} pod slot${node.pods === 1 ? '' : 's'}${excluded})`;
    }
    case 'no-room': {
      const rules = pod.podRules?.length ? ` or excluded by ${pod.podRules.join(' and ')}` : '';
      const room = pod.roomiest;
      return `every node it may use is full${rules}${
        room
          ? `; the most room left is ${formatResourceListsAlike([pod.requests, room.free], ['cpu', 'memory'])[1]} and ${room.freePods} pod slot${room.freePods === 1 ? '' : 's'} on ${room.node}`
          : ''
      }`;
    }
  }
}

export function pods(count: number): string {
  return `${count} pod${count === 1 ? '' : 's'}`;
}

/** `api (3), worker (1)`: the workloads of unplaced pods, at most `max` named. */
export function unplacedWorkloads(result: StrategyResult, max = 5): string {
  const counts = new Map<string, number>();
  for (const u of result.unschedulable) counts.set(u.workload, (counts.get(u.workload) ?? 0) + u.count);
  const named = [...counts].slice(0, max).map(([workload, count]) => `${workload} (${count})`);
  const more = counts.size - named.length;
  return named.join(', ') + (more > 0 ? ` and ${more} more workload${more === 1 ? '' : 's'}` : '');
}
