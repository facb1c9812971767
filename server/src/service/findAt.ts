import type { PlanState, ReferenceFact, StateWorkload } from '../engine/budget/states';
import type { WorkloadModel } from '../engine/model/manifest';
import type { MergeSpec, PhaseSpec } from '../engine/plan/types';
import type { PlanResult } from '../engine/workspace/consolidationWorkspace';
import { contains } from './positions';

export type PlanTarget =
  | { kind: 'reference'; fact: ReferenceFact; workload?: WorkloadModel; state?: StateWorkload }
  | { kind: 'merge'; merge: MergeSpec; phase: PhaseSpec; state?: StateWorkload }
  | { kind: 'phase'; phase: PhaseSpec; state: PlanState }
  | { kind: 'budget'; state: PlanState };

/** What in the plan is at an offset: a workload reference, a merge name, a phase name or the budget key. */
export function findAt(result: PlanResult, offset: number): PlanTarget | undefined {
  const { analysis, plan } = result;
  const fact = analysis.references.find((f) => contains(f.ref.location.range, offset));
  if (fact) {
    const r = fact.resolution;
    const workload = r.status === 'found' || r.status === 'gone' || r.status === 'duplicate' ? r.workload : undefined;
    const index = plan.phases.findIndex((p) => p.name === fact.phase);
    // The state before the phase that refers to it shows the workload as the reference sees it.
    const before = analysis.states[Math.max(0, index)];
    const state = workload ? before?.workloads.find((w) => w.workload.id === workload.id) : undefined;
    return { kind: 'reference', fact, workload, state };
  }
  for (const [i, phase] of plan.phases.entries()) {
    const after = analysis.states[i + 1];
    if (contains(phase.nameLocation.range, offset)) return { kind: 'phase', phase, state: after };
    for (const merge of phase.merge) {
      if (contains(merge.nameLocation.range, offset)) {
        return { kind: 'merge', merge, phase, state: after?.workloads.find((w) => w.merge?.spec === merge) };
      }
    }
  }
  if (plan.budget && contains(plan.budget.location.range, offset)) return { kind: 'budget', state: analysis.states[0] };
  return undefined;
}
