import type { SourceLocation } from '../model/location';
import { addInto, type ResourceList } from '../model/resources';
import type { ContainerModel, LimitRangeModel, WorkloadModel } from '../model/workspace';
import type { MergeSpec, PhaseSpec, PlanModel, ResourcePatch, ScaleStep, WorkloadRef } from '../plan/types';
import { podResources, type PodResources } from './podResources';
import { namespaceOf, resolveWorkload, type Resolution } from './resolve';
import { containerRenames } from './mergeNames';
import { daemonNodeCount, expandNodes, largestNodes, schedule, type ScheduleResult, type SimNodeSpec } from './schedule';
import { mergeScheduling } from './mergeScheduling';

export type StepRole = 'remove' | 'scale' | 'resize' | 'merge';

export interface GoneRecord {
  phase: string;
  how: 'removed' | 'merged';
  into?: string;
  location: SourceLocation;
}

/** What a workload reference in the plan resolved to, for the reference rules. */
export interface ReferenceFact {
  ref: WorkloadRef;
  phase: string;
  role: StepRole;
  resolution:
    | Resolution
    | { status: 'gone'; workload: WorkloadModel; gone: GoneRecord }
    | { status: 'duplicate'; workload: WorkloadModel; first: WorkloadRef }
    /** The name of a workload a merge of the same phase creates: it exists only after the phase. */
    | { status: 'same-phase'; merge: MergeSpec };
}

export interface ContainerFact {
  phase: string;
  location: SourceLocation;
  workload: WorkloadModel;
  container?: string;
  message: string;
}

/** A workload as it stands in a state, with its per-pod resources. */
export interface StateWorkload {
  workload: WorkloadModel;
  pods: number;
  perPod: PodResources;
  /** For merged workloads: what they were made from and how. */
  merge?: { spec: MergeSpec; sources: WorkloadModel[] };
}

export interface StateTotals {
  workloads: number;
  pods: number;
  jobs: number;
  requests: ResourceList;
  limits: ResourceList;
  unlimitedContainers: { cpu: number; memory: number };
  missingRequests: { cpu: number; memory: number };
}

export interface PlanState {
  /** null for the current state. */
  phase: PhaseSpec | null;
  workloads: StateWorkload[];
  totals: StateTotals;
  schedule?: ScheduleResult;
  /** With `budget.tolerateNodeLoss`: the same state placed without the largest nodes. */
  nodeLoss?: { lost: string[]; schedule: ScheduleResult };
}

/** A `scale` step on a workload that has no replicas to set; it is left out of the phase. */
export interface UnscalableFact {
  phase: string;
  step: ScaleStep;
  workload: WorkloadModel;
  reason: string;
}

export interface PlanAnalysis {
  states: PlanState[];
  references: ReferenceFact[];
  containers: ContainerFact[];
  unscalable: UnscalableFact[];
}

/**
 * Why `scale` cannot set a workload's replicas, or undefined when it can. Replicas are what long-running
 * workloads have: one-shot work runs to completion and is counted apart, a DaemonSet runs a pod per node.
 */
export function notScalable(workload: WorkloadModel): string | undefined {
  if (workload.kind === 'Job' || workload.kind === 'CronJob') return `a ${workload.kind} runs to completion and has no replicas`;
  if (!workload.steady) return 'it is one-shot work (it runs to completion, and is counted apart from the running pods)';
  if (workload.kind === 'DaemonSet') return 'a DaemonSet runs one pod per node and has no replicas';
  if (workload.kind === 'Pod') return 'a bare Pod has no replicas';
  return undefined;
}

/** Computes the current state and the state after each phase, cumulatively. */
export function analysePlan(plan: PlanModel, workloads: WorkloadModel[], limitRanges: LimitRangeModel[]): PlanAnalysis {
  const run = new PlanRun(plan, limitRanges);
  const active = new Map<string, WorkloadModel>(workloads.map((w) => [w.id, w]));
  const gone = new Map<string, { workload: WorkloadModel; record: GoneRecord }>();
  const merges = new Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>();
  const states = [run.state(null, active, merges)];
  for (const phase of plan.phases) {
    run.applyPhase(phase, active, gone, merges);
    states.push(run.state(phase, active, merges));
  }
  return { states, references: run.references, containers: run.containers, unscalable: run.unscalable };
}

class PlanRun {
  readonly references: ReferenceFact[] = [];
  readonly containers: ContainerFact[] = [];
  readonly unscalable: UnscalableFact[] = [];
  /** The simulated nodes of budget.nodes (empty without pools: a DaemonSet then counts one pod). */
  private readonly nodes: SimNodeSpec[];

  constructor(private readonly plan: PlanModel, private readonly limitRanges: LimitRangeModel[]) {
    this.nodes = expandNodes(plan.budget?.nodes ?? []);
  }

  applyPhase(
    phase: PhaseSpec,
    active: Map<string, WorkloadModel>,
    gone: Map<string, { workload: WorkloadModel; record: GoneRecord }>,
    merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>,
  ): void {
    const consumed = new Map<string, WorkloadRef>();
    // Every reference of a phase names a workload as it stands at the start of the phase: a workload a merge of
    // this phase creates exists only after it (steps still apply remove, scale, resize, merge, on those workloads).
    const atStart = new Set(active.keys());
    const lookup = (ref: WorkloadRef, role: StepRole, consumes: boolean): WorkloadModel | undefined => {
      const resolution = resolveWorkload(
        ref.text,
        [...active.values()].filter((w) => atStart.has(w.id)),
        this.plan.namespace,
      );
      if (resolution.status === 'found') {
        const first = consumed.get(resolution.workload.id);
        if (first && (consumes || role !== 'merge')) {
          this.references.push({ ref, phase: phase.name, role, resolution: { status: 'duplicate', workload: resolution.workload, first } });
          return undefined;
        }
        if (consumes) consumed.set(resolution.workload.id, ref);
        this.references.push({ ref, phase: phase.name, role, resolution });
        return resolution.workload;
      }
      if (resolution.status === 'unknown') {
        const earlier = resolveWorkload(ref.text, [...gone.values()].map((g) => g.workload), this.plan.namespace);
        if (earlier.status === 'found') {
          const record = gone.get(earlier.workload.id)!.record;
          const sameName = record.phase === phase.name;
          this.references.push({
            ref,
            phase: phase.name,
            role,
            resolution: sameName
              ? { status: 'duplicate', workload: earlier.workload, first: consumed.get(earlier.workload.id) ?? { text: ref.text, location: record.location } }
              : { status: 'gone', workload: earlier.workload, gone: record },
          });
          return undefined;
        }
        const created = mergeCreatedInPhase(ref.text, phase);
        if (created) {
          this.references.push({ ref, phase: phase.name, role, resolution: { status: 'same-phase', merge: created } });
          return undefined;
        }
      }
      this.references.push({ ref, phase: phase.name, role, resolution });
      return undefined;
    };

    for (const ref of phase.remove) {
      const workload = lookup(ref, 'remove', true);
      if (!workload) continue;
      active.delete(workload.id);
      gone.set(workload.id, { workload, record: { phase: phase.name, how: 'removed', location: ref.location } });
    }
    for (const step of phase.scale) {
      const workload = lookup(step.ref, 'scale', false);
      const reason = workload && notScalable(workload);
      if (workload && reason) this.unscalable.push({ phase: phase.name, step, workload, reason });
      else if (workload) active.set(workload.id, { ...workload, replicas: step.replicas });
    }
    for (const step of phase.resize) {
      const workload = lookup(step.ref, 'resize', false);
      if (workload) active.set(workload.id, this.resize(phase, workload, step.pod, step.containers, step.location));
    }
    for (const merge of phase.merge) {
      const sources = merge.from.map((ref) => lookup(ref, 'merge', true)).filter((w): w is WorkloadModel => !!w);
      for (const source of sources) {
        active.delete(source.id);
        gone.set(source.id, { workload: source, record: { phase: phase.name, how: 'merged', into: merge.name, location: merge.nameLocation } });
      }
      if (sources.length === 0) continue;
      const merged = mergeWorkloads(merge, sources, this.plan.namespace);
      active.set(merged.id, merged);
      merges.set(merged.id, { spec: merge, sources });
    }
  }

  private resize(
    phase: PhaseSpec,
    workload: WorkloadModel,
    pod: ResourcePatch | undefined,
    containers: { name: string; location: SourceLocation; patch: ResourcePatch }[],
    location: SourceLocation,
  ): WorkloadModel {
    let updated = workload.containers;
    if (pod) {
      if (workload.containers.length === 1) {
        updated = [patchContainer(workload.containers[0], pod)];
      } else {
        this.containers.push({
          phase: phase.name,
          location,
          workload,
          message: `${workload.name} has ${workload.containers.length} containers (${workload.containers.map((c) => c.name).join(', ')}): resize them by name under \`containers:\`.`,
        });
      }
    }
    for (const entry of containers) {
      const index = updated.findIndex((c) => c.name === entry.name);
      if (index === -1) {
        this.containers.push({
          phase: phase.name,
          location: entry.location,
          workload,
          container: entry.name,
          message: `${workload.name} has no container "${entry.name}" (it has ${workload.containers.map((c) => c.name).join(', ') || 'none'}).`,
        });
        continue;
      }
      updated = updated.map((c, i) => (i === index ? patchContainer(c, entry.patch) : c));
    }
    return { ...workload, containers: updated };
  }

  state(phase: PhaseSpec | null, active: Map<string, WorkloadModel>, merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>): PlanState {
    const totals: StateTotals = {
      workloads: 0,
      pods: 0,
      jobs: 0,
      requests: {},
      limits: {},
      unlimitedContainers: { cpu: 0, memory: 0 },
      missingRequests: { cpu: 0, memory: 0 },
    };
    const workloads: StateWorkload[] = [];
    const perPodOf = podResourcesInPlan(this.plan, this.limitRanges);
    for (const workload of active.values()) {
      const perPod = perPodOf(workload);
      // A DaemonSet runs on every node it tolerates and matches.
      const pods = workload.kind === 'DaemonSet' ? (this.nodes.length > 0 ? daemonNodeCount(this.nodes, workload.scheduling) : 1) : workload.replicas;
      workloads.push({ workload, pods, perPod, merge: merges.get(workload.id) });
      if (!workload.steady) {
        totals.jobs++;
        continue;
      }
      totals.workloads++;
      totals.pods += pods;
      addInto(totals.requests, perPod.requests, pods);
      addInto(totals.limits, perPod.limits, pods);
      totals.unlimitedContainers.cpu += perPod.unlimited.cpu * pods;
      totals.unlimitedContainers.memory += perPod.unlimited.memory * pods;
      totals.missingRequests.cpu += perPod.missingRequests.cpu * pods;
      totals.missingRequests.memory += perPod.missingRequests.memory * pods;
    }
    const pools = this.plan.budget?.nodes;
    const result: PlanState = { phase, workloads, totals };
    if (pools && pools.length > 0) {
      const steady = workloads.filter((w) => w.workload.steady);
      const group = (w: StateWorkload) => ({
        workload: w.workload.name,
        requests: w.perPod.requests,
        namespace: namespaceOf(w.workload, this.plan.namespace),
        labels: w.workload.podLabels,
        scheduling: w.workload.scheduling,
      });
      const daemons = steady.filter((w) => w.workload.kind === 'DaemonSet').map(group);
      const groups = steady.filter((w) => w.workload.kind !== 'DaemonSet').map((w) => ({ ...group(w), count: w.pods }));
      result.schedule = schedule(this.nodes, daemons, groups);
      const loss = Math.min(this.plan.budget?.tolerateNodeLoss ?? 0, this.nodes.length);
      if (loss > 0) {
        const lost = new Set(largestNodes(this.nodes, loss));
        result.nodeLoss = {
          lost: this.nodes.filter((n) => lost.has(n)).map((n) => n.node),
          schedule: schedule(this.nodes.filter((n) => !lost.has(n)), daemons, groups),
        };
      }
    }
    return result;
  }
}

/** The merge of `phase` named by `text` (`name` or `namespace/name`: the merged workload's namespace is its first source's, matched by name). */
function mergeCreatedInPhase(text: string, phase: PhaseSpec): MergeSpec | undefined {
  const name = text.slice(text.indexOf('/') + 1);
  return phase.merge.find((m) => m.name === name);
}

/** The sources' containers under the names they get in the merged pod (colliding names made unique). */
function renamedContainers(sources: WorkloadModel[], key: 'containers' | 'initContainers'): ContainerModel[] {
  const renames = containerRenames(
    sources.map((s) => ({ id: s.id, name: s.name, initContainers: s.initContainers.map((c) => c.name), containers: s.containers.map((c) => c.name) })),
  );
  return sources.flatMap((s) => s[key].map((c) => ({ ...c, name: renames.get(s.id)?.get(c.name) ?? c.name })));
}

/** A workload's per-pod resources in a plan: its namespace's LimitRanges and the plan's pod overhead. */
export function podResourcesInPlan(plan: PlanModel, limitRanges: LimitRangeModel[]): (workload: WorkloadModel) => PodResources {
  const podOverhead = plan.budget?.podOverhead ?? {};
  const overheadKey = JSON.stringify(podOverhead);
  return (workload) => {
    // A plan edit recomputes every state; a workload's per-pod figures only change with its LimitRanges
    // (the same array while no source changes), the plan's namespace and its pod overhead.
    const memo = perPodMemo.get(workload);
    if (memo && memo.limitRanges === limitRanges && memo.namespace === plan.namespace && memo.overhead === overheadKey) return memo.result;
    const namespace = namespaceOf(workload, plan.namespace);
    const ranges = limitRanges.filter((r) => namespaceOf(r, plan.namespace) === namespace);
    const result = podResources(workload, { limitRanges: ranges, podOverhead });
    perPodMemo.set(workload, { limitRanges, namespace: plan.namespace, overhead: overheadKey, result });
    return result;
  };
}

const perPodMemo = new WeakMap<WorkloadModel, { limitRanges: LimitRangeModel[]; namespace: string | undefined; overhead: string; result: PodResources }>();

function patchContainer(container: ContainerModel, patch: ResourcePatch): ContainerModel {
  return {
    ...container,
    requests: { ...container.requests, ...patch.requests },
    limits: { ...container.limits, ...patch.limits },
  };
}

/** The workload a merge creates: one pod of every source container (pod) or of the plan's container (replace). */
export function mergeWorkloads(merge: MergeSpec, sources: WorkloadModel[], defaultNamespace: string | undefined): WorkloadModel {
  const namespace = sources[0].namespace ?? defaultNamespace;
  const kind = sources.every((s) => s.kind === 'StatefulSet') ? 'StatefulSet' : 'Deployment';
  const replicas = merge.replicas ?? Math.max(...sources.map((s) => s.replicas));
  const containers: ContainerModel[] =
    merge.strategy === 'replace'
      ? [
          {
            name: merge.name,
            image: merge.container?.image,
            init: false,
            requests: { ...(merge.container?.requests ?? {}) },
            limits: { ...(merge.container?.limits ?? {}) },
            requestFields: {},
            limitFields: {},
            ports: (merge.container?.ports ?? []).map((port) => ({ port, protocol: 'TCP', location: merge.container!.location })),
            location: merge.container?.location ?? merge.location,
            resourcesLocation: merge.container?.location ?? merge.location,
          },
        ]
      : renamedContainers(sources, 'containers');
  const overhead: ResourceList = {};
  for (const source of sources) for (const [k, v] of Object.entries(source.podOverhead)) overhead[k] = Math.max(overhead[k] ?? 0, v);
  return {
    id: `${namespace ?? ''}/${merge.name}#merge`,
    kind,
    origin: 'kubernetes',
    name: merge.name,
    namespace,
    aliases: [],
    replicas,
    containers,
    initContainers: merge.strategy === 'replace' ? [] : renamedContainers(sources, 'initContainers'),
    podOverhead: merge.strategy === 'replace' ? {} : overhead,
    podLabels: { 'app.kubernetes.io/name': merge.name },
    ...mergeScheduling(sources, { 'app.kubernetes.io/name': merge.name }),
    selector: { 'app.kubernetes.io/name': merge.name },
    selectorHasExpressions: false,
    // A merge of one-shot jobs only is still a job.
    steady: sources.some((s) => s.steady),
    location: merge.location,
    nameLocation: merge.nameLocation,
    documentIndex: -1,
  };
}
