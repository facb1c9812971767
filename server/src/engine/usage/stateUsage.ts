import type { PlanAnalysis, PlanState, StateWorkload } from '../budget/states';
import { containerRenames } from '../budget/mergeNames';
import { effectiveContainerResources } from '../budget/podResources';
import { namespaceOf } from '../budget/resolve';
import type { ResourceList } from '../model/resources';
import type { LimitRangeModel, WorkloadModel } from '../model/manifest';
import type { PlanModel } from '../plan/types';
import type { ContainerUsage, UsageSnapshot, UsageStats, WorkloadUsage } from './snapshot';

/** Where a container's usage was measured: the workload and container of the current state it comes from. */
export interface UsageOrigin {
  workload: WorkloadModel;
  container: string;
}

/** One container of a workload in a state, with its observed usage (undefined: no data) and its requests. */
export interface ContainerInState {
  name: string;
  usage?: ContainerUsage;
  /** The current-state containers it is made of (one, or several for a `replace` merge). */
  origins: UsageOrigin[];
  requests: ResourceList;
  limits: ResourceList;
}

export interface WorkloadUsageInState {
  entry: StateWorkload;
  containers: ContainerInState[];
  /** One pod's usage: the sum of its containers' statistics; undefined when a container has no data for it. */
  perPod: { cpu?: UsageStats; memory?: UsageStats };
  /** Containers without data. */
  missing: string[];
}

export interface StateUsage {
  state: PlanState;
  workloads: WorkloadUsageInState[];
  /** Sum over the steady workloads with data of per-pod usage × pods. */
  total: { cpu: UsageStats; memory: UsageStats };
  /** Steady workloads (some of) whose usage is unknown: never counted as zero. */
  unknown: { cpu: StateWorkload[]; memory: StateWorkload[] };
}

export interface UsageAnalysis {
  snapshot: UsageSnapshot;
  states: StateUsage[];
  /** Current-state workloads that the snapshot has no entry for. */
  unmatched: WorkloadModel[];
  /** When the analysis was made (ms since the epoch), for the staleness check. */
  now: number;
}

/**
 * Usage per state. A workload of the current state uses what the snapshot observed, container by
 * container. Per pod, usage does not change with `scale` (a state's total is per-pod usage × its
 * pods) nor with `resize` (requests change, not what runs). Removed work uses nothing. A `pod` merge
 * runs every source container in one pod, each using what it used before; a `replace` merge's one
 * container is taken to use what all its sources used together.
 */
export function analyseUsage(
  plan: PlanModel,
  analysis: PlanAnalysis,
  snapshot: UsageSnapshot,
  limitRanges: LimitRangeModel[],
  now = Date.now(),
): UsageAnalysis {
  const index = new Map<string, WorkloadUsage>();
  for (const entry of snapshot.workloads) {
    index.set(`${entry.namespace ?? ''}/${entry.name}`, entry);
  }
  const lookup = (w: WorkloadModel): WorkloadUsage | undefined => {
    const namespace = namespaceOf(w, plan.namespace);
    for (const name of [w.name, ...w.aliases]) {
      const found = index.get(`${namespace}/${name}`) ?? index.get(`/${name}`);
      if (found) return found;
    }
    return undefined;
  };
  /** Container usage by workload id, for every workload seen so far (merged ones included). */
  const byWorkload = new Map<string, Map<string, { usage?: ContainerUsage; origins: UsageOrigin[] }>>();
  const unmatched: WorkloadModel[] = [];
  const rangesOf = (w: WorkloadModel) =>
    limitRanges.filter((r) => namespaceOf(r, plan.namespace) === namespaceOf(w, plan.namespace));

  const containersOf = (entry: StateWorkload): Map<string, { usage?: ContainerUsage; origins: UsageOrigin[] }> => {
    const w = entry.workload;
    const known = byWorkload.get(w.id);
    if (known) return known;
    const map = new Map<string, { usage?: ContainerUsage; origins: UsageOrigin[] }>();
    if (entry.merge) {
      const sources = entry.merge.sources;
      const parts = sources.map((s) => byWorkload.get(s.id) ?? fromSnapshot(s));
      if (entry.merge.spec.strategy === 'replace') {
        const all = parts.flatMap((p) => [...p.values()]);
        const usage =
          all.length > 0 && all.every((c) => c.usage)
            ? sumContainers(
                w.containers[0]?.name ?? entry.merge.spec.name,
                all.map((c) => c.usage!),
              )
            : undefined;
        map.set(w.containers[0]?.name ?? entry.merge.spec.name, { usage, origins: all.flatMap((c) => c.origins) });
      } else {
        const renames = containerRenames(
          sources.map((s) => ({
            id: s.id,
            name: s.name,
            initContainers: s.initContainers.map((c) => c.name),
            containers: s.containers.map((c) => c.name),
          })),
        );
        sources.forEach((s, i) => {
          for (const c of s.containers) {
            const name = renames.get(s.id)?.get(c.name) ?? c.name;
            const part = parts[i].get(c.name);
            map.set(name, {
              usage: part?.usage ? { ...part.usage, name } : undefined,
              origins: part?.origins ?? [{ workload: s, container: c.name }],
            });
          }
        });
      }
    } else {
      return fromSnapshot(w);
    }
    byWorkload.set(w.id, map);
    return map;
  };
  const fromSnapshot = (w: WorkloadModel): Map<string, { usage?: ContainerUsage; origins: UsageOrigin[] }> => {
    const known = byWorkload.get(w.id);
    if (known) return known;
    const found = lookup(w);
    if (!found) unmatched.push(w);
    const map = new Map<string, { usage?: ContainerUsage; origins: UsageOrigin[] }>();
    for (const c of w.containers) {
      map.set(c.name, {
        usage: found?.containers.find((u) => u.name === c.name),
        origins: [{ workload: w, container: c.name }],
      });
    }
    byWorkload.set(w.id, map);
    return map;
  };

  const states = analysis.states.map((state): StateUsage => {
    const total = { cpu: zero(), memory: zero() };
    const unknown = { cpu: [] as StateWorkload[], memory: [] as StateWorkload[] };
    const workloads = state.workloads.map((entry): WorkloadUsageInState => {
      const usageByName = containersOf(entry);
      const ranges = rangesOf(entry.workload);
      const containers = entry.workload.containers.map((c): ContainerInState => {
        const found = usageByName.get(c.name);
        const { requests, limits } = effectiveContainerResources(c, ranges);
        return { name: c.name, usage: found?.usage, origins: found?.origins ?? [], requests, limits };
      });
      const perPod = {
        cpu: sumStats(containers.map((c) => c.usage?.cpu)),
        memory: sumStats(containers.map((c) => c.usage?.memory)),
      };
      if (entry.workload.steady) {
        for (const resource of ['cpu', 'memory'] as const) {
          const stats = perPod[resource];
          if (stats) addStats(total[resource], stats, entry.pods);
          else if (entry.pods > 0) unknown[resource].push(entry);
        }
      }
      return { entry, containers, perPod, missing: containers.filter((c) => !c.usage).map((c) => c.name) };
    });
    return { state, workloads, total, unknown };
  });
  return { snapshot, states, unmatched: unmatched.filter((w) => w.steady), now };
}

function zero(): UsageStats {
  return { p50: 0, p95: 0, max: 0 };
}

function addStats(target: UsageStats, stats: UsageStats, times: number): void {
  target.p50 += stats.p50 * times;
  target.p95 += stats.p95 * times;
  target.max += stats.max * times;
}

/** Sum of statistics; undefined when any is missing (unknown is not zero). */
function sumStats(list: (UsageStats | undefined)[]): UsageStats | undefined {
  if (list.length === 0 || list.some((s) => !s)) return undefined;
  const total = zero();
  for (const s of list) addStats(total, s!, 1);
  return total;
}

function sumContainers(name: string, list: ContainerUsage[]): ContainerUsage {
  return {
    name,
    samples: Math.min(...list.map((c) => c.samples)),
    cpu: sumStats(list.map((c) => c.cpu)),
    memory: sumStats(list.map((c) => c.memory)),
    location: list[0].location,
  };
}
