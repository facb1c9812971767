import { addInto, type ResourceList } from '../model/resources';
import type { WorkloadModel, WorkloadPolicyModel } from '../model/manifest';
import type { PlanState, StateWorkload } from './states';
import { namespaceOf } from './resolve';

/** The HorizontalPodAutoscalers among policies (any autoscaling version: maxReplicas means the same). */
export function autoscalers(policies: WorkloadPolicyModel[]): WorkloadPolicyModel[] {
  return policies.filter((p) => p.kind === 'HorizontalPodAutoscaler' && p.maxReplicas !== undefined && p.targetName);
}

/** Does an HPA scale this workload: same namespace, its name, and its kind when the HPA gives one? */
export function hpaTargets(
  hpa: WorkloadPolicyModel,
  workload: WorkloadModel,
  defaultNamespace: string | undefined,
): boolean {
  return (
    namespaceOf(hpa, defaultNamespace) === namespaceOf(workload, defaultNamespace) &&
    hpa.targetName === workload.name &&
    (!hpa.targetKind || hpa.targetKind === workload.kind)
  );
}

export interface ScaledWorkload {
  workload: StateWorkload;
  hpa: WorkloadPolicyModel;
  maxReplicas: number;
}

/** A state's worst case: every workload an HPA targets at its maxReplicas, the others as they are. */
export interface AtMaxReplicas {
  pods: number;
  requests: ResourceList;
  limits: ResourceList;
  scaled: ScaledWorkload[];
}

/** Undefined when no HPA targets a workload of the state. */
export function atMaxReplicas(
  state: PlanState,
  hpas: WorkloadPolicyModel[],
  defaultNamespace: string | undefined,
): AtMaxReplicas | undefined {
  if (hpas.length === 0) return undefined;
  const result: AtMaxReplicas = { pods: 0, requests: {}, limits: {}, scaled: [] };
  for (const w of state.workloads) {
    if (!w.workload.steady) continue;
    // Two HPAs on one workload fight each other; the larger maximum is the worst case.
    const hpa = hpas
      .filter((h) => w.workload.kind !== 'DaemonSet' && hpaTargets(h, w.workload, defaultNamespace))
      .sort((a, b) => b.maxReplicas! - a.maxReplicas!)[0];
    const pods = hpa ? hpa.maxReplicas! : w.pods;
    if (hpa) result.scaled.push({ workload: w, hpa, maxReplicas: pods });
    result.pods += pods;
    addInto(result.requests, w.perPod.requests, pods);
    addInto(result.limits, w.perPod.limits, pods);
  }
  return result.scaled.length > 0 ? result : undefined;
}
