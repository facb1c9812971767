import type { SourceLocation } from '../model/location';
import type { ResourceList } from '../model/resources';
import type { ContainerModel, LimitRangeModel, WorkloadModel } from '../model/manifest';
import type { MergeSpec, PhaseSpec, PlanModel, ResourcePatch, ScaleStep, WorkloadRef } from '../plan/types';
import { podResources, type PodResources } from './podResources';
import { namespaceOf, refName, resolveNamed, resolveWorkload, workloadsByName, type Resolution } from './resolve';
import { containerRenames } from './mergeNames';
import {
  daemonNodeCount,
  expandNodes,
  largestNodes,
  schedule,
  type ScheduleResult,
  type SimNodeSpec,
} from './schedule';
import { mergeScheduling } from './mergeScheduling';
import { ActiveWorkloads } from './activeWorkloads';

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
  if (workload.kind === 'Job' || workload.kind === 'CronJob')
    return `a ${workload.kind} runs to completion and has no replicas`;
  if (!workload.steady)
    return 'it is one-shot work (it runs to completion, and is counted apart from the running pods)';
  if (workload.kind === 'DaemonSet') return 'a DaemonSet runs one pod per node and has no replicas';
  if (workload.kind === 'Pod') return 'a bare Pod has no replicas';
  return undefined;
}

/**
 * Computes the current state and the state after each phase, cumulatively. A plan edit runs this again,
 * so it costs what the phases touch, not what the sources hold: the current state is kept while the
 * sources and the budget's inputs are the same, references are resolved through a name index, and each
 * phase's totals are the previous state's plus what the phase changed (see nextState).
 */
export function analysePlan(plan: PlanModel, workloads: WorkloadModel[], limitRanges: LimitRangeModel[]): PlanAnalysis {
  const run = new PlanRun(plan, limitRanges, workloads);
  const active = new ActiveWorkloads(initialMap(workloads));
  const gone = new Map<string, { workload: WorkloadModel; record: GoneRecord }>();
  const merges = new Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>();
  let state = run.currentState(active);
  const states = [state];
  for (const phase of plan.phases) {
    const touched = run.applyPhase(phase, active, gone, merges);
    state = run.nextState(phase, state, active, merges, touched);
    states.push(state);
  }
  return { states, references: run.references, containers: run.containers, unscalable: run.unscalable };
}

/** Workloads by id, in their order (one map per source set, shared by every analysis of it). */
function initialMap(workloads: WorkloadModel[]): Map<string, WorkloadModel> {
  let map = initialMaps.get(workloads);
  if (!map) initialMaps.set(workloads, (map = new Map(workloads.map((w) => [w.id, w]))));
  return map;
}

const initialMaps = new WeakMap<WorkloadModel[], Map<string, WorkloadModel>>();

/** What a state adds up, kept beside it so the next state can be computed from what a phase changed. */
interface StateIndex {
  /** The ids of the state's workloads, in its order (reading them from the models is slower). */
  ids: string[];
  /** How many steady workloads have each resource in their per-pod requests / limits. */
  requestKeys: Map<string, number>;
  limitKeys: Map<string, number>;
  /** Every figure is a safe integer, so subtracting gives exactly what adding from scratch gives. */
  exact: boolean;
}

const stateIndexes = new WeakMap<PlanState, StateIndex>();

/** The current state, by source set and by what else it depends on (one per source set: the latest inputs). */
const currentStates = new WeakMap<WorkloadModel[], { key: string; limitRanges: LimitRangeModel[]; state: PlanState }>();

class PlanRun {
  readonly references: ReferenceFact[] = [];
  readonly containers: ContainerFact[] = [];
  readonly unscalable: UnscalableFact[] = [];
  /** The simulated nodes of budget.nodes (empty without pools: a DaemonSet then counts one pod). */
  private readonly nodes: SimNodeSpec[];
  private readonly perPodOf: (workload: WorkloadModel) => PodResources;

  constructor(
    private readonly plan: PlanModel,
    private readonly limitRanges: LimitRangeModel[],
    private readonly sources: WorkloadModel[],
  ) {
    this.nodes = expandNodes(plan.budget?.nodes ?? []);
    this.perPodOf = podResourcesInPlan(plan, limitRanges);
  }

  /** The state before any phase: the same object while the sources and the budget's inputs are. */
  currentState(active: ActiveWorkloads): PlanState {
    const budget = this.plan.budget;
    const key = JSON.stringify([
      this.plan.namespace ?? null,
      budget?.podOverhead ?? null,
      budget?.nodes ?? null,
      budget?.tolerateNodeLoss ?? null,
    ]);
    const memo = currentStates.get(this.sources);
    if (memo && memo.key === key && memo.limitRanges === this.limitRanges) return memo.state;
    const state = this.state(null, active, new Map());
    currentStates.set(this.sources, { key, limitRanges: this.limitRanges, state });
    return state;
  }

  /** Resolves a reference among the workloads of `active` that were there when the phase began, in `active`'s order. */
  private resolveActive(text: string, active: ActiveWorkloads): Resolution {
    const name = refName(text);
    const named: WorkloadModel[] = [];
    const ids = new Set<string>();
    for (const source of workloadsByName(this.sources).get(name) ?? []) {
      // Two objects with one id (the same name in two files) are one entry of `active`.
      const current = active.get(source.id);
      if (current && active.atStart(source.id) && !ids.has(source.id)) named.push(current);
      ids.add(source.id);
    }
    for (const id of active.createdIds()) {
      const w = active.get(id)!;
      if (!ids.has(id) && active.atStart(id) && (w.name === name || w.aliases.includes(name))) named.push(w);
    }
    return resolveNamed(
      text,
      named,
      () => [...active.values()].filter((w) => active.atStart(w.id)),
      this.plan.namespace,
    );
  }

  applyPhase(
    phase: PhaseSpec,
    active: ActiveWorkloads,
    gone: Map<string, { workload: WorkloadModel; record: GoneRecord }>,
    merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>,
  ): Set<string> {
    /** Ids of the workloads this phase changes, removes or creates. */
    const touched = new Set<string>();
    const consumed = new Map<string, WorkloadRef>();
    // Every reference of a phase names a workload as it stands at the start of the phase: a workload a merge of
    // this phase creates exists only after it (steps still apply remove, scale, resize, merge, on those workloads).
    active.beginPhase();
    const lookup = (ref: WorkloadRef, role: StepRole, consumes: boolean): WorkloadModel | undefined => {
      const resolution = this.resolveActive(ref.text, active);
      if (resolution.status === 'found') {
        const first = consumed.get(resolution.workload.id);
        if (first && (consumes || role !== 'merge')) {
          this.references.push({
            ref,
            phase: phase.name,
            role,
            resolution: { status: 'duplicate', workload: resolution.workload, first },
          });
          return undefined;
        }
        if (consumes) consumed.set(resolution.workload.id, ref);
        this.references.push({ ref, phase: phase.name, role, resolution });
        return resolution.workload;
      }
      if (resolution.status === 'unknown') {
        const earlier = resolveWorkload(
          ref.text,
          [...gone.values()].map((g) => g.workload),
          this.plan.namespace,
        );
        if (earlier.status === 'found') {
          const record = gone.get(earlier.workload.id)!.record;
          const sameName = record.phase === phase.name;
          this.references.push({
            ref,
            phase: phase.name,
            role,
            resolution: sameName
              ? {
                  status: 'duplicate',
                  workload: earlier.workload,
                  first: consumed.get(earlier.workload.id) ?? { text: ref.text, location: record.location },
                }
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
      touched.add(workload.id);
      gone.set(workload.id, { workload, record: { phase: phase.name, how: 'removed', location: ref.location } });
    }
    for (const step of phase.scale) {
      const workload = lookup(step.ref, 'scale', false);
      const reason = workload && notScalable(workload);
      if (workload && reason) this.unscalable.push({ phase: phase.name, step, workload, reason });
      else if (workload) {
        active.set(workload.id, { ...workload, replicas: step.replicas });
        touched.add(workload.id);
      }
    }
    for (const step of phase.resize) {
      const workload = lookup(step.ref, 'resize', false);
      if (workload) {
        active.set(workload.id, this.resize(phase, workload, step.pod, step.containers, step.location));
        touched.add(workload.id);
      }
    }
    for (const merge of phase.merge) {
      const sources = merge.from.map((ref) => lookup(ref, 'merge', true)).filter((w): w is WorkloadModel => !!w);
      for (const source of sources) {
        active.delete(source.id);
        touched.add(source.id);
        gone.set(source.id, {
          workload: source,
          record: { phase: phase.name, how: 'merged', into: merge.name, location: merge.nameLocation },
        });
      }
      if (sources.length === 0) continue;
      const merged = mergeWorkloads(merge, sources, this.plan.namespace);
      active.set(merged.id, merged);
      touched.add(merged.id);
      merges.set(merged.id, { spec: merge, sources });
    }
    return touched;
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

  /** A workload as it stands in a state, with its pods and per-pod resources. */
  private stateWorkload(
    workload: WorkloadModel,
    merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>,
  ): StateWorkload {
    const perPod = this.perPodOf(workload);
    // A DaemonSet runs on every node it tolerates and matches.
    const pods =
      workload.kind === 'DaemonSet'
        ? this.nodes.length > 0
          ? daemonNodeCount(this.nodes, workload.scheduling)
          : 1
        : workload.replicas;
    return { workload, pods, perPod, merge: merges.get(workload.id) };
  }

  state(
    phase: PhaseSpec | null,
    active: ActiveWorkloads,
    merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>,
  ): PlanState {
    const totals = emptyTotals();
    const index: StateIndex = { ids: [], requestKeys: new Map(), limitKeys: new Map(), exact: true };
    const workloads: StateWorkload[] = [];
    for (const workload of active.values()) {
      const entry = this.stateWorkload(workload, merges);
      workloads.push(entry);
      index.ids.push(workload.id);
      count(totals, index, entry, 1);
    }
    return this.finish(phase, workloads, totals, index);
  }

  /**
   * The state after a phase from the state before it: its totals minus what the touched workloads were and
   * plus what they are now, the same numbers (and resource order) as adding every workload up again.
   */
  nextState(
    phase: PhaseSpec,
    previous: PlanState,
    active: ActiveWorkloads,
    merges: Map<string, { spec: MergeSpec; sources: WorkloadModel[] }>,
    touched: ReadonlySet<string>,
  ): PlanState {
    const before = stateIndexes.get(previous);
    if (!before || !before.exact || touched.size * 4 > active.size) return this.state(phase, active, merges);
    const totals: StateTotals = {
      ...previous.totals,
      requests: { ...previous.totals.requests },
      limits: { ...previous.totals.limits },
      unlimitedContainers: { ...previous.totals.unlimitedContainers },
      missingRequests: { ...previous.totals.missingRequests },
    };
    const index: StateIndex = {
      ids: [],
      requestKeys: new Map(before.requestKeys),
      limitKeys: new Map(before.limitKeys),
      exact: true,
    };
    const changed = new Map<string, StateWorkload>();
    for (const id of touched) {
      const workload = active.get(id);
      if (!workload) continue;
      const entry = this.stateWorkload(workload, merges);
      changed.set(id, entry);
      count(totals, index, entry, 1);
    }
    // In the order of `active`: the previous state's, with what the phase touched replaced in place or
    // left out, then what went to the end of the order during the phase.
    const workloads: StateWorkload[] = [];
    const ids = index.ids;
    const previousIds = before.ids;
    for (let i = 0; i < previousIds.length; i++) {
      const id = previousIds[i];
      if (!touched.has(id)) {
        workloads.push(previous.workloads[i]);
        ids.push(id);
        continue;
      }
      count(totals, index, previous.workloads[i], -1);
      if (active.has(id) && !active.isAppendedInPhase(id)) {
        workloads.push(changed.get(id)!);
        ids.push(id);
      }
    }
    for (const id of active.appendedInPhase()) {
      workloads.push(changed.get(id)!);
      ids.push(id);
    }
    if (!index.exact) return this.state(phase, active, merges);
    totals.requests = inFirstUseOrder(totals.requests, index.requestKeys, workloads, 'requests');
    totals.limits = inFirstUseOrder(totals.limits, index.limitKeys, workloads, 'limits');
    return this.finish(phase, workloads, totals, index);
  }

  /** Adds the simulated placement (budget.nodes) and keeps the index for the next state. */
  private finish(
    phase: PhaseSpec | null,
    workloads: StateWorkload[],
    totals: StateTotals,
    index: StateIndex,
  ): PlanState {
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
          schedule: schedule(
            this.nodes.filter((n) => !lost.has(n)),
            daemons,
            groups,
          ),
        };
      }
    }
    stateIndexes.set(result, index);
    return result;
  }
}

function emptyTotals(): StateTotals {
  return {
    workloads: 0,
    pods: 0,
    jobs: 0,
    requests: {},
    limits: {},
    unlimitedContainers: { cpu: 0, memory: 0 },
    missingRequests: { cpu: 0, memory: 0 },
  };
}

/** Adds (sign 1) or takes away (sign -1) one workload's share of a state's totals. */
function count(totals: StateTotals, index: StateIndex, entry: StateWorkload, sign: 1 | -1): void {
  if (!entry.workload.steady) {
    totals.jobs += sign;
    return;
  }
  const { pods, perPod } = entry;
  totals.workloads += sign;
  totals.pods += sign * pods;
  countResources(totals.requests, index.requestKeys, perPod.requests, pods, sign, index);
  countResources(totals.limits, index.limitKeys, perPod.limits, pods, sign, index);
  totals.unlimitedContainers.cpu += sign * perPod.unlimited.cpu * pods;
  totals.unlimitedContainers.memory += sign * perPod.unlimited.memory * pods;
  totals.missingRequests.cpu += sign * perPod.missingRequests.cpu * pods;
  totals.missingRequests.memory += sign * perPod.missingRequests.memory * pods;
  if (!Number.isSafeInteger(totals.pods)) index.exact = false;
}

function countResources(
  total: ResourceList,
  keys: Map<string, number>,
  perPod: ResourceList,
  pods: number,
  sign: 1 | -1,
  index: StateIndex,
): void {
  for (const [name, value] of Object.entries(perPod)) {
    const next = (total[name] ?? 0) + sign * value * pods;
    total[name] = next;
    keys.set(name, (keys.get(name) ?? 0) + sign);
    if (!Number.isSafeInteger(value * pods) || !Number.isSafeInteger(next)) index.exact = false;
  }
}

/**
 * The totals' resources in the order adding every workload up gives them (the order each first appears
 * in), without those no workload has any more.
 */
function inFirstUseOrder(
  total: ResourceList,
  keys: Map<string, number>,
  workloads: StateWorkload[],
  which: 'requests' | 'limits',
): ResourceList {
  let wanted = 0;
  for (const n of keys.values()) if (n > 0) wanted++;
  const seen = new Set<string>();
  for (const entry of workloads) {
    if (seen.size === wanted) break;
    if (entry.workload.steady) for (const name of Object.keys(entry.perPod[which])) seen.add(name);
  }
  const ordered: ResourceList = {};
  for (const name of seen) ordered[name] = total[name];
  return ordered;
}

/** The merge of `phase` named by `text` (`name` or `namespace/name`: the merged workload's namespace is its first source's, matched by name). */
function mergeCreatedInPhase(text: string, phase: PhaseSpec): MergeSpec | undefined {
  const name = text.slice(text.indexOf('/') + 1);
  return phase.merge.find((m) => m.name === name);
}

/** The sources' containers under the names they get in the merged pod (colliding names made unique). */
function renamedContainers(sources: WorkloadModel[], key: 'containers' | 'initContainers'): ContainerModel[] {
  const renames = containerRenames(
    sources.map((s) => ({
      id: s.id,
      name: s.name,
      initContainers: s.initContainers.map((c) => c.name),
      containers: s.containers.map((c) => c.name),
    })),
  );
  return sources.flatMap((s) => s[key].map((c) => ({ ...c, name: renames.get(s.id)?.get(c.name) ?? c.name })));
}

/** A workload's per-pod resources in a plan: its namespace's LimitRanges and the plan's pod overhead. */
export function podResourcesInPlan(
  plan: PlanModel,
  limitRanges: LimitRangeModel[],
): (workload: WorkloadModel) => PodResources {
  const podOverhead = plan.budget?.podOverhead ?? {};
  const overheadKey = JSON.stringify(podOverhead);
  // The LimitRanges of each namespace, looked up once per namespace rather than once per workload.
  const rangesIn = new Map<string, LimitRangeModel[]>();
  return (workload) => {
    const namespace = namespaceOf(workload, plan.namespace);
    let ranges = rangesIn.get(namespace);
    if (!ranges)
      rangesIn.set(namespace, (ranges = limitRanges.filter((r) => namespaceOf(r, plan.namespace) === namespace)));
    // A plan edit recomputes every state, and a manifest edit makes a new list of the sources' LimitRanges;
    // a workload's per-pod figures only change with the LimitRanges of its namespace (the same objects while
    // their file does not change) and the plan's pod overhead.
    const memo = perPodMemo.get(workload);
    if (memo && memo.overhead === overheadKey && sameRanges(memo.ranges, ranges)) return memo.result;
    const result = podResources(workload, { limitRanges: ranges, podOverhead });
    perPodMemo.set(workload, { ranges, overhead: overheadKey, result });
    return result;
  };
}

function sameRanges(a: LimitRangeModel[], b: LimitRangeModel[]): boolean {
  return a === b || (a.length === b.length && a.every((range, i) => range === b[i]));
}

const perPodMemo = new WeakMap<WorkloadModel, { ranges: LimitRangeModel[]; overhead: string; result: PodResources }>();

function patchContainer(container: ContainerModel, patch: ResourcePatch): ContainerModel {
  return {
    ...container,
    requests: { ...container.requests, ...patch.requests },
    limits: { ...container.limits, ...patch.limits },
  };
}

/** The workload a merge creates: one pod of every source container (pod) or of the plan's container (replace). */
export function mergeWorkloads(
  merge: MergeSpec,
  sources: WorkloadModel[],
  defaultNamespace: string | undefined,
): WorkloadModel {
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
            ports: (merge.container?.ports ?? []).map((port) => ({
              port,
              protocol: 'TCP',
              location: merge.container!.location,
            })),
            location: merge.container?.location ?? merge.location,
            resourcesLocation: merge.container?.location ?? merge.location,
          },
        ]
      : renamedContainers(sources, 'containers');
  const overhead: ResourceList = {};
  for (const source of sources)
    for (const [k, v] of Object.entries(source.podOverhead)) overhead[k] = Math.max(overhead[k] ?? 0, v);
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
