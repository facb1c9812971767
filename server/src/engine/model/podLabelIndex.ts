import type { WorkloadModel } from './manifest';

/**
 * The Kubernetes workloads of a source set by namespace and pod label, so that matching thousands of
 * Services with thousands of workloads stays linear: a Service looks only at the workloads that carry the
 * rarest of its selector's labels. Built with plain loops and one key string per label (it is rebuilt
 * whenever a source changes: a manifest edit must not pay for a closure per Service and workload).
 */
export class PodLabelIndex {
  private readonly byLabel = new Map<string, WorkloadModel[]>();

  constructor(
    workloads: readonly WorkloadModel[],
    private readonly defaultNamespace: string | undefined,
  ) {
    for (const workload of workloads) {
      if (workload.origin !== 'kubernetes') continue;
      const namespace = workload.namespace ?? defaultNamespace ?? 'default';
      const labels = workload.podLabels;
      for (const k in labels) {
        if (!Object.hasOwn(labels, k)) continue;
        const key = labelKey(namespace, k, labels[k]);
        const list = this.byLabel.get(key);
        if (list) list.push(workload);
        else this.byLabel.set(key, [workload]);
      }
    }
  }

  /**
   * The workloads whose pods a selector selects in a namespace (the object's own, else the default), in
   * the order the workloads were given; none for an empty or absent selector, as selectorMatches says.
   */
  selected(selector: Record<string, string> | undefined, namespace: string | undefined): WorkloadModel[] {
    const candidates = this.candidates(selector, namespace);
    if (candidates.length === 0) return candidates;
    const out: WorkloadModel[] = [];
    for (const workload of candidates) if (matchesAll(selector!, workload.podLabels)) out.push(workload);
    return out;
  }

  /** Whether a selector selects the pods of any workload in the namespace. */
  selectsAny(selector: Record<string, string> | undefined, namespace: string | undefined): boolean {
    for (const workload of this.candidates(selector, namespace))
      if (matchesAll(selector!, workload.podLabels)) return true;
    return false;
  }

  /** The workloads that carry the rarest of the selector's labels (a superset of those it selects). */
  private candidates(selector: Record<string, string> | undefined, namespace: string | undefined): WorkloadModel[] {
    if (!selector) return [];
    const ns = namespace ?? this.defaultNamespace ?? 'default';
    let candidates: WorkloadModel[] | undefined;
    for (const k in selector) {
      if (!Object.hasOwn(selector, k)) continue;
      const list = this.byLabel.get(labelKey(ns, k, selector[k]));
      if (!list) return [];
      if (!candidates || list.length < candidates.length) candidates = list;
    }
    return candidates ?? [];
  }
}

function labelKey(namespace: string, key: string, value: unknown): string {
  return `${namespace}\0${key}\0${String(value)}`;
}

/** Every pair of a non-empty selector matches (selectorMatches, without allocating). */
function matchesAll(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (Object.hasOwn(selector, k) && labels[k] !== selector[k]) return false;
  return true;
}
