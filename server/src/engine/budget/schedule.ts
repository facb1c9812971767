import type { NodePool } from '../plan/types';
import type { ResourceList } from '../model/resources';

/** Identical pods of one workload, placed together (the result is the same as one by one). */
export interface PodGroup {
  workload: string;
  count: number;
  requests: ResourceList;
}

export interface UnschedulablePods {
  workload: string;
  /** How many of the workload's pods fit nowhere. */
  count: number;
  /** The first of them, e.g. `api#3`. */
  name: string;
  requests: ResourceList;
}

export interface NodeRoom {
  node: string;
  free: ResourceList;
  freePods: number;
}

export interface ScheduleResult {
  unschedulable: UnschedulablePods[];
  unschedulableCount: number;
  /** What is left on each node after placing everything that fits. */
  nodes: NodeRoom[];
}

/** Node names from pools: `pool-a-1`, `pool-a-2`, ... in the listed order. */
export function expandNodes(pools: NodePool[]): NodeRoom[] {
  return pools.flatMap((pool) =>
    Array.from({ length: pool.count }, (_, i) => ({
      node: pool.count === 1 ? pool.name : `${pool.name}-${i + 1}`,
      free: { ...pool.allocatable },
      freePods: pool.pods,
    })),
  );
}

/**
 * First-fit decreasing, a deterministic stand-in for the scheduler: DaemonSet pods first, one on each
 * node; then the other pods, largest memory request first (ties: larger CPU, then name), each on the
 * first node in the listed order with room for every requested resource and a pod slot. The pods of
 * one workload are identical and adjacent in that order, so they are placed a node at a time.
 */
export function schedule(pools: NodePool[], daemons: Omit<PodGroup, 'count'>[], groups: PodGroup[]): ScheduleResult {
  const nodes = expandNodes(pools);
  const unschedulable: UnschedulablePods[] = [];
  for (const daemon of daemons) {
    const missed = nodes.filter((node) => !placeMany(node, daemon.requests, 1));
    if (missed.length > 0) unschedulable.push({ workload: daemon.workload, count: missed.length, name: `${daemon.workload}@${missed[0].node}`, requests: daemon.requests });
  }
  const ordered = [...groups].sort(
    (a, b) =>
      (b.requests.memory ?? 0) - (a.requests.memory ?? 0) ||
      (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0) ||
      (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0),
  );
  for (const group of ordered) {
    let placed = 0;
    for (const node of nodes) {
      if (placed === group.count) break;
      placed += placeMany(node, group.requests, group.count - placed);
    }
    if (placed < group.count) {
      unschedulable.push({ workload: group.workload, count: group.count - placed, name: `${group.workload}#${placed + 1}`, requests: group.requests });
    }
  }
  return { unschedulable, unschedulableCount: unschedulable.reduce((n, u) => n + u.count, 0), nodes };
}

/** Places up to `wanted` identical pods on a node; returns how many fit. */
function placeMany(node: NodeRoom, requests: ResourceList, wanted: number): number {
  let fit = Math.min(wanted, node.freePods);
  for (const [name, value] of Object.entries(requests)) {
    if (value > 0) fit = Math.min(fit, Math.floor((node.free[name] ?? 0) / value));
  }
  if (fit <= 0) return 0;
  node.freePods -= fit;
  for (const [name, value] of Object.entries(requests)) node.free[name] = (node.free[name] ?? 0) - value * fit;
  return fit;
}
