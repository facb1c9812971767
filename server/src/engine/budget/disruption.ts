import type { WorkloadPolicyModel } from '../model/manifest';
import type { PlanState, StateWorkload } from './states';
import { namespaceOf } from './resolve';
import { selectorMatches } from '../model/selector';

/** What a PodDisruptionBudget selects in a state, and whether it lets any pod be evicted. */
export interface DisruptionFact {
  pdb: WorkloadPolicyModel;
  selected: StateWorkload[];
  pods: number;
  /** `minAvailable` or `maxUnavailable` as a pod count (percentages rounded up, as Kubernetes does). */
  field: 'minAvailable' | 'maxUnavailable';
  value: number;
  /** No eviction allowed: minAvailable >= pods, or maxUnavailable 0. */
  blocks: boolean;
}

export function disruptionFact(
  pdb: WorkloadPolicyModel,
  state: PlanState,
  defaultNamespace: string | undefined,
): DisruptionFact | undefined {
  const selector = pdb.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const namespace = namespaceOf(pdb, defaultNamespace);
  const selected = state.workloads.filter(
    (w) =>
      w.workload.steady &&
      namespaceOf(w.workload, defaultNamespace) === namespace &&
      selectorMatches(selector, w.workload.podLabels),
  );
  const pods = selected.reduce((n, w) => n + w.pods, 0);
  if (pods === 0) return undefined;
  const field =
    pdb.minAvailable !== undefined ? 'minAvailable' : pdb.maxUnavailable !== undefined ? 'maxUnavailable' : undefined;
  if (!field) return undefined;
  const value = scaled(pdb[field]!, pods);
  if (value === undefined) return undefined;
  return { pdb, selected, pods, field, value, blocks: field === 'minAvailable' ? value >= pods : value === 0 };
}

/** `2` or `"50%"` of `pods`, rounded up; undefined when it is neither. */
function scaled(raw: number | string, pods: number): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw : undefined;
  const percent = /^([0-9]+)%$/.exec(raw.trim());
  if (percent) return Math.ceil((Number(percent[1]) * pods) / 100);
  return /^[0-9]+$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}
