import { closest, distance } from 'fastest-levenshtein';
import type { WorkloadModel } from '../model/manifest';

export type Resolution =
  | { status: 'found'; workload: WorkloadModel }
  | { status: 'unknown'; suggestion?: string }
  | { status: 'ambiguous'; candidates: WorkloadModel[] };

/** The namespace an object (a workload, a Service, a claim, a policy) is in: its own, else the plan's default, else `default`. */
export function namespaceOf(object: { namespace?: string }, defaultNamespace: string | undefined): string {
  return object.namespace ?? defaultNamespace ?? 'default';
}

/** A workload's name for messages: `namespace/name` when it is not in the plan's default namespace. */
export function qualifiedName(
  workload: { namespace?: string; name: string },
  defaultNamespace: string | undefined,
): string {
  const namespace = namespaceOf(workload, defaultNamespace);
  return namespace === namespaceOf({}, defaultNamespace) ? workload.name : `${namespace}/${workload.name}`;
}

/** Resolves `name` or `namespace/name` among workloads (compose services also by their DNS-1123 form). */
export function resolveWorkload(
  text: string,
  workloads: Iterable<WorkloadModel>,
  defaultNamespace: string | undefined,
): Resolution {
  const all = [...workloads];
  const name = refName(text);
  return resolveNamed(
    text,
    all.filter((w) => w.name === name || w.aliases.includes(name)),
    () => all,
    defaultNamespace,
  );
}

/** The name part of `name` or `namespace/name`. */
export function refName(text: string): string {
  return text.slice(text.indexOf('/') + 1);
}

/**
 * resolveWorkload with the workloads already narrowed to those named `refName(text)` (or aliased so),
 * in the order of `all`; `all` is only read for a did-you-mean suggestion when nothing is found.
 */
export function resolveNamed(
  text: string,
  named: WorkloadModel[],
  all: () => WorkloadModel[],
  defaultNamespace: string | undefined,
): Resolution {
  const slash = text.indexOf('/');
  const namespace = slash === -1 ? undefined : text.slice(0, slash);
  let candidates = named;
  if (namespace !== undefined) {
    candidates = candidates.filter((w) => namespaceOf(w, defaultNamespace) === namespace);
  } else if (candidates.length > 1) {
    const inDefault = candidates.filter((w) => namespaceOf(w, defaultNamespace) === namespaceOf({}, defaultNamespace));
    if (inDefault.length === 1) candidates = inDefault;
  }
  if (candidates.length === 1) return { status: 'found', workload: candidates[0] };
  if (candidates.length > 1) return { status: 'ambiguous', candidates };
  return { status: 'unknown', suggestion: suggest(text, all(), defaultNamespace) };
}

/** Workloads by name and by alias, in their order: resolving many references without scanning them all. */
export function workloadsByName(workloads: WorkloadModel[]): ReadonlyMap<string, WorkloadModel[]> {
  let index = nameIndexes.get(workloads);
  if (!index) {
    index = new Map();
    for (const w of workloads) {
      for (const name of new Set([w.name, ...w.aliases])) {
        const list = index.get(name);
        if (list) list.push(w);
        else index.set(name, [w]);
      }
    }
    nameIndexes.set(workloads, index);
  }
  return index;
}

const nameIndexes = new WeakMap<WorkloadModel[], Map<string, WorkloadModel[]>>();

/** The closest known reference, when it is close enough to be a typo. */
export function suggest(
  text: string,
  workloads: WorkloadModel[],
  defaultNamespace: string | undefined,
): string | undefined {
  const names = new Set<string>();
  for (const w of workloads) {
    names.add(text.includes('/') ? `${namespaceOf(w, defaultNamespace)}/${w.name}` : w.name);
  }
  if (names.size === 0) return undefined;
  const best = closest(text, [...names]);
  const limit = Math.max(2, Math.floor(text.length / 3));
  return distance(text, best) <= limit ? best : undefined;
}
