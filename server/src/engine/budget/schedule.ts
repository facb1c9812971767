import type { NodePool } from '../plan/types';
import type { ResourceList } from '../model/resources';

export interface PodToPlace {
  /** Workload name and replica index, e.g. `api#2`. */
  name: string;
  workload: string;
  requests: ResourceList;
  daemon: boolean;
}

export interface NodeRoom {
  node: string;
  free: ResourceList;
  freePods: number;
}

export interface ScheduleResult {
  unschedulable: PodToPlace[];
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
 * first node in the listed order with room for every requested resource and a pod slot.
 */
export function schedule(pools: NodePool[], daemonPods: Omit<PodToPlace, 'name'>[], pods: PodToPlace[]): ScheduleResult {
  const nodes = expandNodes(pools);
  const unschedulable: PodToPlace[] = [];
  for (const daemon of daemonPods) {
    for (const node of nodes) {
      const pod = { ...daemon, name: `${daemon.workload}@${node.node}` };
      if (fits(node, pod.requests)) place(node, pod.requests);
      else unschedulable.push(pod);
    }
  }
  const ordered = [...pods].sort(
    (a, b) =>
      (b.requests.memory ?? 0) - (a.requests.memory ?? 0) ||
      (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  for (const pod of ordered) {
    const node = nodes.find((n) => fits(n, pod.requests));
    if (node) place(node, pod.requests);
    else unschedulable.push(pod);
  }
  return { unschedulable, nodes };
}

function fits(node: NodeRoom, requests: ResourceList): boolean {
  if (node.freePods < 1) return false;
  return Object.entries(requests).every(([name, value]) => value === 0 || (node.free[name] ?? 0) >= value);
}

function place(node: NodeRoom, requests: ResourceList): void {
  node.freePods -= 1;
  for (const [name, value] of Object.entries(requests)) node.free[name] = (node.free[name] ?? 0) - value;
}
