import type { NodePool, NodeTaint } from '../plan/types';
import type { ResourceList } from '../model/resources';
import { HOSTNAME_LABEL, type AntiAffinityTerm, type PodScheduling } from '../model/scheduling';
import { matchesSelector, nodeMismatch, nodeRequirementMismatch, type NodeIdentity } from './nodeMatch';

/** The three placement strategies, in the order they are tried and reported. */
export type Strategy = 'firstFit' | 'bestFit' | 'leastAllocated';
export const STRATEGIES: readonly Strategy[] = ['firstFit', 'bestFit', 'leastAllocated'];

/** Identical pods of one workload, placed one after the other. */
export interface PodGroup {
  workload: string;
  count: number;
  requests: ResourceList;
  /** The pod's namespace, for the namespaces of anti-affinity and spread selectors. */
  namespace?: string;
  labels?: Record<string, string>;
  scheduling?: PodScheduling;
}

/** A DaemonSet: one pod on every node it matches. */
export type DaemonGroup = Omit<PodGroup, 'count'>;

/**
 * Why pods were left unplaced: `unmatched` no node it tolerates and matches; `too-big` none of the
 * nodes it may use could take it even empty; `no-room` they could, but not as the others filled them.
 */
export type UnplacedReason = 'unmatched' | 'too-big' | 'no-room';

export interface UnschedulablePods {
  workload: string;
  namespace?: string;
  /** How many of the workload's pods were left unplaced. */
  count: number;
  /** The first of them, e.g. `api#3` (`agent@pool-a-2` for a DaemonSet's pod). */
  name: string;
  requests: ResourceList;
  reason: UnplacedReason;
  /** `unmatched`: why each pool refuses the pod. */
  mismatches?: { pool: string; why: string }[];
  /** `too-big`: the largest node it may use, empty. */
  largestNode?: { node: string; allocatable: ResourceList; pods: number };
  /** `too-big`: pools whose empty nodes could take it, but that it does not tolerate or match. */
  excluded?: { pool: string; why: string }[];
  /** `no-room`: the pod rules that also limited where it could go. */
  podRules?: ('anti-affinity' | 'topology spread')[];
  /** `no-room`: of the nodes it may use, the one with the most room left at the end. */
  roomiest?: NodeRoom;
}

export interface NodeRoom {
  node: string;
  free: ResourceList;
  freePods: number;
}

/** Pods of one workload that a node runs, in the order they were placed there. */
export interface NodePods {
  workload: string;
  namespace?: string;
  count: number;
  /** One pod's requests. */
  requests: ResourceList;
  /**
   * The pods' names: the workload's pods are numbered in placement order, as in
   * UnschedulablePods.name (`api#1`, `api#4`); a DaemonSet's pod is `agent@node`.
   */
  names: string[];
  daemon?: true;
}

/** A node after the placement: its room left and the pods it runs. */
export interface NodePlacement extends NodeRoom {
  pods: NodePods[];
}

export interface StrategyResult {
  unschedulable: UnschedulablePods[];
  unschedulableCount: number;
  /** What is left on each node after placing everything that fits, and the pods placed there. */
  nodes: NodePlacement[];
}

/** The best strategy's result (fewest pods unplaced; ties in STRATEGIES order), and every strategy's. */
export interface ScheduleResult extends StrategyResult {
  strategy: Strategy;
  byStrategy: Record<Strategy, StrategyResult>;
}

/** One node as the simulation sees it, before anything is placed. */
export interface SimNodeSpec extends NodeIdentity {
  pool: string;
  allocatable: ResourceList;
  pods: number;
}

/**
 * Labels the kubelet puts on every Linux node (manifests select them: sock-shop's `beta.kubernetes.io/os:
 * linux`); a pool's own labels override them (`kubernetes.io/arch: arm64`).
 */
export const WELL_KNOWN_LABELS: Readonly<Record<string, string>> = {
  'kubernetes.io/os': 'linux',
  'kubernetes.io/arch': 'amd64',
  'beta.kubernetes.io/os': 'linux',
  'beta.kubernetes.io/arch': 'amd64',
};

/** Node names from pools: `pool-a-1`, `pool-a-2`, ... in the listed order; each has its hostname label. */
export function expandNodes(pools: NodePool[]): SimNodeSpec[] {
  return pools.flatMap((pool) =>
    Array.from({ length: pool.count }, (_, i) => {
      const node = pool.count === 1 ? pool.name : `${pool.name}-${i + 1}`;
      return {
        node,
        pool: pool.name,
        labels: { ...WELL_KNOWN_LABELS, ...(pool.labels ?? {}), [HOSTNAME_LABEL]: node },
        taints: pool.taints ?? ([] as NodeTaint[]),
        allocatable: { ...pool.allocatable },
        pods: pool.pods,
      };
    }),
  );
}

/** The `count` largest nodes: most memory, then most CPU; ties: the first listed. */
export function largestNodes(nodes: SimNodeSpec[], count: number): SimNodeSpec[] {
  return [...nodes]
    .map((node, index) => ({ node, index }))
    .sort((a, b) => compareLarger(a.node.allocatable, b.node.allocatable) || a.index - b.index)
    .slice(0, count)
    .map((entry) => entry.node);
}

/** How many nodes a DaemonSet runs on: those it tolerates and matches. */
export function daemonNodeCount(nodes: SimNodeSpec[], scheduling: PodScheduling | undefined): number {
  return nodes.filter((node) => nodeMismatch(scheduling, node) === undefined).length;
}

/**
 * Places a state's pods on the nodes with each strategy. DaemonSet pods first, one on each node they
 * match; then the other pods in decreasing order (memory request, then CPU, then name), each on a node
 * it tolerates and matches, with room for every requested resource and a pod slot, and allowed by
 * its anti-affinity and spread constraints. First fit takes the first such node in the listed order,
 * best fit the one left fullest, least allocated the emptiest (lowest mean of requested CPU and memory
 * fractions, the pod included, as kube-scheduler's default scoring); ties go to the first listed.
 */
export function schedule(nodes: SimNodeSpec[], daemons: DaemonGroup[], groups: PodGroup[]): ScheduleResult {
  const simulation = new Simulation(nodes, daemons, groups);
  const byStrategy = Object.fromEntries(STRATEGIES.map((s) => [s, simulation.run(s)])) as Record<
    Strategy,
    StrategyResult
  >;
  const strategy = STRATEGIES.reduce(
    (best, s) => (byStrategy[s].unschedulableCount < byStrategy[best].unschedulableCount ? s : best),
    STRATEGIES[0],
  );
  return { ...byStrategy[strategy], strategy, byStrategy };
}

interface SimNode extends SimNodeSpec {
  free: ResourceList;
  freePods: number;
  /** Pods placed here, by group index. */
  placed: Map<number, number>;
  /** The same pods in placement order: runs of consecutive ordinals (1-based) of one group. */
  runs: { index: number; from: number; count: number }[];
}

class Simulation {
  private readonly all: PodGroup[];
  private readonly nodes: SimNode[];
  /** Per group: the nodes it tolerates and matches, in the listed order. */
  private readonly candidates: SimNode[][];
  /** Per group: the nodes its nodeSelector and affinity allow (topology spread's domains). */
  private readonly spreadDomains: SimNode[][];
  /** Whether any pod has anti-affinity or spread rules (else identical pods can be placed in bulk). */
  private readonly podRules: boolean;
  private readonly order: number[];
  /** Each request list's positive entries, computed once (fits() is the innermost loop). */
  private readonly wanted = new Map<ResourceList, [string, number][]>();
  /** Per group: how many of its pods the current run has placed (the next one's ordinal - 1). */
  private numbered: number[] = [];

  constructor(
    specs: SimNodeSpec[],
    private readonly daemons: DaemonGroup[],
    groups: PodGroup[],
  ) {
    this.all = [...daemons.map((d) => ({ ...d, count: 0 })), ...groups];
    this.nodes = specs.map((spec) => ({ ...spec, free: {}, freePods: 0, placed: new Map(), runs: [] }));
    this.candidates = this.all.map((g) => this.nodes.filter((node) => nodeMismatch(g.scheduling, node) === undefined));
    this.spreadDomains = this.all.map((g) =>
      g.scheduling?.spread.length
        ? this.nodes.filter((node) => nodeRequirementMismatch(g.scheduling!, node.labels) === undefined)
        : [],
    );
    this.podRules = this.all.some(
      (g) => !!g.scheduling && (g.scheduling.antiAffinity.length > 0 || g.scheduling.spread.length > 0),
    );
    this.order = groups
      .map((_, i) => daemons.length + i)
      .sort((a, b) => {
        const x = this.all[a];
        const y = this.all[b];
        return (
          compareLarger(x.requests, y.requests) || (x.workload < y.workload ? -1 : x.workload > y.workload ? 1 : 0)
        );
      });
  }

  run(strategy: Strategy): StrategyResult {
    for (const node of this.nodes) {
      node.free = { ...node.allocatable };
      node.freePods = node.pods;
      node.placed = new Map();
      node.runs = [];
    }
    this.numbered = this.all.map(() => 0);
    const unschedulable: UnschedulablePods[] = [];
    /** Unplaced for lack of room: the room left is known only once everything is placed. */
    const roomLater: [UnschedulablePods, SimNode[]][] = [];
    this.daemons.forEach((daemon, index) => {
      const missed = this.candidates[index].filter(
        (node) => !this.fits(node, daemon.requests) || (this.podRules && !this.allowed(index, node)),
      );
      for (const node of this.candidates[index]) if (!missed.includes(node)) this.place(node, index, 1);
      if (missed.length > 0) {
        const empty = missed[0].allocatable;
        const tooBig = !fitsIn(daemon.requests, empty, missed[0].pods);
        const entry: UnschedulablePods = {
          workload: daemon.workload,
          ...(daemon.namespace !== undefined ? { namespace: daemon.namespace } : {}),
          count: missed.length,
          name: `${daemon.workload}@${missed[0].node}`,
          requests: daemon.requests,
          reason: tooBig ? 'too-big' : 'no-room',
          ...(tooBig ? { largestNode: { node: missed[0].node, allocatable: { ...empty }, pods: missed[0].pods } } : {}),
        };
        unschedulable.push(entry);
        if (!tooBig) roomLater.push([entry, [missed[0]]]);
      }
    });
    for (const index of this.order) {
      const group = this.all[index];
      let placed = 0;
      if (strategy === 'firstFit' && !this.podRules) {
        for (const node of this.candidates[index]) {
          if (placed === group.count) break;
          placed += this.placeMany(node, index, group.count - placed);
        }
      } else {
        while (placed < group.count) {
          const node = this.choose(strategy, index);
          // Identical pods: when one finds no node, the rest find none either.
          if (!node) break;
          this.place(node, index, 1);
          placed++;
        }
      }
      if (placed < group.count) {
        const entry: UnschedulablePods = {
          ...this.whyUnplaced(index),
          count: group.count - placed,
          name: `${group.workload}#${placed + 1}`,
        };
        unschedulable.push(entry);
        if (entry.reason === 'no-room') roomLater.push([entry, this.candidates[index]]);
      }
    }
    for (const [entry, nodes] of roomLater) {
      const roomiest = [...nodes].sort(
        (a, b) => (b.free.memory ?? 0) - (a.free.memory ?? 0) || (b.free.cpu ?? 0) - (a.free.cpu ?? 0),
      )[0];
      entry.roomiest = { node: roomiest.node, free: { ...roomiest.free }, freePods: roomiest.freePods };
    }
    return {
      unschedulable,
      unschedulableCount: unschedulable.reduce((n, u) => n + u.count, 0),
      nodes: this.nodes.map((node) => ({
        node: node.node,
        free: { ...node.free },
        freePods: node.freePods,
        pods: this.podsOn(node),
      })),
    };
  }

  /** A node's pods, a workload at a time in the order its first pod was placed there. */
  private podsOn(node: SimNode): NodePods[] {
    const byGroup = new Map<number, NodePods>();
    for (const run of node.runs) {
      const group = this.all[run.index];
      let entry = byGroup.get(run.index);
      if (!entry) {
        entry = {
          workload: group.workload,
          ...(group.namespace !== undefined ? { namespace: group.namespace } : {}),
          count: 0,
          requests: { ...group.requests },
          names: [],
        };
        if (run.index < this.daemons.length) entry.daemon = true;
        byGroup.set(run.index, entry);
      }
      entry.count += run.count;
      if (entry.daemon) entry.names.push(`${group.workload}@${node.node}`);
      else for (let k = 0; k < run.count; k++) entry.names.push(`${group.workload}#${run.from + k}`);
    }
    return [...byGroup.values()];
  }

  private choose(strategy: Strategy, index: number): SimNode | undefined {
    const requests = this.all[index].requests;
    let chosen: SimNode | undefined;
    let chosenScore = 0;
    for (const node of this.candidates[index]) {
      if (!this.fits(node, requests) || (this.podRules && !this.allowed(index, node))) continue;
      if (strategy === 'firstFit') return node;
      const score = approximateUsedAfter(node, requests);
      if (!chosen) {
        chosen = node;
        chosenScore = score;
        continue;
      }
      // Floating point decides when the scores are clearly apart; exact fractions when they are close.
      const close = Math.abs(score - chosenScore) <= 1e-9 * Math.max(1, Math.abs(score), Math.abs(chosenScore));
      const order = !close
        ? score < chosenScore
          ? -1
          : 1
        : sameLoad(node, chosen)
          ? 0
          : compareFractions(usedAfter(node, requests), usedAfter(chosen, requests));
      if (strategy === 'bestFit' ? order > 0 : order < 0) {
        chosen = node;
        chosenScore = score;
      }
    }
    return chosen;
  }

  private fits(node: SimNode, requests: ResourceList): boolean {
    if (node.freePods < 1) return false;
    let wanted = this.wanted.get(requests);
    if (!wanted) this.wanted.set(requests, (wanted = Object.entries(requests).filter(([, value]) => value > 0)));
    for (const [name, value] of wanted) if ((node.free[name] ?? 0) < value) return false;
    return true;
  }

  /** Anti-affinity (the pod's own terms, and those of pods already on the node) and topology spread. */
  private allowed(index: number, node: SimNode): boolean {
    const group = this.all[index];
    for (const term of group.scheduling?.antiAffinity ?? []) {
      if (this.countMatching(node, term, group) > 0) return false;
    }
    for (const [other, count] of node.placed) {
      if (count === 0) continue;
      const owner = this.all[other];
      for (const term of owner.scheduling?.antiAffinity ?? []) {
        if (inNamespaces(term, owner, group) && matchesSelector(term.selector, group.labels ?? {})) return false;
      }
    }
    for (const constraint of group.scheduling?.spread ?? []) {
      const term = { selector: constraint.selector, namespaces: [] };
      const self = matchesSelector(constraint.selector, group.labels ?? {}) ? 1 : 0;
      const min = Math.min(...this.spreadDomains[index].map((domain) => this.countMatching(domain, term, group)));
      if (this.countMatching(node, term, group) + self - min > constraint.maxSkew) return false;
    }
    return true;
  }

  /** Pods on a node that a term of `owner` selects. */
  private countMatching(node: SimNode, term: AntiAffinityTerm, owner: PodGroup): number {
    let count = 0;
    for (const [other, placed] of node.placed) {
      const pod = this.all[other];
      if (placed > 0 && inNamespaces(term, owner, pod) && matchesSelector(term.selector, pod.labels ?? {}))
        count += placed;
    }
    return count;
  }

  private placeMany(node: SimNode, index: number, wanted: number): number {
    let fit = Math.min(wanted, node.freePods);
    for (const [name, value] of Object.entries(this.all[index].requests)) {
      if (value > 0) fit = Math.min(fit, Math.floor((node.free[name] ?? 0) / value));
    }
    if (fit <= 0) return 0;
    this.place(node, index, fit);
    return fit;
  }

  private place(node: SimNode, index: number, count: number): void {
    node.freePods -= count;
    for (const [name, value] of Object.entries(this.all[index].requests))
      node.free[name] = (node.free[name] ?? 0) - value * count;
    node.placed.set(index, (node.placed.get(index) ?? 0) + count);
    const from = this.numbered[index] + 1;
    this.numbered[index] += count;
    const last = node.runs[node.runs.length - 1];
    if (last && last.index === index && last.from + last.count === from) last.count += count;
    else node.runs.push({ index, from, count });
  }

  /** Why a group may not use some nodes, once per pool (the first such node of each pool speaks for it). */
  private poolMismatches(index: number, nodes: SimNode[]): { pool: string; why: string }[] {
    const mismatches: { pool: string; why: string }[] = [];
    for (const node of nodes) {
      if (mismatches.some((m) => m.pool === node.pool)) continue;
      mismatches.push({ pool: node.pool, why: nodeMismatch(this.all[index].scheduling, node) ?? 'not matched' });
    }
    return mismatches;
  }

  private whyUnplaced(index: number): Omit<UnschedulablePods, 'count' | 'name'> {
    const group = this.all[index];
    const base = {
      workload: group.workload,
      ...(group.namespace !== undefined ? { namespace: group.namespace } : {}),
      requests: group.requests,
    };
    const candidates = this.candidates[index];
    if (candidates.length === 0)
      return { ...base, reason: 'unmatched', mismatches: this.poolMismatches(index, this.nodes) };
    if (!candidates.some((node) => fitsIn(group.requests, node.allocatable, node.pods))) {
      const largest = largestNodes(candidates, 1)[0];
      const excluded = this.poolMismatches(
        index,
        this.nodes.filter((node) => !candidates.includes(node) && fitsIn(group.requests, node.allocatable, node.pods)),
      );
      return {
        ...base,
        reason: 'too-big',
        largestNode: { node: largest.node, allocatable: { ...largest.allocatable }, pods: largest.pods },
        ...(excluded.length > 0 ? { excluded } : {}),
      };
    }
    // Anti-affinity of pods already placed can exclude it too (it is symmetric).
    const antiAffinity = this.all.some((owner) =>
      (owner.scheduling?.antiAffinity ?? []).some(
        (term) =>
          owner === group || (inNamespaces(term, owner, group) && matchesSelector(term.selector, group.labels ?? {})),
      ),
    );
    const podRules = [
      ...(antiAffinity ? (['anti-affinity'] as const) : []),
      ...(group.scheduling?.spread.length ? (['topology spread'] as const) : []),
    ];
    return { ...base, reason: 'no-room', ...(podRules.length > 0 ? { podRules } : {}) };
  }
}

/** Has a node (its free room, or its allocatable when empty) room for a pod's requests and a pod slot? */
function fitsIn(requests: ResourceList, free: ResourceList, freePods: number): boolean {
  if (freePods < 1) return false;
  for (const [name, value] of Object.entries(requests)) if (value > 0 && (free[name] ?? 0) < value) return false;
  return true;
}

/** Namespaces a term looks at: its own list, else the namespace of the pod that has the term. */
function inNamespaces(term: AntiAffinityTerm, owner: PodGroup, pod: PodGroup): boolean {
  const namespaces = term.namespaces.length > 0 ? term.namespaces : [owner.namespace ?? ''];
  return namespaces.includes(pod.namespace ?? '');
}

/** Larger first: memory, then CPU. */
function compareLarger(a: ResourceList, b: ResourceList): number {
  return (b.memory ?? 0) - (a.memory ?? 0) || (b.cpu ?? 0) - (a.cpu ?? 0);
}

/** An exact fraction (BigInt). */
interface Fraction {
  num: bigint;
  den: bigint;
}

/**
 * Twice the mean of the node's requested CPU and memory fractions with the pod placed (a resource the
 * node has none of counts 0, as in kube-scheduler): the sum `cpu/allocatable + memory/allocatable`.
 */
function usedAfter(node: SimNode, requests: ResourceList): Fraction {
  const share = (resource: string): Fraction => {
    const allocatable = BigInt(node.allocatable[resource] ?? 0);
    if (allocatable <= 0n) return { num: 0n, den: 1n };
    const used = allocatable - BigInt(node.free[resource] ?? 0) + BigInt(requests[resource] ?? 0);
    return { num: used, den: allocatable };
  };
  const cpu = share('cpu');
  const memory = share('memory');
  return { num: cpu.num * memory.den + memory.num * cpu.den, den: cpu.den * memory.den };
}

/** Same allocatable and same room left in CPU and memory: equal scores, without computing them. */
function sameLoad(a: SimNode, b: SimNode): boolean {
  return (
    a.allocatable.cpu === b.allocatable.cpu &&
    a.allocatable.memory === b.allocatable.memory &&
    a.free.cpu === b.free.cpu &&
    a.free.memory === b.free.memory
  );
}

/** `usedAfter` in floating point: the fast first comparison. */
function approximateUsedAfter(node: SimNode, requests: ResourceList): number {
  const cpu = node.allocatable.cpu ?? 0;
  const memory = node.allocatable.memory ?? 0;
  return (
    (cpu > 0 ? (cpu - (node.free.cpu ?? 0) + (requests.cpu ?? 0)) / cpu : 0) +
    (memory > 0 ? (memory - (node.free.memory ?? 0) + (requests.memory ?? 0)) / memory : 0)
  );
}

function compareFractions(a: Fraction, b: Fraction): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}
