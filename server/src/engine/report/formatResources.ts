import { formatQuantityForResource } from '../quantity';
import type { ResourceList } from '../model/resources';

const FIRST = ['cpu', 'memory'];

/** Resource names in the order people read them: cpu, memory, then the rest alphabetically. */
export function orderedResources(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => {
    const ia = FIRST.indexOf(a);
    const ib = FIRST.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? FIRST.length : ia) - (ib === -1 ? FIRST.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * `500m cpu, 1,536Mi memory`. Zero amounts are left out, except the ones named in `always`
 * (room left on a node: 0 cpu is exactly why a pod does not fit).
 */
export function formatResourceList(list: ResourceList, always: string[] = []): string {
  const names = orderedResources(new Set([...Object.keys(list), ...always]));
  const parts = names.filter((n) => (list[n] ?? 0) !== 0 || always.includes(n)).map((n) => `${formatQuantityForResource(n, list[n] ?? 0)} ${n}`);
  return parts.length ? parts.join(', ') : 'nothing';
}
