/**
 * Names inside a merged pod. The budget (which resizes containers by name) and the renderer (which
 * writes the pod) must agree on them, so both take them from here.
 */

/** `wanted`, or `wanted-2`, `wanted-3`... not in `used`, at most `max` characters. */
export function uniqueName(wanted: string, used: ReadonlySet<string>, max: number): string {
  let base = wanted.slice(0, max).replace(/-+$/, '');
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) {
    const suffix = `-${i}`;
    base = base.slice(0, max - suffix.length).replace(/-+$/, '');
    candidate = `${base}${suffix}`;
  }
  return candidate;
}

export interface NamedSource {
  id: string;
  /** The workload's name, the prefix of a renamed container: `api-app`. */
  name: string;
  initContainers: string[];
  containers: string[];
}

/**
 * New container names per source: a name already taken in the pod becomes `<workload>-<name>`.
 * Init containers first, then app containers, source by source: the order the pod lists them.
 */
export function containerRenames(sources: NamedSource[]): Map<string, Map<string, string>> {
  const used = new Set<string>();
  const renames = new Map<string, Map<string, string>>();
  for (const source of sources) {
    const rename = new Map<string, string>();
    renames.set(source.id, rename);
    for (const name of [...source.initContainers, ...source.containers]) {
      const unique = uniqueName(used.has(name) ? `${source.name}-${name}` : name, used, 63);
      used.add(unique);
      if (unique !== name) rename.set(name, unique);
    }
  }
  return renames;
}
