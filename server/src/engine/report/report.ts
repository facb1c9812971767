import * as path from 'node:path';
import type { PlanResult } from '../workspace/consolidationWorkspace';
import type { ResourceList } from '../model/resources';
import { usageOfState } from '../usage/lookup';

export interface StateReport {
  phase: string | null;
  workloads: number;
  pods: number;
  jobs: number;
  requests: ResourceList;
  limits: ResourceList;
  unlimitedContainers: { cpu: number; memory: number };
  unschedulable: number | null;
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
  budget: { cpu?: number; memory?: number; pods?: number; extended: ResourceList } | null;
  states: StateReport[];
  /** The usage snapshot the numbers come from, when the plan names one. */
  usage?: { file: string; source: string | null; takenAt: string | null; window: string | null; error: string | null } | null;
}

/** The plan's numbers per state, as `consolidate report --format json` prints them. */
export function buildReport(result: PlanResult, cwd: string): PlanReport {
  const budget = result.plan.budget;
  const { cpu, memory, ...extended } = budget?.allocatable ?? {};
  return {
    plan: path.relative(cwd, result.plan.path).split(path.sep).join('/'),
    name: result.plan.name ?? null,
    budget: budget ? { cpu, memory, pods: budget.pods, extended } : null,
    states: result.analysis.states.map((state) => ({
      phase: state.phase?.name ?? null,
      workloads: state.totals.workloads,
      pods: state.totals.pods,
      jobs: state.totals.jobs,
      requests: withCpuMemory(state.totals.requests),
      limits: withCpuMemory(state.totals.limits),
      unlimitedContainers: { ...state.totals.unlimitedContainers },
      unschedulable: state.schedule ? state.schedule.unschedulableCount : null,
      // Only with a snapshot, so reports of plans without one stay as they were.
      ...(result.plan.usage ? { usage: usageReport(result, state) } : {}),
    })),
    ...(result.plan.usage ? { usage: {
          file: result.plan.usage.file,
          source: result.usage?.snapshot.source ?? null,
          takenAt: result.usage?.snapshot.takenAtText ?? null,
          window: result.usage?.snapshot.windowText ?? null,
          error: result.usageError ?? (result.usage?.snapshot.problems.some((p) => p.severity === 'error') ? 'the snapshot has errors (consolidate check)' : null),
        } } : {}),
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

function withCpuMemory(list: ResourceList): ResourceList {
  const { cpu = 0, memory = 0, ...rest } = list;
  return { cpu, memory, ...rest };
}
