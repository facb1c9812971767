import { formatAlike, formatQuantityForResource } from '../quantity';
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
  const parts = names
    .filter((n) => (list[n] ?? 0) !== 0 || always.includes(n))
    .map((n) => `${formatQuantityForResource(n, list[n] ?? 0)} ${n}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

/**
 * `cpu 250m, memory 384Mi`: each resource named before its amount, as a table cell beside a label
 * (the hover's requests and limits rows). Every sentence, message and quick-fix title puts the
 * amount first (formatResourceList). Resources without an amount are left out; an empty list gives ''.
 */
export function formatNamedResources(list: Record<string, number | undefined>): string {
  return orderedResources(Object.keys(list).filter((n) => list[n] !== undefined))
    .map((n) => `${n} ${formatQuantityForResource(n, list[n]!)}`)
    .join(', ');
}

/**
 * Several resource lists compared in one sentence (a pod's requests and a node's room), each resource
 * in one unit across them: `500m cpu, 12Gi memory` beside `1,500m cpu, 3Gi memory`.
 */
export function formatResourceListsAlike(lists: ResourceList[], always: string[] = []): string[] {
  const names = orderedResources(new Set([...lists.flatMap((l) => Object.keys(l)), ...always]));
  const shown = new Map(
    names.map((n) => [
      n,
      formatAlike(
        n,
        lists.map((l) => l[n] ?? 0),
      ),
    ]),
  );
  return lists.map((list, index) => {
    const parts = names
      .filter((n) => (list[n] ?? 0) !== 0 || always.includes(n))
      .map((n) => `${shown.get(n)![index]} ${n}`);
    return parts.length ? parts.join(', ') : 'nothing';
  });
}
