// What the pictures show, derived from the report JSON only (never from engine internals), so the
// HTML page, the SVG chart, the Markdown table and the editor's view all draw the same numbers.
import { orderedResources } from '../formatResources';
import type { PlanReport, StateReport, TargetReport, WorkloadShare } from '../report';
import { columnUnit, sharePercent, type ColumnUnit } from './units';

export type MetricKind = 'requests' | 'limits' | 'count';

/** One bar chart: a resource (requests or limits), pods or workloads, for every state. */
export interface Metric {
  /** Stable id: `memory.requests`, `cpu.limits`, `pods`, `workloads`, `nvidia.com/gpu.requests`. */
  id: string;
  label: string;
  resource: string;
  kind: MetricKind;
  /** The budget the bars are measured against, when the plan sets one. */
  budget?: number;
  /** For limits: budget × budget.limitsOvercommit, the line above which limits are overcommitted too far. */
  overcommit?: { percent: number; amount: number };
  unit: ColumnUnit;
  rows: MetricRow[];
}

export type Status = 'ok' | 'over' | 'overcommitted';

export interface MetricRow {
  state: string;
  /** Index in report.states. */
  index: number;
  value: number;
  /** `94%` of the budget, when there is one. */
  share?: string;
  status: Status;
  targets: TargetReport[];
  /** On the CPU and memory requests bars of a plan with a usage snapshot: the state's observed usage. */
  usage?: UsageMark;
}

/**
 * A state's predicted usage drawn on its requests bar: CPU p95 and memory max (what the request-sizing
 * rules compare requests with, krr's simple strategy), summed over the state's pods as the report gives it.
 */
export interface UsageMark {
  stat: UsageStat;
  /** null: no data (the snapshot could not be read, or no workload of the state has data): never zero. */
  value: number | null;
  /** Steady workloads left out of the sum for lack of data: the value is what the others use. */
  unknown: string[];
  /** Share of the budget, when there is one. */
  share?: string;
}

export type UsageStat = 'p95' | 'max';

/** The statistic each resource's usage is drawn with. */
export const USAGE_STAT: Record<'cpu' | 'memory', UsageStat> = { cpu: 'p95', memory: 'max' };

/** A state's usage of cpu or memory as drawn (undefined: the plan has no usage snapshot). */
export function stateUsage(state: StateReport, resource: 'cpu' | 'memory', budget?: number): UsageMark | undefined {
  if (state.usage === undefined) return undefined;
  const stat = USAGE_STAT[resource];
  if (state.usage === null) return { stat, value: null, unknown: [] };
  const unknown = resource === 'cpu' ? state.usage.unknownCpu : state.usage.unknownMemory;
  const measured = state.composition.filter((w) => w.steady && w.pods > 0 && !unknown.includes(w.name));
  // Every workload unknown: the sum is 0 only because nothing was counted.
  const value = unknown.length > 0 && measured.length === 0 ? null : state.usage[resource][stat];
  return {
    stat,
    value,
    unknown: [...unknown],
    share: value !== null && budget ? sharePercent(value, budget) : undefined,
  };
}

/** A workload's usage of a metric's resource in a state: undefined when not drawn (no snapshot, or not CPU or memory requests), null for no data. */
export function workloadUsage(
  workload: WorkloadShare,
  metric: Pick<Metric, 'resource' | 'kind'>,
): number | null | undefined {
  if (!workload.usage || metric.kind !== 'requests' || (metric.resource !== 'cpu' && metric.resource !== 'memory'))
    return undefined;
  const figures = workload.usage[metric.resource];
  return figures ? figures[USAGE_STAT[metric.resource]] : null;
}

/** `CPU p95` / `memory max`. */
export function usageStatLabel(resource: string, stat: UsageStat): string {
  return `${resource === 'cpu' ? 'CPU' : resource} ${stat}`;
}

const TARGET_METRIC: Record<TargetReport['metric'], string> = {
  workloads: 'workloads',
  pods: 'pods',
  cpuRequests: 'cpu.requests',
  memoryRequests: 'memory.requests',
  cpuLimits: 'cpu.limits',
  memoryLimits: 'memory.limits',
};

export function stateName(state: StateReport): string {
  return state.phase === null ? 'current' : `after ${state.phase}`;
}

/** The metrics of the budget chart, in reading order: cpu, memory (requests then limits), pods, extended resources, workloads. */
export function budgetMetrics(report: PlanReport): Metric[] {
  const budget = report.budget;
  const extended = orderedResources(
    new Set(
      [...Object.keys(budget?.extended ?? {}), ...report.states.flatMap((s) => Object.keys(s.requests))].filter(
        (k) => k !== 'cpu' && k !== 'memory',
      ),
    ),
  );
  const specs: {
    id: string;
    label: string;
    resource: string;
    kind: MetricKind;
    value: (s: StateReport) => number;
    budget?: number;
  }[] = [
    {
      id: 'cpu.requests',
      label: 'CPU requests',
      resource: 'cpu',
      kind: 'requests',
      value: (s) => s.requests.cpu ?? 0,
      budget: budget?.cpu,
    },
    {
      id: 'cpu.limits',
      label: 'CPU limits',
      resource: 'cpu',
      kind: 'limits',
      value: (s) => s.limits.cpu ?? 0,
      budget: budget?.cpu,
    },
    {
      id: 'memory.requests',
      label: 'Memory requests',
      resource: 'memory',
      kind: 'requests',
      value: (s) => s.requests.memory ?? 0,
      budget: budget?.memory,
    },
    {
      id: 'memory.limits',
      label: 'Memory limits',
      resource: 'memory',
      kind: 'limits',
      value: (s) => s.limits.memory ?? 0,
      budget: budget?.memory,
    },
    { id: 'pods', label: 'Pods', resource: 'pods', kind: 'count', value: (s) => s.pods, budget: budget?.pods },
    ...extended.map((name) => ({
      id: `${name}.requests`,
      label: `${name} requests`,
      resource: name,
      kind: 'requests' as const,
      value: (s: StateReport) => s.requests[name] ?? 0,
      budget: budget?.extended[name],
    })),
    { id: 'workloads', label: 'Workloads', resource: 'workloads', kind: 'count', value: (s) => s.workloads },
  ];
  return specs.map((spec) => {
    const values = report.states.map(spec.value);
    const overcommit =
      spec.kind === 'limits' && spec.budget && budget
        ? {
            percent: budget.limitsOvercommitPercent,
            amount: Number(
              (BigInt(spec.budget) * BigInt(Math.round(budget.limitsOvercommitPercent * 1000))) / 100_000n,
            ),
          }
        : undefined;
    const rows = report.states.map((state, index): MetricRow => {
      const value = values[index];
      const status: Status =
        spec.budget === undefined
          ? 'ok'
          : overcommit
            ? value > overcommit.amount
              ? 'overcommitted'
              : 'ok'
            : value > spec.budget
              ? 'over'
              : 'ok';
      const usage =
        spec.kind === 'requests' && (spec.resource === 'cpu' || spec.resource === 'memory')
          ? stateUsage(state, spec.resource, spec.budget)
          : undefined;
      return {
        state: stateName(state),
        index,
        value,
        share: spec.budget ? sharePercent(value, spec.budget) : undefined,
        status,
        targets: state.targets.filter((t) => TARGET_METRIC[t.metric] === spec.id),
        ...(usage ? { usage } : {}),
      };
    });
    const used = rows.flatMap((r) => (r.usage && r.usage.value !== null ? [r.usage.value] : []));
    return {
      id: spec.id,
      label: spec.label,
      resource: spec.resource,
      kind: spec.kind,
      budget: spec.budget,
      overcommit,
      unit: columnUnit(spec.resource, [...values, ...used, spec.budget ?? 0, overcommit?.amount ?? 0]),
      rows,
    };
  });
}

/** A workload's amount of a metric (requests or limits of a resource, or its pods). */
export function workloadAmount(workload: WorkloadShare, metric: Pick<Metric, 'resource' | 'kind'>): number {
  if (metric.resource === 'pods') return workload.pods;
  if (metric.resource === 'workloads') return 1;
  return metric.kind === 'limits' ? (workload.limits[metric.resource] ?? 0) : (workload.requests[metric.resource] ?? 0);
}

/** The metrics a state's composition can be sorted by (no `workloads`: every workload is one). */
export function compositionMetrics(report: PlanReport): Metric[] {
  return budgetMetrics(report).filter((m) => m.id !== 'workloads');
}

/** The steady workloads of a state by their share of a metric, largest first (ties by name). */
export function sortedComposition(state: StateReport, metric: Pick<Metric, 'resource' | 'kind'>): WorkloadShare[] {
  return state.composition
    .filter((w) => w.steady)
    .sort(
      (a, b) =>
        workloadAmount(b, metric) - workloadAmount(a, metric) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
}

export interface WorstShare {
  state: string;
  metric: string;
  value: number;
  budget: number;
  share: string;
  /** Share in thousandths of a percent, for comparing. */
  milliPercent: number;
}

/** The largest share of a budget (requests, pods, extended resources) in any state: what the status bar shows. */
export function worstShare(report: PlanReport): WorstShare | undefined {
  let worst: WorstShare | undefined;
  for (const metric of budgetMetrics(report)) {
    if (metric.kind === 'limits' || !metric.budget) continue;
    for (const row of metric.rows) {
      const milliPercent = Number((BigInt(row.value) * 100_000n) / BigInt(metric.budget));
      if (!worst || milliPercent > worst.milliPercent) {
        worst = {
          state: row.state,
          metric: metric.label.toLowerCase().replace(/^cpu/, 'CPU'),
          value: row.value,
          budget: metric.budget,
          share: row.share!,
          milliPercent,
        };
      }
    }
  }
  return worst;
}
