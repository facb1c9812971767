import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document } from 'yaml';
import {
  kubernetesBytes,
  kubernetesCpuMillicores,
  kubernetesCount,
  formatMillicores,
  formatBytes,
  toKubernetesCpu,
  toKubernetesMemory,
} from '../engine/quantity';
import { valueAt, clone, isObject, type JsonObject, type KubeObject } from '../engine/render/kube';
import type { ClusterApi } from './clusterApi';
import { FolderEntries } from '../engine/files/fileName';
import { placeInside } from '../engine/files/writeInside';
import { ClusterError } from './errors';

export interface ImportOptions {
  api: ClusterApi;
  namespace: string;
  /** The folder that gets `manifests/` and the plan. */
  outDir: string;
  planName?: string;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface ImportResult {
  planFile: string;
  manifestFiles: string[];
  workloads: number;
  services: number;
  nodes: number;
  /** Whether current usage came from the metrics API. */
  metrics: boolean;
  warnings: string[];
}

const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** A live object as a manifest: what the server maintains or assigns is left out. */
export function toManifest(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.status;
  for (const key of [
    'managedFields',
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'generation',
    'selfLink',
    'ownerReferences',
  ])
    delete copy.metadata[key];
  const annotations = copy.metadata.annotations;
  if (isObject(annotations)) {
    for (const key of DROPPED_ANNOTATIONS) delete annotations[key];
    if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  }
  const template = valueAt(copy, ['spec', 'template', 'metadata']);
  if (isObject(template)) delete template.creationTimestamp;
  if (copy.kind === 'Service' && isObject(copy.spec)) {
    delete copy.spec.clusterIP;
    delete copy.spec.clusterIPs;
  }
  const { apiVersion, kind, metadata, ...rest } = copy;
  return { apiVersion, kind, metadata, ...rest };
}

function dns1123Label(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'pool'
  );
}

/**
 * Reads a namespace's workloads and Services, the nodes' allocatable and (when the metrics API is
 * there) current usage, and writes them as a manifests folder and a plan skeleton with the budget
 * filled in. Never reads Secrets or ConfigMaps.
 */
export async function importCluster(options: ImportOptions): Promise<ImportResult> {
  const { api, namespace, signal } = options;
  const say = (message: string) => options.onProgress?.(message);
  const warnings: string[] = [];
  const planName = dns1123Label(options.planName ?? namespace);
  const planFile = path.join(options.outDir, `${planName}.plan.yaml`);
  if (fs.existsSync(planFile) && !options.overwrite)
    throw new ClusterError('precondition', `${planFile} already exists; choose another folder or remove it.`);

  say(`Reading Deployments, StatefulSets and Services of namespace ${namespace}`);
  const namespaceObject = await api
    .get({ apiVersion: 'v1', kind: 'Namespace', name: namespace }, { signal })
    .catch((error: ClusterError) => {
      if (error.kind === 'forbidden')
        return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubeObject;
      throw error;
    });
  if (!namespaceObject)
    throw new ClusterError('not-found', `Namespace ${namespace} does not exist in context ${api.target.context}.`);
  const workloads = [
    ...(await api.list('apps/v1', 'Deployment', namespace, { signal })),
    ...(await api.list('apps/v1', 'StatefulSet', namespace, { signal })),
  ].filter((w) => !(Array.isArray(w.metadata.ownerReferences) && w.metadata.ownerReferences.length));
  const services = await api.list('v1', 'Service', namespace, { signal });
  // The namespace's ResourceQuotas go into manifests/: the plan checks every state against them.
  let quotas: KubeObject[] = [];
  let quotasRead = true;
  try {
    quotas = await api.list('v1', 'ResourceQuota', namespace, { signal });
  } catch (error) {
    if (!(error instanceof ClusterError) || !['forbidden', 'not-found'].includes(error.kind)) throw error;
    quotasRead = false;
    warnings.push(
      `ResourceQuotas could not be read (${error.message}); add the namespace's quotas to manifests/ to have them checked.`,
    );
  }

  say('Reading the nodes');
  let nodes: KubeObject[] = [];
  try {
    nodes = await api.list('v1', 'Node', undefined, { signal });
  } catch (error) {
    if (!(error instanceof ClusterError) || !['forbidden', 'not-found'].includes(error.kind)) throw error;
    warnings.push(`Nodes could not be read (${error.message}); the budget is left for you to fill in.`);
  }
  const schedulable = nodes.filter(
    (n) =>
      !valueAt(n, ['spec', 'unschedulable']) &&
      !((valueAt(n, ['spec', 'taints']) as JsonObject[] | undefined) ?? []).some(
        (t) => t.effect === 'NoSchedule' && /control-plane|master/.test(String(t.key)),
      ),
  );

  say('Reading current usage (metrics.k8s.io)');
  let podMetrics: KubeObject[] | undefined;
  try {
    podMetrics = await api.list('metrics.k8s.io/v1beta1', 'PodMetrics', namespace, { signal });
  } catch (error) {
    if (!(error instanceof ClusterError) || !['forbidden', 'not-found', 'unknown'].includes(error.kind)) throw error;
    warnings.push(
      `Current usage is not included: the metrics API (metrics-server) is not available (${error.message}).`,
    );
  }

  // Names from the cluster become file names through toFileName; every file must land inside the
  // folder and replace nothing the user has (unless asked to), checked before anything is written.
  const entries = new FolderEntries();
  const placed = [...workloads, ...services, ...quotas].map((object) => {
    const place = placeInside(
      options.outDir,
      'manifests',
      entries.take(`${object.kind.toLowerCase()}-${object.metadata.name}`, '.yaml'),
    );
    if (!place.ok) throw new ClusterError('precondition', `Nothing was imported: ${place.reason}.`);
    if (!options.overwrite && fs.existsSync(place.file))
      throw new ClusterError(
        'precondition',
        `Nothing was imported: ${place.file} already exists; choose another folder or remove it.`,
      );
    return { object, file: place.file };
  });
  const planPlace = placeInside(options.outDir, `${planName}.plan.yaml`);
  if (!planPlace.ok) throw new ClusterError('precondition', `Nothing was imported: ${planPlace.reason}.`);
  const manifestFiles: string[] = [];
  for (const { object, file } of placed) {
    const doc = new Document(toManifest(object), { aliasDuplicateObjects: false });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      `# Imported from context ${api.target.context}, namespace ${namespace}.\n${doc.toString({ indent: 2, lineWidth: 0 })}`,
    );
    manifestFiles.push(file);
  }

  // Budget: the allocatable of the schedulable nodes, in pools of identical nodes.
  const pools = new Map<string, { name: string; count: number; cpu: number; memory: number; pods: number }>();
  let cpu = 0;
  let memory = 0;
  let pods = 0;
  for (const node of schedulable) {
    const allocatable = (valueAt(node, ['status', 'allocatable']) ?? {}) as JsonObject;
    const c = kubernetesCpuMillicores(allocatable.cpu ?? '0');
    const m = kubernetesBytes(allocatable.memory ?? '0');
    const p = kubernetesCount(allocatable.pods ?? '110');
    if (!c.ok || !m.ok || !p.ok) {
      warnings.push(`Node ${node.metadata.name} has allocatable values this tool cannot read; left out of the budget.`);
      continue;
    }
    cpu += c.value;
    memory += m.value;
    pods += p.value;
    const key = `${c.value}/${m.value}/${p.value}`;
    const pool = pools.get(key);
    if (pool) pool.count += 1;
    else {
      const type = valueAt(node, ['metadata', 'labels', 'node.kubernetes.io/instance-type']);
      let name = dns1123Label(typeof type === 'string' ? type : `pool-${pools.size + 1}`);
      if ([...pools.values()].some((q) => q.name === name)) name = `${name}-${pools.size + 1}`;
      pools.set(key, { name, count: 1, cpu: c.value, memory: m.value, pods: p.value });
    }
  }

  // Current usage per workload: pod metrics matched to workloads by their selectors.
  const usageLines: string[] = [];
  if (podMetrics) {
    let totalCpu = 0;
    let totalMemory = 0;
    for (const workload of workloads) {
      const selector = (valueAt(workload, ['spec', 'selector', 'matchLabels']) ?? {}) as Record<string, string>;
      const matching = podMetrics.filter(
        (m) =>
          Object.keys(selector).length > 0 &&
          Object.entries(selector).every(([k, v]) => valueAt(m, ['metadata', 'labels', k]) === v),
      );
      let wc = 0;
      let wm = 0;
      for (const pod of matching) {
        for (const container of (pod.containers as JsonObject[] | undefined) ?? []) {
          const usage = (container.usage ?? {}) as JsonObject;
          const c = kubernetesCpuMillicores(usage.cpu ?? '0');
          const m = kubernetesBytes(usage.memory ?? '0');
          if (c.ok) wc += c.value;
          if (m.ok) wm += m.value;
        }
      }
      totalCpu += wc;
      totalMemory += wm;
      usageLines.push(
        `#   ${workload.kind} ${workload.metadata.name}: cpu ${formatMillicores(wc)}, memory ${formatBytes(wm)} (${matching.length} pod${matching.length === 1 ? '' : 's'})`,
      );
    }
    usageLines.unshift(
      `# Current usage (metrics.k8s.io, ${new Date().toISOString()}): cpu ${formatMillicores(totalCpu)}, memory ${formatBytes(totalMemory)} in all.`,
    );
  }

  const lines = [
    `# Imported from context ${api.target.context} (cluster ${api.target.cluster}), namespace ${namespace}, on ${new Date().toISOString()}.`,
    `# ${workloads.length} workloads and ${services.length} Services are in manifests/.`,
    schedulable.length
      ? `# The budget is the allocatable of the ${schedulable.length} schedulable node${schedulable.length === 1 ? '' : 's'}${nodes.length > schedulable.length ? ` (${nodes.length - schedulable.length} control-plane or cordoned left out)` : ''}.`
      : '# No node could be read: fill in the budget (what the cluster can give this namespace).',
    quotas.length
      ? `# ${quotas.length === 1 ? `ResourceQuota ${quotas[0].metadata.name} is` : `ResourceQuotas ${quotas.map((q) => q.metadata.name).join(', ')} are`} in manifests/: every state is checked against ${quotas.length === 1 ? 'it' : 'them'} (budget/quota-exceeded).`
      : quotasRead
        ? '# The namespace has no ResourceQuota.'
        : '# Its ResourceQuotas could not be read.',
    ...usageLines,
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata:',
    `  name: ${planName}`,
    'spec:',
    '  sources:',
    '    - manifests/*.yaml',
    `  namespace: ${namespace}`,
  ];
  if (schedulable.length) {
    lines.push(
      '  budget:',
      `    cpu: "${toKubernetesCpu(cpu)}"`,
      `    memory: ${toKubernetesMemory(memory)}`,
      `    pods: ${pods}`,
      '    nodes:',
    );
    for (const pool of pools.values()) {
      lines.push(
        `      - {name: ${pool.name}, count: ${pool.count}, cpu: "${toKubernetesCpu(pool.cpu)}", memory: ${toKubernetesMemory(pool.memory)}, pods: ${pool.pods}}`,
      );
    }
  } else {
    lines.push('  # budget: {cpu: "8", memory: 32Gi, pods: 110}');
  }
  lines.push(
    '  # phases: the consolidation, step by step (see docs/plan-format.md), for example:',
    '  # phases:',
    '  #   - name: first-merge',
    '  #     merge:',
    '  #       - name: merged',
    `  #         from: [${
      workloads
        .slice(0, 2)
        .map((w) => w.metadata.name)
        .join(', ') || 'a, b'
    }]`,
    '',
  );
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(planFile, lines.join('\n'));
  return {
    planFile,
    manifestFiles,
    workloads: workloads.length,
    services: services.length,
    nodes: schedulable.length,
    metrics: !!podMetrics,
    warnings,
  };
}
