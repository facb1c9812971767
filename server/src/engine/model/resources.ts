/**
 * Amounts of resources: `cpu` in integer millicores, every other resource (memory, ephemeral-storage,
 * extended resources such as nvidia.com/gpu) in integer base units.
 */
export type ResourceList = Record<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';

export function addInto(target: ResourceList, source: ResourceList, times = 1): ResourceList {
  for (const [name, value] of Object.entries(source)) target[name] = (target[name] ?? 0) + value * times;
  return target;
}

export function maxInto(target: ResourceList, source: ResourceList): ResourceList {
  for (const [name, value] of Object.entries(source)) target[name] = Math.max(target[name] ?? 0, value);
  return target;
}

export function sumLists(lists: Iterable<ResourceList>): ResourceList {
  const total: ResourceList = {};
  for (const list of lists) addInto(total, list);
  return total;
}

export function isEmpty(list: ResourceList): boolean {
  return Object.keys(list).length === 0;
}

/**
 * A name that can be a resource: `cpu`, `memory`, `nvidia.com/gpu`. Names of Object.prototype's
 * members (`toString`, `__proto__`) are not, and must never become keys of a ResourceList.
 */
export function isResourceName(name: string): boolean {
  return (
    /^([A-Za-z0-9][-A-Za-z0-9_.]*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name) &&
    !(name in Object.prototype)
  );
}
