import * as path from 'node:path';
import type { PlanResult } from '../analysis/planResult';
import type { ResourceList } from '../model/resources';
import type { SourceLocation } from '../model/location';
import type { PlanState } from '../budget/states';
import type { TargetMetric, TargetSpec, UsageTargetMetric } from '../plan/types';
import { expandNodes } from '../budget/schedule';
import { aboveShare } from '../budget/share';
import { atMaxReplicas, autoscalers } from '../budget/hpaWorstCase';
import { namespaceOf } from '../budget/resolve';

/** Where something is written: a path relative to the report's folder (like `plan`) and a 0-based line. */
export interface ReportLocation {
  file: string;
  line: number;
}

/** One workload of a state and what it takes: totals over its pods (perPod × pods). */
export interface WorkloadShare {
  name: string;
  namespace: string | null;
  kind: string;
  pods: number;
  /** false for one-shot work (Jobs, CronJobs): not counted in the state's totals. */
  steady: boolean;
  requests: ResourceList;
  limits: ResourceList;
  /** The workloads a merge made this one from. */
  mergedFrom?: string[];
  location: ReportLocation;
  /**
   * Observed usage predicted for the workload in the state (per-pod statistics × pods), only when the
   * plan has a usage snapshot that could be read; a resource is null when the snapshot has no data for
   * (some container of) the workload: unknown, not zero.
   */
  usage?: { cpu: UsageFigures | null; memory: UsageFigures | null };
}

/** p50, p95 and max of observed usage (cpu in millicores, memory in bytes). */
export interface UsageFigures {
  p50: number;
  p95: number;
  max: number;
}

/** Targets on the budget's figures; usage targets (`cpuUsage`, `memoryUsage`) are reported with the usage. */
export type BudgetTargetMetric = Exclude<TargetMetric, UsageTargetMetric>;

/** A phase target, judged against the state after that phase. */
export interface TargetReport {
  metric: BudgetTargetMetric;
  /** As written in the plan: `80%`, `25`, `6Gi`. */
  raw: string | number;
  /** The amount the state must not exceed (pods, millicores, bytes), or null when it is a share of a budget the plan does not set. */
  limit: number | null;
  actual: number;
  met: boolean | null;
  location: ReportLocation;
}

/** Pods of one workload on a node: `names` are the simulation's (`api#1`, `agent@node-1` for a DaemonSet). */
export interface NodePodsReport {
  workload: string;
  namespace: string | null;
  count: number;
  /** One pod's requests (cpu in millicores, memory in bytes). */
  requests: ResourceList;
  names: string[];
  daemon?: true;
  /** Where the workload is written (its name in its manifest, or the merge in the plan). */
  location: ReportLocation | null;
}

export interface NodeReport {
  node: string;
  allocatable: ResourceList;
  podCapacity: number;
  free: ResourceList;
  freePods: number;
  /** The pods placed on the node, a workload at a time. */
  pods: NodePodsReport[];
  /** Anything else the scheduling simulation says about the node (passed through as it gives it). */
  [more: string]: unknown;
}

export interface ScheduleReport {
  nodes: NodeReport[];
  unschedulable: {
    workload: string;
    count: number;
    name: string;
    requests: ResourceList;
    location: ReportLocation | null;
  }[];
}
import { usageOfState } from '../usage/lookup';
import type { StateUsage } from '../usage/stateUsage';

export interface StateReport {
  phase: string | null;
  workloads: number;
  pods: number;
  jobs: number;
  requests: ResourceList;
  limits: ResourceList;
  unlimitedContainers: { cpu: number; memory: number };
  unschedulable: number | null;
  /** Every workload of the state, steady ones by memory requests then CPU requests (largest first), then one-shot ones. */
  composition: WorkloadShare[];
  targets: TargetReport[];
  /** Where the pods land in the scheduling simulation (only with `budget.nodes`). */
  schedule: ScheduleReport | null;
  /** Where the state is written: the phase's name, or `budget` (else `spec`) for the current state. */
  location: ReportLocation;
  /** With budget.nodes: the pods each placement strategy leaves unplaced; `unschedulable` is the least. */
  unschedulableByStrategy?: { firstFit: number; bestFit: number; leastAllocated: number };
  /** With budget.tolerateNodeLoss: the nodes taken away and the pods then unplaced. */
  nodeLoss?: { lost: string[]; unschedulable: number };
  /** When an HPA targets a workload of the state: the totals with every targeted workload at maxReplicas. */
  atMaxReplicas?: { pods: number; requests: ResourceList; limits: ResourceList };
  /** Observed usage predicted for the state (spec.usage): sums of per-pod statistics × pods; null without a snapshot. */
  usage?: StateUsageReport | null;
}

export interface StateUsageReport {
  cpu: { p50: number; p95: number; max: number };
  memory: { p50: number; p95: number; max: number };
  /** Steady workloads left out of a sum because the snapshot has no data for them (unknown, not zero). */
  unknownCpu: string[];
  unknownMemory: string[];
}

export interface PlanReport {
  plan: string;
  name: string | null;
  budget: {
    cpu?: number;
    memory?: number;
    pods?: number;
    extended: ResourceList;
    limitsOvercommitPercent: number;
  } | null;
  states: StateReport[];
  /** The usage snapshot the numbers come from, when the plan names one. */
  usage?: {
    file: string;
    source: string | null;
    takenAt: string | null;
    window: string | null;
    error: string | null;
  } | null;
}

/** Reads 0-based lines of a file at an offset (the workspace's line index); files it cannot read give line 0. */
export type LineOf = (file: string, offset: number) => number | undefined;

/** The plan's numbers per state, as `consolidate report --format json` prints them. */
export function buildReport(result: PlanResult, cwd: string, lineOf: LineOf = () => undefined): PlanReport {
  const budget = result.plan.budget;
  const { cpu, memory, ...extended } = budget?.allocatable ?? {};
  const where = (location: SourceLocation): ReportLocation => ({
    file: relative(cwd, location.file),
    line: lineOf(location.file, location.range.start) ?? 0,
  });
  const hpas = autoscalers(result.manifests.flatMap((m) => m.policies));
  return {
    plan: relative(cwd, result.plan.path),
    name: result.plan.name ?? null,
    budget: budget
      ? {
          cpu,
          memory,
          pods: budget.pods,
          extended,
          limitsOvercommitPercent: budget.limitsOvercommitMilliPercent / 1000,
        }
      : null,
    states: result.analysis.states.map((state) => ({
      phase: state.phase?.name ?? null,
      workloads: state.totals.workloads,
      pods: state.totals.pods,
      jobs: state.totals.jobs,
      requests: withCpuMemory(state.totals.requests),
      limits: withCpuMemory(state.totals.limits),
      unlimitedContainers: { ...state.totals.unlimitedContainers },
      unschedulable: state.schedule ? state.schedule.unschedulableCount : null,
      composition: composition(state, where, usageOfState(result.usage, state)),
      targets: (state.phase?.targets ?? [])
        .filter(isBudgetTarget)
        .map((t) => target(t, state, budget?.allocatable ?? {}, budget?.pods, where)),
      schedule: state.schedule ? scheduleReport(state, result, where) : null,
      location: where(state.phase?.nameLocation ?? budget?.location ?? result.plan.location),
      ...(state.schedule
        ? {
            unschedulableByStrategy: {
              firstFit: state.schedule.byStrategy.firstFit.unschedulableCount,
              bestFit: state.schedule.byStrategy.bestFit.unschedulableCount,
              leastAllocated: state.schedule.byStrategy.leastAllocated.unschedulableCount,
            },
          }
        : {}),
      ...(state.nodeLoss
        ? { nodeLoss: { lost: state.nodeLoss.lost, unschedulable: state.nodeLoss.schedule.unschedulableCount } }
        : {}),
      ...atMaxOf(atMaxReplicas(state, hpas, result.plan.namespace)),
      // Only with a snapshot, so reports of plans without one stay as they were.
      ...(result.plan.usage ? { usage: usageReport(result, state) } : {}),
    })),
    ...(result.plan.usage
      ? {
          usage: {
            file: result.plan.usage.file,
            source: result.usage?.snapshot.source ?? null,
            takenAt: result.usage?.snapshot.takenAtText ?? null,
            window: result.usage?.snapshot.windowText ?? null,
            error:
              result.usageError ??
              (result.usage?.snapshot.problems.some((p) => p.severity === 'error')
                ? 'the snapshot has errors (consolidate check)'
                : null),
          },
        }
      : {}),
  };
}

function usageReport(result: PlanResult, state: PlanResult['analysis']['states'][number]): StateUsageReport | null {
  const usage = usageOfState(result.usage, state);
  if (!usage) return null;
  return {
    cpu: { ...usage.total.cpu },
    memory: { ...usage.total.memory },
    unknownCpu: usage.unknown.cpu.map((w) => w.workload.name),
    unknownMemory: usage.unknown.memory.map((w) => w.workload.name),
  };
}

function relative(cwd: string, file: string): string {
  return path.relative(cwd, file).split(path.sep).join('/');
}

function withCpuMemory(list: ResourceList): ResourceList {
  const { cpu = 0, memory = 0, ...rest } = list;
  return { cpu, memory, ...rest };
}

function timesStats(stats: UsageFigures, n: number): UsageFigures {
  return { p50: stats.p50 * n, p95: stats.p95 * n, max: stats.max * n };
}

function times(list: ResourceList, n: number): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, v * n]));
}

function composition(
  state: PlanState,
  where: (l: SourceLocation) => ReportLocation,
  usage?: StateUsage,
): WorkloadShare[] {
  const usageOf = new Map(usage?.workloads.map((u) => [u.entry, u]));
  const shares = state.workloads.map((w): WorkloadShare => {
    const share: WorkloadShare = {
      name: w.workload.name,
      namespace: w.workload.namespace ?? null,
      kind: w.workload.kind,
      pods: w.pods,
      steady: w.workload.steady,
      requests: withCpuMemory(times(w.perPod.requests, w.pods)),
      limits: withCpuMemory(times(w.perPod.limits, w.pods)),
      location: where(w.workload.nameLocation),
    };
    if (w.merge) share.mergedFrom = w.merge.sources.map((s) => s.name);
    if (usage) {
      const perPod = usageOf.get(w)?.perPod;
      share.usage = {
        cpu: perPod?.cpu ? timesStats(perPod.cpu, w.pods) : null,
        memory: perPod?.memory ? timesStats(perPod.memory, w.pods) : null,
      };
    }
    return share;
  });
  return shares.sort(
    (a, b) =>
      Number(b.steady) - Number(a.steady) ||
      (b.requests.memory ?? 0) - (a.requests.memory ?? 0) ||
      (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

const TARGET_AMOUNT: Record<
  Exclude<BudgetTargetMetric, 'pods' | 'workloads'>,
  { resource: string; kind: 'requests' | 'limits' }
> = {
  cpuRequests: { resource: 'cpu', kind: 'requests' },
  memoryRequests: { resource: 'memory', kind: 'requests' },
  cpuLimits: { resource: 'cpu', kind: 'limits' },
  memoryLimits: { resource: 'memory', kind: 'limits' },
};

/** Targets on requests, limits, pods and workloads; usage targets are judged by usage/target-missed. */
function isBudgetTarget(spec: TargetSpec): spec is TargetSpec & { metric: BudgetTargetMetric } {
  return spec.metric === 'pods' || spec.metric === 'workloads' || spec.metric in TARGET_AMOUNT;
}

/** The same judgement as the budget/target-missed rule: at most the amount, or at most the share (exact). */
function target(
  spec: TargetSpec & { metric: BudgetTargetMetric },
  state: PlanState,
  allocatable: ResourceList,
  budgetPods: number | undefined,
  where: (l: SourceLocation) => ReportLocation,
): TargetReport {
  let actual: number;
  let budget: number | undefined;
  if (spec.metric === 'workloads') {
    actual = state.totals.workloads;
  } else if (spec.metric === 'pods') {
    actual = state.totals.pods;
    budget = budgetPods;
  } else {
    const { resource, kind } = TARGET_AMOUNT[spec.metric];
    actual = state.totals[kind][resource] ?? 0;
    budget = allocatable[resource] || undefined;
  }
  const base = { metric: spec.metric, raw: spec.raw, actual, location: where(spec.location) };
  if (spec.absolute !== undefined) return { ...base, limit: spec.absolute, met: actual <= spec.absolute };
  if (spec.milliPercent !== undefined && budget !== undefined && spec.metric !== 'workloads') {
    // The limit is shown; met/missed is decided exactly, as the rule does.
    return {
      ...base,
      limit: Number((BigInt(budget) * BigInt(spec.milliPercent)) / 100_000n),
      met: !aboveShare(actual, budget, spec.milliPercent),
    };
  }
  return { ...base, limit: null, met: null };
}

function scheduleReport(
  state: PlanState,
  result: PlanResult,
  where: (l: SourceLocation) => ReportLocation,
): ScheduleReport {
  const schedule = state.schedule!;
  const capacity = new Map(expandNodes(result.plan.budget?.nodes ?? []).map((n) => [n.node, n]));
  // The simulation names workloads by name and namespace; the state's workload says where it is written.
  const locations = new Map(
    state.workloads.map((w) => [
      `${namespaceOf(w.workload, result.plan.namespace)}/${w.workload.name}`,
      w.workload.nameLocation,
    ]),
  );
  const locationOf = (workload: string, namespace: string | undefined): ReportLocation | null => {
    const location = locations.get(`${namespace ?? ''}/${workload}`);
    return location ? where(location) : null;
  };
  return {
    nodes: schedule.nodes.map((node) => ({
      ...node,
      allocatable: { ...(capacity.get(node.node)?.allocatable ?? {}) },
      podCapacity: capacity.get(node.node)?.pods ?? node.freePods,
      free: { ...node.free },
      pods: node.pods.map((p) => ({
        workload: p.workload,
        namespace: p.namespace ?? null,
        count: p.count,
        requests: { ...p.requests },
        names: [...p.names],
        ...(p.daemon ? { daemon: true as const } : {}),
        location: locationOf(p.workload, p.namespace),
      })),
    })),
    unschedulable: schedule.unschedulable.map((u) => ({
      workload: u.workload,
      count: u.count,
      name: u.name,
      requests: { ...u.requests },
      location: locationOf(u.workload, u.namespace),
    })),
  };
}

function atMaxOf(worst: ReturnType<typeof atMaxReplicas>): Pick<StateReport, 'atMaxReplicas'> {
  return worst
    ? {
        atMaxReplicas: {
          pods: worst.pods,
          requests: withCpuMemory(worst.requests),
          limits: withCpuMemory(worst.limits),
        },
      }
    : {};
}
