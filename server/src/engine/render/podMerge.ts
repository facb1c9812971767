import type { MergeSpec } from '../plan/types';
import type { WorkloadModel } from '../model/workspace';
import { at, clone, containersOf, isObject, MERGE_LABEL, podSpecOf, podTemplateOf, type Json, type JsonObject, type KubeObject } from './kube';

export interface MergeSource {
  workload: WorkloadModel;
  object: KubeObject;
}

/** How one source's names changed inside the merged pod (so Services and probes can follow). */
export interface SourceRenames {
  containers: Map<string, string>;
  portNames: Map<string, string>;
  volumes: Map<string, string>;
}

export interface PodMergeResult {
  object: KubeObject;
  renames: Map<string, SourceRenames>;
}

/** Pod-spec fields copied from the first source; that they agree is checked by merge/pod-spec-conflict. */
const SHARED_POD_FIELDS = ['serviceAccountName', 'securityContext', 'nodeSelector', 'tolerations', 'affinity', 'hostNetwork', 'restartPolicy', 'priorityClassName', 'terminationGracePeriodSeconds', 'dnsPolicy', 'runtimeClassName'];

/**
 * `strategy: pod`: one pod template holding every container, init container, volume and pull secret
 * of the sources. Colliding names are made unique and every reference to them follows.
 */
export function mergePods(merge: MergeSpec, sources: MergeSource[], replicas: number, namespace: string | undefined): PodMergeResult {
  const renames = new Map<string, SourceRenames>();
  const usedContainers = new Set<string>();
  const usedPortNames = new Set<string>();
  const volumes: JsonObject[] = [];
  const volumeByName = new Map<string, JsonObject>();
  const containers: JsonObject[] = [];
  const initContainers: JsonObject[] = [];
  const pullSecrets = new Map<string, JsonObject>();
  const annotations: JsonObject = {};

  for (const source of sources) {
    const spec = podSpecOf(clone(source.object));
    const rename: SourceRenames = { containers: new Map(), portNames: new Map(), volumes: new Map() };
    renames.set(source.workload.id, rename);
    const prefix = source.workload.name;

    for (const volume of Array.isArray(spec.volumes) ? spec.volumes.filter(isObject) : []) {
      const name = String(volume.name ?? '');
      const existing = volumeByName.get(name);
      if (existing && JSON.stringify(existing) === JSON.stringify(volume)) continue;
      const unique = existing ? uniqueName(`${prefix}-${name}`, new Set(volumeByName.keys()), 63) : name;
      if (unique !== name) rename.volumes.set(name, unique);
      const copy = { ...volume, name: unique };
      volumeByName.set(unique, copy);
      volumes.push(copy);
    }
    for (const key of ['initContainers', 'containers'] as const) {
      for (const container of containersOf(spec, key)) {
        const name = String(container.name ?? '');
        const unique = uniqueName(usedContainers.has(name) ? `${prefix}-${name}` : name, usedContainers, 63);
        usedContainers.add(unique);
        if (unique !== name) rename.containers.set(name, unique);
        for (const port of Array.isArray(container.ports) ? container.ports.filter(isObject) : []) {
          if (typeof port.name !== 'string') continue;
          const portName = uniqueName(usedPortNames.has(port.name) ? shortPortName(prefix, port.name) : port.name, usedPortNames, 15);
          usedPortNames.add(portName);
          if (portName !== port.name) rename.portNames.set(port.name, portName);
        }
        (key === 'containers' ? containers : initContainers).push(renameReferences({ ...container, name: unique }, rename));
      }
    }
    for (const secret of Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets.filter(isObject) : []) {
      pullSecrets.set(String(secret.name), secret);
    }
    const templateAnnotations = at(podTemplateOf(source.object), ['metadata', 'annotations']);
    if (isObject(templateAnnotations)) for (const [k, v] of Object.entries(templateAnnotations)) annotations[k] ??= v;
  }

  const first = podSpecOf(clone(sources[0].object));
  const podSpec: JsonObject = {};
  for (const field of SHARED_POD_FIELDS) if (first[field] !== undefined) podSpec[field] = first[field];
  if (initContainers.length) podSpec.initContainers = initContainers;
  podSpec.containers = containers;
  if (volumes.length) podSpec.volumes = volumes;
  if (pullSecrets.size) podSpec.imagePullSecrets = [...pullSecrets.values()];

  const statefulSet = sources.every((s) => s.object.kind === 'StatefulSet');
  const podLabels = { [MERGE_LABEL]: merge.name, 'app.kubernetes.io/name': merge.name };
  const spec: JsonObject = {
    replicas,
    selector: { matchLabels: { [MERGE_LABEL]: merge.name } },
    template: {
      metadata: { labels: podLabels, ...(Object.keys(annotations).length ? { annotations } : {}) },
      spec: podSpec,
    },
  };
  if (statefulSet) {
    spec.serviceName = (at(sources[0].object, ['spec', 'serviceName']) as Json) ?? merge.name;
    const claims = sources.flatMap((s) => {
      const list = at(s.object, ['spec', 'volumeClaimTemplates']);
      return Array.isArray(list) ? list : [];
    });
    if (claims.length) spec.volumeClaimTemplates = claims;
  }
  return {
    object: {
      apiVersion: 'apps/v1',
      kind: statefulSet ? 'StatefulSet' : 'Deployment',
      metadata: { name: merge.name, ...(namespace ? { namespace } : {}), labels: { 'app.kubernetes.io/name': merge.name } },
      spec,
    },
    renames,
  };
}

/** Container-level references that follow renames: volume mounts and probe ports by name. */
function renameReferences(container: JsonObject, rename: SourceRenames): JsonObject {
  const copy = clone(container);
  for (const mount of Array.isArray(copy.volumeMounts) ? copy.volumeMounts.filter(isObject) : []) {
    const renamed = rename.volumes.get(String(mount.name));
    if (renamed) mount.name = renamed;
  }
  for (const port of Array.isArray(copy.ports) ? copy.ports.filter(isObject) : []) {
    const renamed = typeof port.name === 'string' ? rename.portNames.get(port.name) : undefined;
    if (renamed) port.name = renamed;
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const value = copy[probe];
    if (!isObject(value)) continue;
    for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
      const target = value[handler];
      if (isObject(target) && typeof target.port === 'string') target.port = rename.portNames.get(target.port) ?? target.port;
    }
  }
  return copy;
}

function uniqueName(wanted: string, used: Set<string>, max: number): string {
  let base = wanted.slice(0, max).replace(/-+$/, '');
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) {
    const suffix = `-${i}`;
    base = base.slice(0, max - suffix.length).replace(/-+$/, '');
    candidate = `${base}${suffix}`;
  }
  return candidate;
}

/** IANA service names are at most 15 characters: `api-http` from workload `api` and port `http`. */
function shortPortName(prefix: string, name: string): string {
  const head = prefix.replace(/[^a-z0-9]/g, '').slice(0, Math.max(1, 14 - name.length));
  return `${head}-${name}`.slice(0, 15).replace(/-+$/, '');
}
