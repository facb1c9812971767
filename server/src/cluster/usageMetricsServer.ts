import type { WorkloadModel } from '../engine/model/manifest';
import { kubernetesBytes, kubernetesCpuMillicores } from '../engine/quantity';
import type { JsonObject, KubeObject } from '../engine/render/kube';
import type { ClusterApi } from './clusterApi';
import { abortableDelay, ClusterError } from './errors';
import { SampleSet, workloadOfPodName } from './usageSamples';

export interface MetricsServerOptions {
  api: ClusterApi;
  namespaces: string[];
  /** The plan's workloads: pods whose owners cannot be read are matched to them by name. */
  workloads: WorkloadModel[];
  intervalMs: number;
  durationMs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Called after each sample (tests change the metrics between samples). */
  onSample?: (index: number) => void | Promise<void>;
}

/**
 * Samples metrics.k8s.io PodMetrics every `intervalMs` for `durationMs` (at least one sample) and
 * maps each pod to its workload through its owner references (Pod → ReplicaSet → Deployment,
 * Pod → StatefulSet / DaemonSet / Job).
 */
export async function sampleMetricsServer(
  options: MetricsServerOptions,
): Promise<{ samples: SampleSet; count: number; unmatched: Set<string> }> {
  const { api, signal } = options;
  const samples = new SampleSet();
  const unmatched = new Set<string>();
  const count = Math.max(1, Math.floor(options.durationMs / options.intervalMs) + 1);
  for (let index = 0; index < count; index++) {
    for (const namespace of options.namespaces) {
      let metrics: KubeObject[];
      try {
        metrics = await api.list('metrics.k8s.io/v1beta1', 'PodMetrics', namespace, { signal });
      } catch (error) {
        if (error instanceof ClusterError && ['not-found', 'unknown'].includes(error.kind)) {
          throw new ClusterError(
            error.kind,
            `The metrics API (metrics.k8s.io) is not available in context ${api.target.context}: is metrics-server installed? (${error.message})`,
          );
        }
        throw error;
      }
      const owners = await ownerIndex(api, namespace, signal);
      for (const podMetrics of metrics) {
        const pod = String(podMetrics.metadata.name ?? '');
        const owner = owners?.get(pod) ?? byName(pod, namespace, options.workloads);
        if (!owner) {
          unmatched.add(`${namespace}/${pod}`);
          continue;
        }
        for (const container of (podMetrics.containers as JsonObject[] | undefined) ?? []) {
          const usage = (container.usage ?? {}) as JsonObject;
          const cpu = kubernetesCpuMillicores(usage.cpu ?? '');
          const memory = kubernetesBytes(usage.memory ?? '');
          samples.add(owner, pod, String(container.name), {
            cpu: cpu.ok ? cpu.value : undefined,
            memory: memory.ok ? memory.value : undefined,
          });
        }
      }
    }
    options.onProgress?.(`Sample ${index + 1} of ${count}`);
    await options.onSample?.(index);
    if (index < count - 1) await abortableDelay(options.intervalMs, signal);
  }
  return { samples, count, unmatched };
}

type Owner = { namespace: string; name: string; kind: string };
/** A pod's owner, and the pod's phase (`Running`, `Pending`...; what verify needs to expect metrics of it). */
type PodOwner = Owner & { podPhase?: string };

/** Pod name → the workload that owns it, from the pods' and ReplicaSets' owner references; undefined when pods cannot be listed. */
export async function ownerIndex(
  api: ClusterApi,
  namespace: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, PodOwner> | undefined> {
  let pods: KubeObject[];
  let replicaSets: KubeObject[] = [];
  try {
    pods = await api.list('v1', 'Pod', namespace, { signal });
  } catch (error) {
    if (error instanceof ClusterError && ['forbidden', 'not-found'].includes(error.kind)) return undefined;
    throw error;
  }
  try {
    replicaSets = await api.list('apps/v1', 'ReplicaSet', namespace, { signal });
  } catch (error) {
    if (!(error instanceof ClusterError && ['forbidden', 'not-found'].includes(error.kind))) throw error;
  }
  const controllerOf = (object: KubeObject | JsonObject): { kind: string; name: string } | undefined => {
    const refs = ((object.metadata as JsonObject | undefined)?.ownerReferences ?? []) as JsonObject[];
    const ref = refs.find((r) => r.controller === true) ?? refs[0];
    return ref ? { kind: String(ref.kind), name: String(ref.name) } : undefined;
  };
  const index = new Map<string, PodOwner>();
  for (const pod of pods) {
    const name = String(pod.metadata.name);
    let owner = controllerOf(pod);
    if (owner?.kind === 'ReplicaSet') {
      const rs = replicaSets.find((r) => r.metadata.name === owner!.name);
      const parent = rs ? controllerOf(rs) : undefined;
      if (parent) owner = parent;
    }
    const podPhase =
      typeof (pod.status as JsonObject | undefined)?.phase === 'string'
        ? String((pod.status as JsonObject).phase)
        : undefined;
    index.set(name, { ...(owner ? { namespace, ...owner } : { namespace, kind: 'Pod', name }), podPhase });
  }
  return index;
}

function byName(pod: string, namespace: string, workloads: WorkloadModel[]): Owner | undefined {
  const found = workloadOfPodName(
    pod,
    workloads.filter((w) => (w.namespace ?? namespace) === namespace),
  );
  return found ? { namespace, name: found.name, kind: found.kind } : undefined;
}
