import type { ComposeFile } from './sourceObjects';
import { containerRenames, uniqueName } from '../budget/mergeNames';
import type { MergeSpec } from '../plan/types';
import type { WorkloadModel } from '../model/manifest';
import {
  valueAt,
  clone,
  containersOf,
  isObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MERGE_LABEL,
  podSpecOf,
  podTemplateOf,
  type Json,
  type JsonObject,
  type KubeObject,
} from './kube';
import { mergedWorkload } from './workloadSkeleton';

export interface MergeSource {
  workload: WorkloadModel;
  object: KubeObject;
  /** A compose service's volumes, which its converted Deployment does not carry. */
  composeVolumes?: { source?: string; target: string }[];
  /** A compose service's `configs:` and `secrets:`, mounted as files (not converted either). */
  composeFiles?: ComposeFile[];
}

/** How one source's names changed inside the merged pod (so Services and probes can follow). */
export interface SourceRenames {
  containers: Map<string, string>;
  portNames: Map<string, string>;
  /** Volumes and StatefulSet claim templates (both are mounted by name). */
  volumes: Map<string, string>;
}

export interface PodMergeResult {
  object: KubeObject;
  renames: Map<string, SourceRenames>;
}

/** Pod-spec fields copied from the first source; that they agree is checked by merge/pod-spec-conflict. */
const SHARED_POD_FIELDS = [
  'serviceAccountName',
  'securityContext',
  'nodeSelector',
  'tolerations',
  'affinity',
  'hostNetwork',
  'restartPolicy',
  'priorityClassName',
  'terminationGracePeriodSeconds',
  'dnsPolicy',
  'runtimeClassName',
];

/**
 * `strategy: pod`: one pod template holding every container, init container, volume and pull secret
 * of the sources. Colliding names are made unique and every reference to them follows.
 */
export function mergePods(
  merge: MergeSpec,
  sources: MergeSource[],
  replicas: number,
  namespace: string | undefined,
): PodMergeResult {
  const specs = sources.map((s) => podSpecOf(clone(s.object)));
  const containerNames = containerRenames(
    sources.map((s, i) => ({
      id: s.workload.id,
      name: s.workload.name,
      initContainers: containersOf(specs[i], 'initContainers').map((c) => String(c.name ?? '')),
      containers: containersOf(specs[i], 'containers').map((c) => String(c.name ?? '')),
    })),
  );
  const renames = new Map<string, SourceRenames>();
  const usedPortNames = new Set<string>();
  const volumes = new NamedItems();
  const claims = new NamedItems();
  const containers: JsonObject[] = [];
  const initContainers: JsonObject[] = [];
  const pullSecrets = new Map<string, JsonObject>();
  const annotations: JsonObject = {};

  sources.forEach((source, index) => {
    const spec = specs[index];
    const rename: SourceRenames = {
      containers: containerNames.get(source.workload.id) ?? new Map(),
      portNames: new Map(),
      volumes: new Map(),
    };
    renames.set(source.workload.id, rename);
    const prefix = source.workload.name;
    for (const volume of listOf(spec.volumes)) volumes.add(volume, prefix, rename.volumes);
    for (const claim of listOf(valueAt(source.object, ['spec', 'volumeClaimTemplates']))) {
      const metadata = isObject(claim.metadata) ? claim.metadata : {};
      claims.add({ ...claim, name: String(metadata.name ?? '') }, prefix, rename.volumes, false);
    }
    for (const key of ['initContainers', 'containers'] as const) {
      for (const container of containersOf(spec, key)) {
        for (const port of listOf(container.ports)) {
          if (typeof port.name !== 'string') continue;
          const portName = uniqueName(
            usedPortNames.has(port.name) ? shortPortName(prefix, port.name) : port.name,
            usedPortNames,
            15,
          );
          usedPortNames.add(portName);
          if (portName !== port.name) rename.portNames.set(port.name, portName);
        }
        (key === 'containers' ? containers : initContainers).push(renameReferences(container, rename));
      }
    }
    for (const secret of listOf(spec.imagePullSecrets)) pullSecrets.set(String(secret.name), secret);
    const templateAnnotations = valueAt(podTemplateOf(source.object), ['metadata', 'annotations']);
    if (isObject(templateAnnotations)) for (const [k, v] of Object.entries(templateAnnotations)) annotations[k] ??= v;
  });

  const podSpec: JsonObject = {};
  for (const field of SHARED_POD_FIELDS) if (specs[0][field] !== undefined) podSpec[field] = specs[0][field];
  if (initContainers.length) podSpec.initContainers = initContainers;
  podSpec.containers = containers;
  if (volumes.items.length) podSpec.volumes = volumes.items;
  if (pullSecrets.size) podSpec.imagePullSecrets = [...pullSecrets.values()];

  const statefulSet = sources.every((s) => s.object.kind === 'StatefulSet');
  // Labels every source's pods carried stay (NetworkPolicies, monitors select on them); the merge's own label selects.
  const podLabels: JsonObject = {
    ...commonLabels(sources),
    [MERGE_LABEL]: merge.name,
    'app.kubernetes.io/name': merge.name,
  };
  // The merged pods belong to the workload this tool creates, not to the sources' manager (Helm, Argo CD).
  if (podLabels[MANAGED_BY_LABEL] !== undefined) podLabels[MANAGED_BY_LABEL] = MANAGED_BY;
  const pod = {
    metadata: { labels: podLabels, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: podSpec,
  };
  if (!statefulSet) return { object: mergedWorkload(merge.name, namespace, { replicas, pod }), renames };
  const statefulSpec: JsonObject = {
    serviceName: (valueAt(sources[0].object, ['spec', 'serviceName']) as Json) ?? merge.name,
  };
  if (claims.items.length) {
    statefulSpec.volumeClaimTemplates = claims.items.map(({ name, ...claim }) => ({
      ...claim,
      metadata: { ...(isObject(claim.metadata) ? claim.metadata : {}), name },
    }));
  }
  return {
    object: mergedWorkload(merge.name, namespace, { kind: 'StatefulSet', replicas, pod, spec: statefulSpec }),
    renames,
  };
}

/** Named pod-level items (volumes, claim templates): identical ones shared, colliding ones renamed. */
class NamedItems {
  readonly items: JsonObject[] = [];
  private readonly byName = new Map<string, JsonObject>();

  add(item: JsonObject, prefix: string, renames: Map<string, string>, shareIdentical = true): void {
    const name = String(item.name ?? '');
    const existing = this.byName.get(name);
    // Identical config is shared; scratch space (emptyDir) stays each container's own.
    if (existing && shareIdentical && item.emptyDir === undefined && JSON.stringify(existing) === JSON.stringify(item))
      return;
    const unique = existing ? uniqueName(`${prefix}-${name}`, new Set(this.byName.keys()), 63) : name;
    if (unique !== name) renames.set(name, unique);
    const copy = { ...item, name: unique };
    this.byName.set(unique, copy);
    this.items.push(copy);
  }
}

function listOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? (value.filter(isObject) as JsonObject[]) : [];
}

/** Labels with the same value on every source's pod template. */
function commonLabels(sources: MergeSource[]): JsonObject {
  const labelSets = sources.map((s) => valueAt(podTemplateOf(s.object), ['metadata', 'labels']));
  const [first, ...rest] = labelSets;
  if (!isObject(first)) return {};
  const common: JsonObject = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((labels) => isObject(labels) && labels[k] === v)) common[k] = v;
  }
  return common;
}

/** Container-level references that follow renames: its name, volume mounts, probe ports, env field refs. */
function renameReferences(container: JsonObject, rename: SourceRenames): JsonObject {
  const copy = clone(container);
  copy.name = rename.containers.get(String(copy.name)) ?? copy.name;
  for (const mount of listOf(copy.volumeMounts)) {
    const renamed = rename.volumes.get(String(mount.name));
    if (renamed) mount.name = renamed;
  }
  for (const port of listOf(copy.ports)) {
    const renamed = typeof port.name === 'string' ? rename.portNames.get(port.name) : undefined;
    if (renamed) port.name = renamed;
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const value = copy[probe];
    if (!isObject(value)) continue;
    for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
      const target = value[handler];
      if (isObject(target) && typeof target.port === 'string')
        target.port = rename.portNames.get(target.port) ?? target.port;
    }
  }
  for (const env of listOf(copy.env)) {
    const ref = valueAt(env, ['valueFrom', 'resourceFieldRef']);
    if (isObject(ref) && typeof ref.containerName === 'string')
      ref.containerName = rename.containers.get(ref.containerName) ?? ref.containerName;
  }
  return copy;
}

/** IANA service names are at most 15 characters: `api-http` from workload `api` and port `http`. */
function shortPortName(prefix: string, name: string): string {
  const head = prefix.replace(/[^a-z0-9]/g, '').slice(0, Math.max(1, 14 - name.length));
  return `${head}-${name}`.slice(0, 15).replace(/-+$/, '');
}
