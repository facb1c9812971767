import { MERGE_LABEL, type Json, type JsonObject, type KubeObject } from './kube';

/** What differs between the Deployments and StatefulSets render builds from scratch. */
export interface WorkloadSkeleton {
  kind?: 'Deployment' | 'StatefulSet';
  name: string;
  namespace?: string;
  /** The workload's own labels. */
  labels: JsonObject;
  replicas: Json;
  /** `spec.selector.matchLabels`. */
  selector: JsonObject;
  /** The pod template. */
  pod: { metadata: JsonObject; spec: JsonObject };
  /** Further `spec` fields, written after the template (a StatefulSet's serviceName and claim templates). */
  spec?: JsonObject;
}

/**
 * An apps/v1 workload built from scratch, its fields in one order (the generated YAML reads the same for
 * a merge, a replace and a compose service). Callers pass label objects of their own: the YAML writer
 * would turn one object used twice into an anchor and an alias.
 */
export function appsWorkload(skeleton: WorkloadSkeleton): KubeObject {
  const { name, namespace, pod } = skeleton;
  return {
    apiVersion: 'apps/v1',
    kind: skeleton.kind ?? 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}), labels: skeleton.labels },
    spec: {
      replicas: skeleton.replicas,
      selector: { matchLabels: skeleton.selector },
      template: { metadata: pod.metadata, spec: pod.spec },
      ...skeleton.spec,
    },
  };
}

/** The workload a merge creates: named after the merge, its pods selected by the merge label alone. */
export function mergedWorkload(
  name: string,
  namespace: string | undefined,
  skeleton: Pick<WorkloadSkeleton, 'kind' | 'replicas' | 'pod' | 'spec'>,
): KubeObject {
  return appsWorkload({
    ...skeleton,
    name,
    namespace,
    labels: { 'app.kubernetes.io/name': name },
    selector: { [MERGE_LABEL]: name },
  });
}
