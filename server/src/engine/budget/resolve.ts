import { closest, distance } from 'fastest-levenshtein';
import type { WorkloadModel } from '../model/workspace';

export type Resolution =
  | { status: 'found'; workload: WorkloadModel }
  | { status: 'unknown'; suggestion?: string }
  | { status: 'ambiguous'; candidates: WorkloadModel[] };

/** The namespace an object (a workload, a Service, a claim, a policy) is in: its own, else the plan's default, else `default`. */
export function namespaceOf(object: { namespace?: string }, defaultNamespace: string | undefined): string {
  return object.namespace ?? defaultNamespace ?? 'default';
}

/** A workload's name for messages: `namespace/name` when it is not in the plan's default namespace. */
export function qualifiedName(workload: { namespace?: string; name: string }, defaultNamespace: string | undefined): string {
  const namespace = namespaceOf(workload, defaultNamespace);
  return namespace === namespaceOf({}, defaultNamespace) ? workload.name : `${namespace}/${workload.name}`;
}

/** Resolves `name` or `namespace/name` among workloads (compose services also by their DNS-1123 form). */
export function resolveWorkload(text: string, workloads: Iterable<WorkloadModel>, defaultNamespace: string | undefined): Resolution {
  const slash = text.indexOf('/');
  const namespace = slash === -1 ? undefined : text.slice(0, slash);
  const name = slash === -1 ? text : text.slice(slash + 1);
  const all = [...workloads];
  let candidates = all.filter((w) => w.name === name || w.aliases.includes(name));
  if (namespace !== undefined) {
    candidates = candidates.filter((w) => namespaceOf(w, defaultNamespace) === namespace);
  } else if (candidates.length > 1) {
    const inDefault = candidates.filter((w) => namespaceOf(w, defaultNamespace) === namespaceOf({}, defaultNamespace));
    if (inDefault.length === 1) candidates = inDefault;
  }
  if (candidates.length === 1) return { status: 'found', workload: candidates[0] };
  if (candidates.length > 1) return { status: 'ambiguous', candidates };
  return { status: 'unknown', suggestion: suggest(text, all, defaultNamespace) };
}

/** The closest known reference, when it is close enough to be a typo. */
export function suggest(text: string, workloads: WorkloadModel[], defaultNamespace: string | undefined): string | undefined {
  const names = new Set<string>();
  for (const w of workloads) {
    names.add(text.includes('/') ? `${namespaceOf(w, defaultNamespace)}/${w.name}` : w.name);
  }
  if (names.size === 0) return undefined;
  const best = closest(text, [...names]);
  const limit = Math.max(2, Math.floor(text.length / 3));
  return distance(text, best) <= limit ? best : undefined;
}
