import * as path from 'node:path';
import type { PlanResult } from '../workspace/consolidationWorkspace';
import type { ResourceList } from '../model/resources';
import { atMaxReplicas, autoscalers } from '../budget/hpaWorstCase';

export interface StateReport {
  phase: string | null;
  workloads: number;
  pods: number;
  jobs: number;
  requests: ResourceList;
  limits: ResourceList;
  unlimitedContainers: { cpu: number; memory: number };
  unschedulable: number | null;
  /** With budget.nodes: the pods each placement strategy leaves unplaced; `unschedulable` is the least. */
  unschedulableByStrategy?: { firstFit: number; bestFit: number; leastAllocated: number };
  /** With budget.tolerateNodeLoss: the nodes taken away and the pods then unplaced. */
  nodeLoss?: { lost: string[]; unschedulable: number   /** When an HPA targets a workload of the state: the totals with every targeted workload at maxReplicas. */
  atMaxReplicas?: { pods: number; requests: ResourceList; limits: ResourceList };
};
  /** When an HPA targets a workload of the state: the totals with every targeted workload at maxReplicas. */
  atMaxReplicas?: { pods: number; requests: ResourceList; limits: ResourceList };
}

export interface PlanReport {
  plan: string;
  name: string | null;
  budget: { cpu?: number; memory?: number; pods?: number; extended: ResourceList } | null;
  states: StateReport[];
}

/** The plan's numbers per state, as `consolidate report --format json` prints them. */
export function buildReport(result: PlanResult, cwd: string): PlanReport {
  const budget = result.plan.budget;
  const { cpu, memory, ...extended } = budget?.allocatable ?? {};
  const hpas = autoscalers(result.manifests.flatMap((m) => m.policies));
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
      ...(state.schedule
        ? {
            unschedulableByStrategy: {
              firstFit: state.schedule.byStrategy.firstFit.unschedulableCount,
              bestFit: state.schedule.byStrategy.bestFit.unschedulableCount,
              leastAllocated: state.schedule.byStrategy.leastAllocated.unschedulableCount,
            },
          }
        : {}),
      ...(state.nodeLoss ? { nodeLoss: { lost: state.nodeLoss.lost, unschedulable: state.nodeLoss.schedule.unschedulableCount } } : {}),
      ...atMaxOf(atMaxReplicas(state, hpas, result.plan.namespace)),
    })),
  };
}

function withCpuMemory(list: ResourceList): ResourceList {
  const { cpu = 0, memory = 0, ...rest } = list;
  return { cpu, memory, ...rest };
}

function atMaxOf(worst: ReturnType<typeof atMaxReplicas>): Pick<StateReport, 'atMaxReplicas'> {
  return worst ? { atMaxReplicas: { pods: worst.pods, requests: withCpuMemory(worst.requests), limits: withCpuMemory(worst.limits) } } : {};
}
