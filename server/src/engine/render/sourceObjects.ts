import * as path from 'node:path';
import { composeEnvironmentOf, dns1123, interpolate } from '../manifests/compose';
import { toKubernetesCpu, toKubernetesMemory } from '../quantity';
import type { ResourceList } from '../model/resources';
import type { ServiceModel, WorkloadModel } from '../model/manifest';
import type { SourceDocuments } from './sourceDocuments';
import { valueAt, clone, isObject, type JsonObject, type KubeObject } from './kube';
import { appsWorkload } from './workloadSkeleton';

/** The object a workload was written as, or for a compose service the Deployment Kompose would make. */
export function workloadObject(
  documents: SourceDocuments,
  workload: WorkloadModel,
  defaultNamespace: string | undefined,
): KubeObject | undefined {
  if (workload.origin === 'compose')
    return composeDeployment(workload, defaultNamespace, composeCommand(documents, workload));
  const value = documents.documentValue(workload.location.file, workload.documentIndex);
  return isObject(value) && isObject(value.metadata)
    ? inNamespace(clone(value) as KubeObject, defaultNamespace)
    : undefined;
}

export function serviceObject(
  documents: SourceDocuments,
  service: ServiceModel,
  defaultNamespace: string | undefined,
): KubeObject | undefined {
  const value = documents.documentValue(service.location.file, service.documentIndex);
  return isObject(value) && isObject(value.metadata)
    ? inNamespace(clone(value) as KubeObject, defaultNamespace)
    : undefined;
}

/**
 * A manifest that names no namespace lives in the plan's `spec.namespace`: every rendered object says so,
 * so `kubectl apply -f` in any context keeps a phase's objects together (a Service and the pods it selects).
 */
function inNamespace(object: KubeObject, defaultNamespace: string | undefined): KubeObject {
  if (defaultNamespace && typeof object.metadata.namespace !== 'string') {
    // metadata: name first, then the namespace, then the rest as written.
    const { name, ...rest } = object.metadata;
    object.metadata =
      name === undefined ? { namespace: defaultNamespace, ...rest } : { name, namespace: defaultNamespace, ...rest };
  }
  return object;
}

/** Kompose's conversion of a compose service: a Deployment labelled `io.kompose.service`. */
export function composeDeployment(
  workload: WorkloadModel,
  defaultNamespace: string | undefined,
  command: { command?: string[]; args?: string[] } = {},
): KubeObject {
  const name = dns1123(workload.name);
  const labels = { 'io.kompose.service': name };
  const container = workload.containers[0];
  const env = composeEnvironmentOf(workload) ?? {};
  const resources = containerResources(container);
  const spec: JsonObject = {
    name,
    image: container.image ?? '',
    ...(command.command ? { command: command.command } : {}),
    ...(command.args ? { args: command.args } : {}),
    ...(container.ports.length
      ? { ports: container.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })) }
      : {}),
    ...(Object.keys(env).length ? { env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) } : {}),
    ...(resources ? { resources } : {}),
  };
  // Each its own copy of the labels: one object used twice would be written as a YAML alias.
  return appsWorkload({
    name,
    namespace: defaultNamespace,
    labels: { ...labels },
    replicas: workload.replicas,
    selector: { ...labels },
    pod: { metadata: { labels: { ...labels } }, spec: { containers: [spec] } },
  });
}

/** A compose service as written (plain values) and the variables its file is interpolated with. */
function composeServiceOf(
  documents: SourceDocuments,
  workload: WorkloadModel,
): { service: unknown; env: Record<string, string> } {
  return {
    service: valueAt(documents.documentValue(workload.location.file, workload.documentIndex), [
      'services',
      workload.name,
    ]),
    env: documents.composeVariables(path.dirname(workload.location.file)),
  };
}

/** Storage a compose service mounts (named, bind and anonymous volumes; not tmpfs), as written. */
export function composeVolumes(
  documents: SourceDocuments,
  workload: WorkloadModel,
): { source?: string; target: string }[] {
  if (workload.origin !== 'compose') return [];
  const { service, env } = composeServiceOf(documents, workload);
  const volumes = valueAt(service, ['volumes']);
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((volume): { source?: string; target: string }[] => {
    if (typeof volume === 'string') {
      const parts = interpolate(volume, env).value.split(':');
      // `target`, `source:target` or `source:target:mode`.
      return parts.length === 1 ? [{ target: parts[0] }] : [{ source: parts[0], target: parts[1] }];
    }
    if (!isObject(volume) || volume.type === 'tmpfs' || typeof volume.target !== 'string') return [];
    return [{ source: typeof volume.source === 'string' ? volume.source : undefined, target: volume.target }];
  });
}

export interface ComposeFile {
  kind: 'config' | 'secret';
  source: string;
  target: string;
}

/**
 * A compose service's `configs:` and `secrets:`: files compose mounts into the container (a config at
 * `/<name>` unless a target is given, a secret at `/run/secrets/<name>`), short or long syntax.
 */
export function composeFiles(documents: SourceDocuments, workload: WorkloadModel): ComposeFile[] {
  if (workload.origin !== 'compose') return [];
  const { service, env } = composeServiceOf(documents, workload);
  const out: ComposeFile[] = [];
  for (const kind of ['config', 'secret'] as const) {
    const entries = valueAt(service, [`${kind}s`]);
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const source =
        typeof entry === 'string'
          ? interpolate(entry, env).value
          : isObject(entry) && typeof entry.source === 'string'
            ? interpolate(entry.source, env).value
            : undefined;
      if (!source) continue;
      const given =
        isObject(entry) && typeof entry.target === 'string' ? interpolate(entry.target, env).value : undefined;
      const target =
        kind === 'secret'
          ? given?.startsWith('/')
            ? given
            : `/run/secrets/${given ?? source}`
          : (given ?? `/${source}`);
      out.push({ kind, source, target });
    }
  }
  return out;
}

/** Kompose maps a service's `entrypoint` to the container's `command` and its `command` to `args`. */
function composeCommand(documents: SourceDocuments, workload: WorkloadModel): { command?: string[]; args?: string[] } {
  const { service, env } = composeServiceOf(documents, workload);
  if (!isObject(service)) return {};
  const words = (value: unknown): string[] | undefined => {
    if (Array.isArray(value)) return value.map((v) => interpolate(String(v), env).value);
    if (typeof value === 'string') return shellWords(interpolate(value, env).value);
    return undefined;
  };
  return { command: words(service.entrypoint), args: words(service.command) };
}

/** Splits a command string the way a shell would for simple quoting: `sh -c "echo hi"` → [sh, -c, echo hi]. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g))
    words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3]);
  return words;
}

/** Kompose's Service for a compose service with ports. */
export function composeService(workload: WorkloadModel, defaultNamespace: string | undefined): KubeObject | undefined {
  const ports = workload.containers[0]?.ports ?? [];
  if (ports.length === 0) return undefined;
  const name = dns1123(workload.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      ...(defaultNamespace ? { namespace: defaultNamespace } : {}),
      labels: { 'io.kompose.service': name },
    },
    spec: {
      selector: { 'io.kompose.service': name },
      // Names must be unique in a Service: 53/TCP is "53", 53/UDP "53-udp" (as Kompose names them).
      ports: ports.map((p) => ({
        name: p.protocol === 'TCP' ? String(p.port) : `${p.port}-${p.protocol.toLowerCase()}`,
        port: p.port,
        targetPort: p.port,
        protocol: p.protocol,
      })),
    },
  };
}

/** A container's `resources` from its requests and limits; undefined when it has neither. */
export function containerResources(container: {
  requests: ResourceList;
  limits: ResourceList;
}): JsonObject | undefined {
  const resources: JsonObject = {};
  if (Object.keys(container.requests).length) resources.requests = toManifestList(container.requests);
  if (Object.keys(container.limits).length) resources.limits = toManifestList(container.limits);
  return Object.keys(resources).length ? resources : undefined;
}

export function toManifestList(list: ResourceList): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(list)) {
    out[name] =
      name === 'cpu'
        ? toKubernetesCpu(value)
        : name === 'memory' || name === 'ephemeral-storage'
          ? toKubernetesMemory(value)
          : value;
  }
  return out;
}
