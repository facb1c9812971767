import type { ContainerModel, LimitRangeModel, WorkloadModel } from '../model/manifest';
import { addInto, CPU, MEMORY, maxInto, type ResourceList } from '../model/resources';

/** What one pod of a workload requests and is limited to, after Kubernetes defaulting. */
export interface PodResources {
  requests: ResourceList;
  /** Limits of the containers that set one; see `unlimited` for those that do not. */
  limits: ResourceList;
  /** App containers without a cpu / memory limit. */
  unlimited: { cpu: number; memory: number };
  /** App containers without a cpu / memory request (after defaulting). */
  missingRequests: { cpu: number; memory: number };
}

export interface PodContext {
  /** LimitRange defaults in the workload's namespace. */
  limitRanges: LimitRangeModel[];
  /** The plan's `budget.podOverhead`, added to every pod. */
  podOverhead: ResourceList;
}

/** A container's requests and limits as the API server would default them. */
export function effectiveContainerResources(
  container: ContainerModel,
  limitRanges: LimitRangeModel[],
): { requests: ResourceList; limits: ResourceList } {
  const limits: ResourceList = {};
  for (const range of limitRanges) Object.assign(limits, range.defaultLimits);
  Object.assign(limits, container.limits);
  const requests: ResourceList = {};
  for (const range of limitRanges) {
    // LimitRange: a default limit without a defaultRequest also defaults the request.
    for (const [name, value] of Object.entries(range.defaultLimits))
      if (container.limits[name] === undefined) requests[name] = value;
    Object.assign(requests, range.defaultRequests);
  }
  // A container that sets a limit but no request requests its limit.
  Object.assign(requests, container.limits, container.requests);
  for (const [name, value] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = value;
  return { requests, limits };
}

export function podResources(workload: WorkloadModel, context: PodContext): PodResources {
  const appRequests: ResourceList = {};
  const appLimits: ResourceList = {};
  const initRequests: ResourceList = {};
  const initLimits: ResourceList = {};
  const unlimited = { cpu: 0, memory: 0 };
  const missingRequests = { cpu: 0, memory: 0 };
  const limitedBy: Record<string, number> = {};
  const all = [...workload.containers, ...workload.initContainers];

  for (const container of workload.containers) {
    const { requests, limits } = effectiveContainerResources(container, context.limitRanges);
    addInto(appRequests, requests);
    addInto(appLimits, limits);
    for (const name of Object.keys(limits)) limitedBy[name] = (limitedBy[name] ?? 0) + 1;
    if (limits[CPU] === undefined) unlimited.cpu++;
    if (limits[MEMORY] === undefined) unlimited.memory++;
    if (requests[CPU] === undefined) missingRequests.cpu++;
    if (requests[MEMORY] === undefined) missingRequests.memory++;
  }
  for (const container of workload.initContainers) {
    const { requests, limits } = effectiveContainerResources(container, context.limitRanges);
    maxInto(initRequests, requests);
    maxInto(initLimits, limits);
    for (const name of Object.keys(limits)) limitedBy[name] = (limitedBy[name] ?? 0) + 1;
  }

  const requests = maxInto(appRequests, initRequests);
  addInto(requests, context.podOverhead);
  addInto(requests, workload.podOverhead);

  const limits = maxInto(appLimits, initLimits);
  for (const name of Object.keys(limits)) {
    // The kubelet adds the overhead to the pod cgroup only when every container is limited.
    if (limitedBy[name] === all.length) {
      limits[name] += (context.podOverhead[name] ?? 0) + (workload.podOverhead[name] ?? 0);
    }
  }
  return { requests, limits, unlimited, missingRequests };
}
