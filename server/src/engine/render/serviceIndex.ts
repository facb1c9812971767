import type { ManifestFile, ServiceModel, WorkloadModel } from '../model/manifest';
import { PodLabelIndex } from '../model/podLabelIndex';

/**
 * Which Services select which workloads before any phase, for one set of sources and one default
 * namespace. It depends on the manifests, not on the plan's phases, so it is built once per source set
 * (cached by the manifests array, which the workspace keeps while no source changes) and a plan edit
 * does not pay for the whole workspace again.
 */
export interface ServiceIndex {
  /** Every Service of the sources, in manifest order (its position is its ordinal). */
  services: ServiceModel[];
  /** Ordinals of the Services that select each workload's pods, by workload id. */
  selectingOf: Map<string, number[]>;
  /** Ids of the workloads each Service selects, by ordinal. */
  selectedBy: string[][];
}

const cache = new WeakMap<ManifestFile[], { workloads: WorkloadModel[]; byNamespace: Map<string, ServiceIndex> }>();

export function serviceIndex(
  manifests: ManifestFile[],
  workloads: WorkloadModel[],
  defaultNamespace: string | undefined,
): ServiceIndex {
  let entry = cache.get(manifests);
  if (!entry || entry.workloads !== workloads) cache.set(manifests, (entry = { workloads, byNamespace: new Map() }));
  const key = defaultNamespace ?? '\0';
  let index = entry.byNamespace.get(key);
  if (!index) entry.byNamespace.set(key, (index = buildIndex(manifests, workloads, defaultNamespace)));
  return index;
}

function buildIndex(
  manifests: ManifestFile[],
  workloads: WorkloadModel[],
  defaultNamespace: string | undefined,
): ServiceIndex {
  // Workloads by namespace and label, so a Service is compared with the few pods that carry its labels.
  const pods = new PodLabelIndex(workloads, defaultNamespace);
  const services = manifests.flatMap((m) => m.services);
  const selectingOf = new Map<string, number[]>();
  const selectedBy = services.map((service, ordinal) => {
    const ids: string[] = [];
    for (const workload of pods.selected(service.selector, service.namespace)) {
      ids.push(workload.id);
      const list = selectingOf.get(workload.id);
      if (list) list.push(ordinal);
      else selectingOf.set(workload.id, [ordinal]);
    }
    return ids;
  });
  return { services, selectingOf, selectedBy };
}
