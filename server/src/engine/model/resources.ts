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
