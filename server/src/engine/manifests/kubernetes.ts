import type { Document } from 'yaml';
import { sourceLocation, type SourceLocation } from '../model/location';
import type {
  ContainerModel,
  ContainerPort,
  FieldProblem,
  ManifestFile,
  WorkloadKind,
  WorkloadModel,
  WorkloadPolicyModel,
} from '../model/manifest';
import { checkKnownFields, CONTAINER_FIELDS, PORT_FIELDS, RESOURCE_FIELDS } from './knownFields';
import { readResourceList } from './resourceFields';
import { readPodScheduling } from './podScheduling';
import { readResourceQuota } from './resourceQuota';
import type { PodScheduling } from '../model/scheduling';
import {
  asMap,
  asSeq,
  get,
  getIn,
  getPair,
  rangeOf,
  scalarValue,
  stringMap,
  stringValue,
  toPlain,
} from '../yaml/nodes';

const POD_SPEC_PATHS: Record<Exclude<WorkloadKind, 'ComposeService'>, readonly string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

const POD_LABEL_PATHS: Record<Exclude<WorkloadKind, 'ComposeService'>, readonly string[]> = {
  Deployment: ['spec', 'template', 'metadata', 'labels'],
  StatefulSet: ['spec', 'template', 'metadata', 'labels'],
  DaemonSet: ['spec', 'template', 'metadata', 'labels'],
  ReplicaSet: ['spec', 'template', 'metadata', 'labels'],
  Job: ['spec', 'template', 'metadata', 'labels'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'],
  Pod: ['metadata', 'labels'],
};

/** True when a YAML document looks like a Kubernetes object (has `apiVersion` and `kind`). */
export function isKubernetesObject(doc: Document): boolean {
  const root = asMap(doc, doc.contents);
  return !!root && stringValue(doc, get(doc, root, 'kind')) !== undefined && get(doc, root, 'apiVersion') !== undefined;
}

/** Adds what one Kubernetes document declares to the file model. */
export function readKubernetesDocument(doc: Document, documentIndex: number, file: ManifestFile): void {
  const root = asMap(doc, doc.contents);
  if (!root) return;
  const kind = stringValue(doc, get(doc, root, 'kind')) ?? '';
  const metadata = asMap(doc, get(doc, root, 'metadata'));
  const nameNode = get(doc, metadata, 'name');
  const name = stringValue(doc, nameNode);
  const namespace = stringValue(doc, get(doc, metadata, 'namespace'));
  const location = sourceLocation(file.path, rangeOf(root));
  const nameLocation = sourceLocation(file.path, rangeOf(nameNode) ?? rangeOf(root));

  if (kind in POD_SPEC_PATHS && name) {
    file.workloads.push(
      readWorkload(
        doc,
        root,
        kind as keyof typeof POD_SPEC_PATHS,
        name,
        namespace,
        documentIndex,
        file,
        location,
        nameLocation,
      ),
    );
    return;
  }
  switch (kind) {
    case 'Service': {
      const selectorNode = getIn(doc, root, ['spec', 'selector']);
      file.services.push({
        name: name ?? '',
        namespace,
        selector: stringMap(doc, selectorNode),
        ports: (asSeq(doc, getIn(doc, root, ['spec', 'ports']))?.items ?? []).map((item) => {
          const port = asMap(doc, item);
          const target = scalarValue(doc, get(doc, port, 'targetPort'));
          return {
            port: numberOrUndefined(scalarValue(doc, get(doc, port, 'port'))),
            targetPort: typeof target === 'number' || typeof target === 'string' ? target : undefined,
            name: stringValue(doc, get(doc, port, 'name')),
          };
        }),
        location,
        nameLocation,
        selectorLocation: selectorNode ? sourceLocation(file.path, rangeOf(selectorNode)) : undefined,
        documentIndex,
      });
      return;
    }
    case 'LimitRange': {
      const defaults = { defaultLimits: {}, defaultRequests: {} };
      for (const item of asSeq(doc, getIn(doc, root, ['spec', 'limits']))?.items ?? []) {
        const limit = asMap(doc, item);
        if (stringValue(doc, get(doc, limit, 'type')) !== 'Container') continue;
        defaults.defaultLimits = readResourceList(
          doc,
          get(doc, limit, 'default'),
          file.path,
          file.quantityProblems,
        ).values;
        defaults.defaultRequests = readResourceList(
          doc,
          get(doc, limit, 'defaultRequest'),
          file.path,
          file.quantityProblems,
        ).values;
      }
      file.limitRanges.push({ name: name ?? '', namespace, ...defaults, location });
      return;
    }
    case 'HorizontalPodAutoscaler':
      file.policies.push({
        kind,
        name: name ?? '',
        namespace,
        targetKind: stringValue(doc, getIn(doc, root, ['spec', 'scaleTargetRef', 'kind'])),
        targetName: stringValue(doc, getIn(doc, root, ['spec', 'scaleTargetRef', 'name'])),
        location,
        ...policyExtras(doc, root, file.path, kind),
      });
      return;
    case 'PodDisruptionBudget':
      file.policies.push({
        kind,
        name: name ?? '',
        namespace,
        selector: stringMap(doc, getIn(doc, root, ['spec', 'selector', 'matchLabels'])),
        location,
        ...policyExtras(doc, root, file.path, kind),
      });
      return;
    case 'ResourceQuota':
      readResourceQuota(doc, root, name ?? '', namespace, file, location);
      return;
    case 'PersistentVolumeClaim':
      file.claims.push({
        name: name ?? '',
        namespace,
        accessModes: (asSeq(doc, getIn(doc, root, ['spec', 'accessModes']))?.items ?? []).map(
          (m) => stringValue(doc, m) ?? '',
        ),
        location,
      });
      return;
    default:
      file.others.push({ apiVersion: stringValue(doc, get(doc, root, 'apiVersion')), kind, name, namespace, location });
  }
}

function readWorkload(
  doc: Document,
  root: NonNullable<ReturnType<typeof asMap>>,
  kind: keyof typeof POD_SPEC_PATHS,
  name: string,
  namespace: string | undefined,
  documentIndex: number,
  file: ManifestFile,
  location: SourceLocation,
  nameLocation: SourceLocation,
): WorkloadModel {
  const podSpec = getIn(doc, root, POD_SPEC_PATHS[kind]);
  const replicasNode =
    kind === 'Job' ? getIn(doc, root, ['spec', 'parallelism']) : getIn(doc, root, ['spec', 'replicas']);
  const replicasValue = scalarValue(doc, replicasNode);
  const replicas = kind === 'Pod' || kind === 'DaemonSet' ? 1 : isReplicaCount(replicasValue) ? replicasValue : 1;
  if (replicasNode && kind !== 'Pod' && kind !== 'DaemonSet' && !isReplicaCount(replicasValue)) {
    file.quantityProblems.push({
      message: `${kind === 'Job' ? 'parallelism' : 'replicas'}: ${JSON.stringify(replicasValue ?? null)} is not a replica count (a whole number from 0 to ${MAX_INT32}); counted as 1.`,
      severity: 'error',
      location: sourceLocation(file.path, rangeOf(replicasNode)),
    });
  }
  const selectorNode = kind === 'Pod' || kind === 'CronJob' ? undefined : getIn(doc, root, ['spec', 'selector']);
  const overhead = readResourceList(
    doc,
    get(doc, asMap(doc, podSpec), 'overhead'),
    file.path,
    file.quantityProblems,
  ).values;
  return {
    id: `${namespace ?? ''}/${name}#${kind}`,
    kind,
    origin: 'kubernetes',
    name,
    namespace,
    aliases: [],
    replicas,
    replicasLocation: replicasNode ? sourceLocation(file.path, rangeOf(replicasNode)) : undefined,
    containers: readContainers(doc, get(doc, asMap(doc, podSpec), 'containers'), false, file),
    initContainers: readContainers(doc, get(doc, asMap(doc, podSpec), 'initContainers'), true, file),
    podOverhead: overhead,
    podLabels: stringMap(doc, getIn(doc, root, POD_LABEL_PATHS[kind])) ?? {},
    selector: stringMap(doc, getIn(doc, selectorNode, ['matchLabels'])),
    selectorHasExpressions: !!getIn(doc, selectorNode, ['matchExpressions']),
    selectorLocation: selectorNode ? sourceLocation(file.path, rangeOf(selectorNode)) : undefined,
    serviceAccountName: stringValue(doc, get(doc, asMap(doc, podSpec), 'serviceAccountName')),
    ...scheduledBy(readScheduling(doc, podSpec)),
    steady: kind !== 'Job' && kind !== 'CronJob',
    location,
    nameLocation,
    documentIndex,
  };
}

function readContainers(doc: Document, node: unknown, init: boolean, file: ManifestFile): ContainerModel[] {
  const containers: ContainerModel[] = [];
  for (const item of asSeq(doc, node)?.items ?? []) {
    const container = asMap(doc, item);
    if (!container) continue;
    const nameNode = get(doc, container, 'name');
    const resourcesNode = get(doc, container, 'resources');
    const label = `container ${stringValue(doc, nameNode) ?? ''}`.trim();
    checkKnownFields(doc, container, CONTAINER_FIELDS, label, file.path, file.fieldProblems);
    const resourcesMap = asMap(doc, resourcesNode);
    if (resourcesMap)
      checkKnownFields(doc, resourcesMap, RESOURCE_FIELDS, `${label} resources`, file.path, file.fieldProblems);
    const requests = readResourceList(
      doc,
      get(doc, asMap(doc, resourcesNode), 'requests'),
      file.path,
      file.quantityProblems,
    );
    const limits = readResourceList(
      doc,
      get(doc, asMap(doc, resourcesNode), 'limits'),
      file.path,
      file.quantityProblems,
    );
    const location = sourceLocation(file.path, rangeOf(container));
    const resourcesKey = getPair(doc, container, 'resources')?.key;
    containers.push({
      name: stringValue(doc, nameNode) ?? '',
      image: stringValue(doc, get(doc, container, 'image')),
      init,
      requests: requests.values,
      limits: limits.values,
      requestFields: requests.fields,
      limitFields: limits.fields,
      ports: readPorts(doc, get(doc, container, 'ports'), file.path, file.fieldProblems),
      location,
      resourcesLocation: sourceLocation(
        file.path,
        rangeOf(resourcesKey as never) ?? rangeOf(nameNode) ?? location.range,
      ),
    });
  }
  return containers;
}

function readPorts(doc: Document, node: unknown, path: string, problems: FieldProblem[]): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const item of asSeq(doc, node)?.items ?? []) {
    const port = asMap(doc, item);
    if (!port) continue;
    checkKnownFields(doc, port, PORT_FIELDS, 'port', path, problems);
    const portNode = get(doc, port, 'containerPort');
    const value = scalarValue(doc, portNode);
    if (typeof value !== 'number') {
      if (portNode)
        problems.push({
          message: `containerPort must be a port number (1-65535), not ${JSON.stringify(value ?? null)}; a name goes in \`name\`.`,
          location: sourceLocation(path, rangeOf(portNode)),
        });
      continue;
    }
    ports.push({
      port: value,
      name: stringValue(doc, get(doc, port, 'name')),
      protocol: stringValue(doc, get(doc, port, 'protocol')) ?? 'TCP',
      location: sourceLocation(path, rangeOf(portNode)),
    });
  }
  return ports;
}

/** An HPA's replica bounds and target locations; a PDB's minAvailable / maxUnavailable. Only what is written. */
function policyExtras(
  doc: Document,
  root: NonNullable<ReturnType<typeof asMap>>,
  path: string,
  kind: 'HorizontalPodAutoscaler' | 'PodDisruptionBudget',
): Partial<WorkloadPolicyModel> {
  const extras: Partial<WorkloadPolicyModel> = {};
  const count = (node: unknown) => {
    const value = scalarValue(doc, node);
    return isReplicaCount(value) ? value : undefined;
  };
  if (kind === 'HorizontalPodAutoscaler') {
    const min = count(getIn(doc, root, ['spec', 'minReplicas']));
    const max = count(getIn(doc, root, ['spec', 'maxReplicas']));
    if (min !== undefined) extras.minReplicas = min;
    if (max !== undefined) extras.maxReplicas = max;
    const kindNode = getIn(doc, root, ['spec', 'scaleTargetRef', 'kind']);
    const nameNode = getIn(doc, root, ['spec', 'scaleTargetRef', 'name']);
    if (kindNode) extras.targetKindLocation = sourceLocation(path, rangeOf(kindNode));
    if (nameNode) extras.targetNameLocation = sourceLocation(path, rangeOf(nameNode));
  } else {
    for (const key of ['minAvailable', 'maxUnavailable'] as const) {
      const value = scalarValue(doc, getIn(doc, root, ['spec', key]));
      if (typeof value === 'number' || typeof value === 'string') extras[key] = value;
    }
  }
  return extras;
}

function scheduledBy(scheduling: PodScheduling | undefined): { scheduling?: PodScheduling } {
  return scheduling ? { scheduling } : {};
}

const SCHEDULING_FIELDS = ['nodeSelector', 'affinity', 'tolerations', 'topologySpreadConstraints'] as const;

/** The pod's placement rules, read only when the pod spec has one of their fields (most have none). */
function readScheduling(doc: Document, podSpec: unknown): PodScheduling | undefined {
  const spec = asMap(doc, podSpec);
  const present = SCHEDULING_FIELDS.filter((field) => get(doc, spec, field) !== undefined);
  if (present.length === 0) return undefined;
  try {
    return readPodScheduling(Object.fromEntries(present.map((field) => [field, toPlain(doc, get(doc, spec, field))])));
  } catch {
    // An alias bomb under affinity: reported by the YAML checks; the pod is placed without rules.
    return undefined;
  }
}

/** Kubernetes counts are int32. */
export const MAX_INT32 = 2_147_483_647;

function isReplicaCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INT32;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
