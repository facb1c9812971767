import type { JsonObject, KubeObject } from '../engine/render/kube';

/** The field manager of every write this tool makes (server-side apply, patches, scale). */
export const FIELD_MANAGER = 'consolidation-plans';

/** Which object: enough to find it in the API. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The kubeconfig context the API talks to. Never carries credentials. */
export interface ClusterTarget {
  context: string;
  cluster: string;
  server: string;
  user: string;
  /** The namespace for objects that name none: the chosen one, else the context's, else `default`. */
  namespace: string;
}

export interface WriteOptions {
  /** `dryRun=All`: the API validates and returns the result, and persists nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

/**
 * Every side effect on a cluster goes through this interface: small on purpose, so the
 * orchestration (apply, rollback, preview, import) is written once and tested against a test API
 * server through the real client. Failures are thrown as ClusterError (errors.ts); transient ones
 * are retried inside, a bounded number of times.
 */
export interface ClusterApi {
  readonly target: ClusterTarget;
  /** The object, or undefined when it does not exist (404). */
  get(ref: ObjectRef, options?: ReadOptions): Promise<KubeObject | undefined>;
  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options?: ReadOptions & { labelSelector?: string },
  ): Promise<KubeObject[]>;
  /** Server-side apply under FIELD_MANAGER. `force` takes over conflicting fields: only ever the user's explicit choice. */
  serverSideApply(object: KubeObject, options?: WriteOptions & { force?: boolean }): Promise<KubeObject>;
  /** Sets replicas through the scale subresource, guarded by resourceVersion when given. */
  patchScale(
    ref: ObjectRef,
    replicas: number,
    options?: WriteOptions & { resourceVersion?: string },
  ): Promise<{ replicas: number; resourceVersion: string }>;
  /** A targeted merge or strategic-merge patch, guarded by resourceVersion when given. */
  patch(
    ref: ObjectRef,
    patch: JsonObject,
    options: WriteOptions & { type: 'merge' | 'strategic'; resourceVersion?: string },
  ): Promise<KubeObject>;
  /** Deletes, with uid/resourceVersion preconditions when given. False when it was already gone. */
  delete(ref: ObjectRef, options?: WriteOptions & { uid?: string; resourceVersion?: string }): Promise<boolean>;
}

export function refOf(object: KubeObject, defaultNamespace?: string): ObjectRef {
  const namespace = typeof object.metadata.namespace === 'string' ? object.metadata.namespace : defaultNamespace;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(namespace !== undefined && isNamespaced(object.kind) ? { namespace } : {}),
    name: String(object.metadata.name ?? ''),
  };
}

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment ops/api-server` */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'NodeMetrics',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
]);

export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

const RESOURCES: Record<string, { group: string; plural: string }> = {
  Deployment: { group: 'apps', plural: 'deployments' },
  StatefulSet: { group: 'apps', plural: 'statefulsets' },
  ReplicaSet: { group: 'apps', plural: 'replicasets' },
  DaemonSet: { group: 'apps', plural: 'daemonsets' },
  Service: { group: '', plural: 'services' },
  ConfigMap: { group: '', plural: 'configmaps' },
  Namespace: { group: '', plural: 'namespaces' },
  Node: { group: '', plural: 'nodes' },
  Pod: { group: '', plural: 'pods' },
  PodMetrics: { group: 'metrics.k8s.io', plural: 'pods' },
  NodeMetrics: { group: 'metrics.k8s.io', plural: 'nodes' },
};

/** The API resource of a kind, as RBAC names it: `{group: 'apps', plural: 'deployments'}`. */
export function resourceOf(apiVersion: string, kind: string): { group: string; plural: string } {
  const known = RESOURCES[kind];
  if (known) return known;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return { group, plural: `${kind.toLowerCase()}s` };
}
