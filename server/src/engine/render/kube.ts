/** Plain Kubernetes objects as the renderer builds them: JSON values, no classes. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'consolidation-plans';
export const MERGE_LABEL = 'consolidation.dev/merge';
export const PREVIOUS_REPLICAS = 'consolidation.dev/previous-replicas';
export const PLAN_ANNOTATION = 'consolidation.dev/plan';
/** A node-selector key no node carries: how a DaemonSet (which has no replicas) is stopped. */
export const NO_NODE_SELECTOR = 'consolidation.dev/scaled-to-zero';
export const PHASE_ANNOTATION = 'consolidation.dev/phase';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The object at a path, created on the way when missing. */
export function ensure(object: JsonObject, path: string[]): JsonObject {
  let current = object;
  for (const key of path) {
    if (!isObject(current[key])) current[key] = {};
    current = current[key] as JsonObject;
  }
  return current;
}

export function valueAt(object: unknown, path: (string | number)[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The pod template (`metadata` + `spec`) of a workload object; a bare Pod is its own template. */
export function podTemplateOf(object: KubeObject): JsonObject {
  const path = POD_TEMPLATE_PATHS[object.kind];
  if (!path) return object as JsonObject;
  return ensure(object, path);
}

export function podSpecOf(object: KubeObject): JsonObject {
  return ensure(podTemplateOf(object), ['spec']);
}

export function containersOf(podSpec: JsonObject, key: 'containers' | 'initContainers' = 'containers'): JsonObject[] {
  const list = podSpec[key];
  return Array.isArray(list) ? (list.filter(isObject) as JsonObject[]) : [];
}

export function nameOf(object: KubeObject): string {
  return String(object.metadata.name ?? '');
}

export function namespaceOfObject(object: KubeObject): string | undefined {
  return typeof object.metadata.namespace === 'string' ? object.metadata.namespace : undefined;
}

export function setLabel(object: JsonObject, key: string, value: string): void {
  ensure(object, ['metadata', 'labels'])[key] = value;
}

export function setAnnotation(object: JsonObject, key: string, value: string): void {
  ensure(object, ['metadata', 'annotations'])[key] = value;
}
