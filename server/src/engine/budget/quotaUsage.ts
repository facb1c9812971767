import { addInto, type ResourceList } from '../model/resources';
import type { ResourceQuotaModel } from '../model/manifest';
import type { PlanState } from './states';
import { namespaceOf } from './resolve';

/** One `spec.hard` key a state goes over. */
export interface QuotaExcess {
  /** As written in the quota: `pods`, `requests.memory`, `limits.cpu`, `cpu`. */
  key: string;
  used: number;
  hard: number;
}

/** What the steady workloads of a namespace use in a state, as a quota counts it. */
export interface NamespaceUsage {
  pods: number;
  requests: ResourceList;
  limits: ResourceList;
  /** Containers without a CPU / memory limit (a quota on limits.cpu / limits.memory rejects their pods). */
  unlimited: { cpu: number; memory: number };
}

export function namespaceUsage(
  state: PlanState,
  namespace: string,
  defaultNamespace: string | undefined,
): NamespaceUsage {
  const usage: NamespaceUsage = { pods: 0, requests: {}, limits: {}, unlimited: { cpu: 0, memory: 0 } };
  for (const w of state.workloads) {
    if (!w.workload.steady || namespaceOf(w.workload, defaultNamespace) !== namespace) continue;
    usage.pods += w.pods;
    addInto(usage.requests, w.perPod.requests, w.pods);
    addInto(usage.limits, w.perPod.limits, w.pods);
    usage.unlimited.cpu += w.perPod.unlimited.cpu * w.pods;
    usage.unlimited.memory += w.perPod.unlimited.memory * w.pods;
  }
  return usage;
}

/** The keys of a quota a state's usage is strictly above (equal fits, as the API server admits it). */
export function quotaExcesses(quota: ResourceQuotaModel, usage: NamespaceUsage): QuotaExcess[] {
  const excesses: QuotaExcess[] = [];
  for (const key of Object.keys(quota.keyLocations)) {
    let used: number;
    let hard: number;
    if (key === 'pods') {
      used = usage.pods;
      hard = quota.pods!;
    } else {
      const limits = key.startsWith('limits.');
      const resource = key.replace(/^(requests|limits)\./, '');
      used = (limits ? usage.limits : usage.requests)[resource] ?? 0;
      hard = (limits ? quota.limits : quota.requests)[resource];
    }
    if (hard !== undefined && used > hard) excesses.push({ key, used, hard });
  }
  return excesses;
}
