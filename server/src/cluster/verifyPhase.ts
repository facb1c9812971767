import { namespaceOf } from '../engine/budget/resolve';
import { podResources } from '../engine/budget/podResources';
import { dns1123 } from '../engine/manifests/compose';
import { readManifestFile } from '../engine/manifests/readManifestFile';
import type { ResourceList } from '../engine/model/resources';
import type { WorkloadModel } from '../engine/model/manifest';
import {
  formatAlike,
  formatPercent,
  formatQuantityForResource,
  kubernetesBytes,
  kubernetesCpuMillicores,
} from '../engine/quantity';
import { valueAt, containersOf, podSpecOf, type JsonObject, type KubeObject } from '../engine/render/kube';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { recordStoreFor } from './applyPhase';
import { describeRef, refOf, type ClusterApi } from './clusterApi';
import { ClusterError } from './errors';
import type { LoadedPhase } from './phasePlan';
import { ownerIndex } from './usageMetricsServer';
import { PrometheusError, queryPrometheus } from './usagePrometheus';
import { workloadOfPodName, workloadsOf, type SnapshotWorkload } from './usageSamples';
import { formatUsageDuration } from '../engine/quantity/duration';

export type VerifyCheck = 'workload' | 'scaled-down' | 'endpoints' | 'restarts' | 'pending' | 'totals' | 'usage';

/** One line of the checklist, with its numbers. */
export interface VerifyLine {
  check: VerifyCheck;
  status: 'pass' | 'fail' | 'skip';
  subject: string;
  message: string;
}

export interface VerifyResult {
  plan: string;
  phase: string;
  context: string;
  /** The apply record's start time: restarts are counted from it. */
  since: string | null;
  lines: VerifyLine[];
  passed: boolean;
}

/**
 * Compares the live cluster with the plan's state after a phase, as a checklist: the phase's
 * workloads Available with the planned replicas and resources, its sources at 0, its Services with
 * ready endpoints on the merged pods, no restarts or OOM kills since the apply, no Pending pods, the
 * live totals equal to the plan's, and observed usage (metrics-server, now) against the usage targets.
 * Reads only.
 */
export async function verifyPhase(options: {
  api: ClusterApi;
  loaded: LoadedPhase;
  signal?: AbortSignal;
  /** Check the usage targets on Prometheus over a window instead of metrics-server now. */
  prometheus?: { url: string; windowMs: number };
}): Promise<VerifyResult> {
  const { api, loaded, signal } = options;
  const lines: VerifyLine[] = [];
  const line = (check: VerifyCheck, status: VerifyLine['status'], subject: string, message: string) =>
    lines.push({ check, status, subject, message });
  const defaultNamespace = loaded.namespace ?? api.target.namespace;
  const record = await recordStoreFor(api, loaded)
    .load({ signal })
    .catch(() => undefined);
  const since = record?.record.startedAt ?? null;

  // 1. The phase's workloads, its scale-downs and its Services.
  const live = new Map<string, KubeObject | undefined>();
  const getLive = async (object: KubeObject): Promise<KubeObject | undefined> => {
    const ref = refOf(object, defaultNamespace);
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    if (!live.has(key)) live.set(key, await api.get(ref, { signal }));
    return live.get(key);
  };
  const touchedWorkloads: { namespace: string; name: string }[] = [];
  for (const rendered of loaded.render.objects) {
    const planned = rendered.object;
    const ref = refOf(planned, defaultNamespace);
    const subject = describeRef(ref);
    const current = await getLive(planned);
    if (rendered.role === 'created' || rendered.role === 'changed') {
      touchedWorkloads.push({ namespace: ref.namespace ?? defaultNamespace, name: ref.name });
      if (!current) {
        line('workload', 'fail', subject, `${subject} does not exist.`);
        continue;
      }
      line('workload', ...workloadCheck(subject, planned, current));
    } else if (rendered.role === 'scaled-down') {
      const replicas = current ? Number(valueAt(current, ['spec', 'replicas']) ?? 1) : 0;
      const running = current ? Number(valueAt(current, ['status', 'replicas']) ?? 0) : 0;
      line(
        'scaled-down',
        current && (replicas !== 0 || running !== 0) ? 'fail' : 'pass',
        subject,
        current
          ? `${subject}: replicas ${replicas} (planned 0), ${running} pod${running === 1 ? '' : 's'} running.`
          : `${subject} does not exist (nothing runs).`,
      );
    } else if (rendered.role === 'service') {
      line(
        'endpoints',
        ...(await endpointsCheck(api, subject, ref.namespace ?? defaultNamespace, planned, current, signal)),
      );
    }
  }

  // 2. Pods of the touched namespaces: restarts, OOM kills, Pending.
  const namespaces = [
    ...new Set(loaded.render.objects.map((o) => refOf(o.object, defaultNamespace).namespace ?? defaultNamespace)),
  ].sort();
  const sinceMs = since ? Date.parse(since) : undefined;
  const restarts: string[] = [];
  const pending: string[] = [];
  let podCount = 0;
  let podsOfTouched = 0;
  for (const namespace of namespaces) {
    const pods = await api.list('v1', 'Pod', namespace, { signal });
    const owners = (await ownerIndex(api, namespace, signal)) ?? new Map();
    podCount += pods.length;
    for (const pod of pods) {
      const name = String(pod.metadata.name);
      if (valueAt(pod, ['status', 'phase']) === 'Pending') {
        const reason = ((valueAt(pod, ['status', 'conditions']) as JsonObject[] | undefined) ?? []).find(
          (c) => c.status === 'False',
        )?.message;
        pending.push(`${namespace}/${name}${reason ? ` (${reason})` : ''}`);
      }
      const owner = owners.get(name);
      if (!owner || !touchedWorkloads.some((w) => w.namespace === namespace && w.name === owner.name)) continue;
      podsOfTouched++;
      const created = Date.parse(String(pod.metadata.creationTimestamp ?? ''));
      for (const status of (valueAt(pod, ['status', 'containerStatuses']) as JsonObject[] | undefined) ?? []) {
        const terminated = valueAt(status, ['lastState', 'terminated']) as JsonObject | undefined;
        const finished = terminated ? Date.parse(String(terminated.finishedAt ?? '')) : NaN;
        const count = Number(status.restartCount ?? 0);
        // A restart counts when it ended after the apply (or the pod is younger than the apply).
        const recent =
          sinceMs === undefined ||
          (Number.isFinite(finished) ? finished >= sinceMs : Number.isFinite(created) && created >= sinceMs);
        if (!recent) continue;
        if (terminated?.reason === 'OOMKilled')
          restarts.push(
            `${namespace}/${name}/${status.name}: OOMKilled at ${terminated.finishedAt} (${count} restart${count === 1 ? '' : 's'})`,
          );
        else if (count > 0)
          restarts.push(
            `${namespace}/${name}/${status.name}: ${count} restart${count === 1 ? '' : 's'}${terminated?.reason ? ` (last: ${terminated.reason})` : ''}`,
          );
      }
    }
  }
  const from = since ? `since the apply at ${since}` : 'since the pods started (no apply record)';
  line(
    'restarts',
    restarts.length ? 'fail' : 'pass',
    'restarts',
    restarts.length
      ? `${restarts.length} container${restarts.length === 1 ? '' : 's'} restarted or OOMKilled ${from}: ${restarts.join('; ')}.`
      : `No restarts and no OOMKilled ${from} in the ${podsOfTouched} pods of the phase's workloads.`,
  );
  line(
    'pending',
    pending.length ? 'fail' : 'pass',
    'pending',
    pending.length
      ? `${pending.length} Pending pod${pending.length === 1 ? '' : 's'} in ${namespaces.join(', ')}: ${pending.join('; ')}.`
      : `No Pending pods in ${namespaces.join(', ')} (${podCount} pods).`,
  );

  // 3. Totals and usage against the plan's state after the phase.
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  const result = workspace.plan(loaded.planFile);
  const index = loaded.phaseNames.indexOf(loaded.phaseName);
  const state = result?.analysis.states[index + 1];
  if (result && state) {
    lines.push(
      await totalsCheck(
        api,
        result.workloads,
        state.workloads,
        result.plan.namespace ?? defaultNamespace,
        loaded,
        signal,
      ),
    );
    const budget = result.plan.budget?.allocatable ?? {};
    const namespace = result.plan.namespace ?? defaultNamespace;
    lines.push(
      ...(usageTargetsOf(state).length === 0
        ? [NO_USAGE_TARGETS]
        : options.prometheus
          ? await prometheusUsageChecks(options.prometheus, state, budget, namespace, signal)
          : await usageChecks(api, state, budget, namespace, signal)),
    );
  }
  return {
    plan: loaded.planName,
    phase: loaded.phaseName,
    context: api.target.context,
    since,
    lines,
    passed: lines.every((l) => l.status !== 'fail'),
  };
}

/** Replicas, availability and the resources of each planned container. */
function workloadCheck(subject: string, planned: KubeObject, current: KubeObject): ['pass' | 'fail', string, string] {
  const problems: string[] = [];
  const replicas = Number(valueAt(planned, ['spec', 'replicas']) ?? 1);
  const liveReplicas = Number(valueAt(current, ['spec', 'replicas']) ?? 1);
  const available = Number(
    valueAt(current, ['status', 'availableReplicas']) ?? valueAt(current, ['status', 'readyReplicas']) ?? 0,
  );
  if (liveReplicas !== replicas) problems.push(`replicas ${liveReplicas}, planned ${replicas}`);
  if (available < replicas) problems.push(`${available} of ${replicas} available`);
  const condition = ((valueAt(current, ['status', 'conditions']) as JsonObject[] | undefined) ?? []).find(
    (c) => c.type === 'Available',
  );
  if (current.kind === 'Deployment' && condition && condition.status !== 'True')
    problems.push(`not Available (${condition.reason ?? 'no reason'})`);
  const liveContainers = containersOf(podSpecOf(current) ?? {});
  const shown: string[] = [];
  for (const container of containersOf(podSpecOf(planned) ?? {})) {
    const other = liveContainers.find((c) => c.name === container.name);
    if (!other) {
      problems.push(`container ${container.name} missing`);
      continue;
    }
    for (const kind of ['requests', 'limits'] as const) {
      const want = quantities(valueAt(container, ['resources', kind]));
      const have = quantities(valueAt(other, ['resources', kind]));
      for (const resource of new Set([...Object.keys(want), ...Object.keys(have)])) {
        if (want[resource] !== have[resource]) {
          const [haveText, wantText] = formatAlike(resource, [have[resource] ?? 0, want[resource] ?? 0]);
          problems.push(
            `${container.name} ${resource} ${kind} ${have[resource] === undefined ? 'unset' : haveText}, planned ${want[resource] === undefined ? 'unset' : wantText}`,
          );
        }
      }
    }
    const requests = quantities(valueAt(container, ['resources', 'requests']));
    shown.push(
      `${container.name} ${
        Object.entries(requests)
          .map(([k, v]) => `${formatQuantityForResource(k, v)} ${k}`)
          .join(', ') || 'no requests'
      }`,
    );
  }
  return problems.length
    ? ['fail', subject, `${subject}: ${problems.join('; ')}.`]
    : [
        'pass',
        subject,
        `${subject}: ${available}/${replicas} available, replicas and resources as planned (${shown.join('; ')}).`,
      ];
}

function quantities(node: unknown): ResourceList {
  const out: ResourceList = {};
  if (!node || typeof node !== 'object') return out;
  for (const [name, raw] of Object.entries(node as JsonObject)) {
    const parsed = name === 'cpu' ? kubernetesCpuMillicores(raw) : kubernetesBytes(raw);
    if (parsed.ok) out[name] = parsed.value;
  }
  return out;
}

/** A re-pointed Service: the planned selector, and ready pods of the merged workload behind it. */
async function endpointsCheck(
  api: ClusterApi,
  subject: string,
  namespace: string,
  planned: KubeObject,
  current: KubeObject | undefined,
  signal: AbortSignal | undefined,
): Promise<['pass' | 'fail', string, string]> {
  if (!current) return ['fail', subject, `${subject} does not exist.`];
  const want = (valueAt(planned, ['spec', 'selector']) ?? {}) as Record<string, string>;
  const have = (valueAt(current, ['spec', 'selector']) ?? {}) as Record<string, string>;
  const selector = Object.entries(want)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (JSON.stringify(Object.entries(want).sort()) !== JSON.stringify(Object.entries(have).sort())) {
    return [
      'fail',
      subject,
      `${subject}: selector ${
        Object.entries(have)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || 'none'
      }, planned ${selector}.`,
    ];
  }
  // Ready endpoints: the pods the selector matches that are Ready (what the EndpointSlice controller publishes).
  const pods = await api.list('v1', 'Pod', namespace, { signal, labelSelector: selector });
  const selected = pods.filter((p) =>
    Object.entries(want).every(([k, v]) => (p.metadata.labels as Record<string, string> | undefined)?.[k] === v),
  );
  const ready = selected.filter(
    (p) =>
      valueAt(p, ['status', 'phase']) === 'Running' &&
      ((valueAt(p, ['status', 'conditions']) as JsonObject[] | undefined) ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
  );
  return ready.length > 0
    ? [
        'pass',
        subject,
        `${subject}: ${ready.length} ready endpoint${ready.length === 1 ? '' : 's'} of ${selected.length} selected pod${selected.length === 1 ? '' : 's'} (${selector}).`,
      ]
    : [
        'fail',
        subject,
        `${subject}: no ready endpoints: ${selected.length} pod${selected.length === 1 ? '' : 's'} selected by ${selector}, none Ready.`,
      ];
}

/** Live pods and requests/limits of the plan's workloads against the plan's state, in the same arithmetic. */
async function totalsCheck(
  api: ClusterApi,
  current: WorkloadModel[],
  planned: { workload: WorkloadModel; pods: number }[],
  defaultNamespace: string,
  loaded: LoadedPhase,
  signal: AbortSignal | undefined,
): Promise<VerifyLine> {
  // Per-pod figures without LimitRange defaults or plan overhead: both sides the same way, so they compare exactly.
  const perPod = (w: WorkloadModel) => podResources(w, { limitRanges: [], podOverhead: {} });
  const plan = { pods: 0, requests: {} as ResourceList, limits: {} as ResourceList };
  const liveTotals = { pods: 0, requests: {} as ResourceList, limits: {} as ResourceList };
  const add = (target: typeof plan, resources: { requests: ResourceList; limits: ResourceList }, pods: number) => {
    target.pods += pods;
    for (const kind of ['requests', 'limits'] as const)
      for (const r of ['cpu', 'memory']) target[kind][r] = (target[kind][r] ?? 0) + (resources[kind][r] ?? 0) * pods;
  };
  const differences: string[] = [];
  const names = new Map<string, { kind: string; namespace: string; name: string; plannedPods: number }>();
  for (const entry of planned) {
    if (!entry.workload.steady) continue;
    add(plan, perPod(entry.workload), entry.pods);
    const namespace = namespaceOf(entry.workload, defaultNamespace);
    const name = entry.workload.origin === 'compose' ? dns1123(entry.workload.name) : entry.workload.name;
    names.set(`${namespace}/${name}`, {
      kind: entry.workload.kind === 'ComposeService' ? 'Deployment' : entry.workload.kind,
      namespace,
      name,
      plannedPods: entry.pods,
    });
  }
  // Workloads the plan has taken away still count live while they run.
  for (const w of current) {
    if (!w.steady) continue;
    const namespace = namespaceOf(w, defaultNamespace);
    const name = w.origin === 'compose' ? dns1123(w.name) : w.name;
    if (!names.has(`${namespace}/${name}`))
      names.set(`${namespace}/${name}`, {
        kind: w.kind === 'ComposeService' ? 'Deployment' : w.kind,
        namespace,
        name,
        plannedPods: 0,
      });
  }
  for (const { kind, namespace, name, plannedPods } of names.values()) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(kind)) continue;
    const object = await api.get({ apiVersion: 'apps/v1', kind, namespace, name }, { signal });
    if (!object) {
      if (plannedPods > 0)
        differences.push(`${namespace}/${name}: missing, planned ${plannedPods} pod${plannedPods === 1 ? '' : 's'}`);
      continue;
    }
    const model = readManifestFile(`${kind}-${name}.json`, JSON.stringify(object), { maxBytes: 16 * 1024 * 1024 })
      .workloads[0];
    if (!model) continue;
    const pods =
      kind === 'DaemonSet'
        ? Number(valueAt(object, ['status', 'desiredNumberScheduled']) ?? 0)
        : Number(valueAt(object, ['spec', 'replicas']) ?? 1);
    add(liveTotals, perPod(model), pods);
    if (pods !== plannedPods)
      differences.push(`${namespace}/${name}: ${pods} pod${pods === 1 ? '' : 's'}, planned ${plannedPods}`);
  }
  const parts: string[] = [];
  let equal = plan.pods === liveTotals.pods;
  parts.push(`pods ${liveTotals.pods}${plan.pods === liveTotals.pods ? '' : ` (plan ${plan.pods})`}`);
  // One unit per resource over the whole line (`400m` beside `2,000m`, never beside `2`).
  const shown = new Map<string, string>();
  for (const r of ['cpu', 'memory']) {
    const values = (['requests', 'limits'] as const).flatMap((kind) => [liveTotals[kind][r] ?? 0, plan[kind][r] ?? 0]);
    formatAlike(r, values).forEach((text, index) => shown.set(`${r}:${values[index]}`, text));
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory']) {
      const a = liveTotals[kind][r] ?? 0;
      const b = plan[kind][r] ?? 0;
      if (a !== b) equal = false;
      parts.push(
        `${r === 'cpu' ? 'CPU' : 'memory'} ${kind} ${shown.get(`${r}:${a}`)}${a === b ? '' : ` (plan ${shown.get(`${r}:${b}`)})`}`,
      );
    }
  }
  const subject = `totals after ${loaded.phaseName}`;
  return equal && differences.length === 0
    ? { check: 'totals', status: 'pass', subject, message: `Live totals equal the plan's: ${parts.join(', ')}.` }
    : {
        check: 'totals',
        status: 'fail',
        subject,
        message: `Live totals differ from the plan's: ${parts.join(', ')}${differences.length ? `; ${differences.join('; ')}` : ''}.`,
      };
}

/** The phase's targets on observed usage, which the usage lines check. */
function usageTargetsOf<T extends { metric: string }>(state: { phase: { targets: T[] } | null }): T[] {
  return (state.phase?.targets ?? []).filter((t) => t.metric === 'cpuUsage' || t.metric === 'memoryUsage');
}

const NO_USAGE_TARGETS: VerifyLine = {
  check: 'usage',
  status: 'skip',
  subject: 'usage',
  message: 'No usage targets (cpuUsage, memoryUsage) in this phase.',
};

/**
 * metrics-server now, summed over the pods of the state's long-running workloads, against the
 * phase's usage targets. A pod of those workloads that metrics-server reports nothing for (it reports
 * a pod about a minute after it starts) is named and makes the target unconfirmed, which fails:
 * its usage is unknown, never zero. Without the right to list pods, pods are matched to the
 * workloads by the names controllers give them, as `consolidate usage` does.
 */
async function usageChecks(
  api: ClusterApi,
  state: UsageState,
  allocatable: ResourceList,
  defaultNamespace: string,
  signal: AbortSignal | undefined,
): Promise<VerifyLine[]> {
  const targets = usageTargetsOf(state);
  const steady = state.workloads.map((w) => w.workload).filter((w) => w.steady);
  const namespaces = [...new Set(steady.map((w) => namespaceOf(w, defaultNamespace)))];
  const total = { cpu: 0, memory: 0 };
  let pods = 0;
  const unmeasured: string[] = [];
  for (const namespace of namespaces) {
    let metrics: KubeObject[];
    try {
      metrics = await api.list('metrics.k8s.io/v1beta1', 'PodMetrics', namespace, { signal });
    } catch (error) {
      if (error instanceof ClusterError && ['not-found', 'unknown', 'forbidden'].includes(error.kind)) {
        return [
          {
            check: 'usage',
            status: 'skip',
            subject: 'usage',
            message: `Usage targets not checked: the metrics API is not available (${error.message})`,
          },
        ];
      }
      throw error;
    }
    const here = steady.filter((w) => namespaceOf(w, defaultNamespace) === namespace);
    const owners = await ownerIndex(api, namespace, signal);
    const ofState = (pod: string) => {
      const name = owners ? owners.get(pod)?.name : workloadOfPodName(pod, here)?.name;
      return name !== undefined && here.some((w) => w.name === name);
    };
    const measured = new Set<string>();
    for (const m of metrics) {
      const pod = String(m.metadata.name);
      if (!ofState(pod)) continue;
      pods++;
      measured.add(pod);
      for (const c of (m.containers as JsonObject[] | undefined) ?? []) {
        const cpu = kubernetesCpuMillicores(valueAt(c, ['usage', 'cpu']) ?? '');
        const memory = kubernetesBytes(valueAt(c, ['usage', 'memory']) ?? '');
        if (cpu.ok) total.cpu += cpu.value;
        if (memory.ok) total.memory += memory.value;
      }
    }
    // A Pending pod uses nothing yet (the pending line names it); a running one must be measured.
    for (const [pod, owner] of owners ?? [])
      if (owner.podPhase === 'Running' && ofState(pod) && !measured.has(pod)) unmeasured.push(`${namespace}/${pod}`);
  }
  const without = unmeasured.length
    ? `no metrics for ${unmeasured.length} pod${unmeasured.length === 1 ? '' : 's'} (${unmeasured.slice(0, 5).join(', ')}${unmeasured.length > 5 ? ', ...' : ''})`
    : '';
  return usageTargetLines(targets, total, allocatable, {
    label: (resource) => `${resource === 'cpu' ? 'CPU' : 'Memory'} usage now (metrics-server, ${pods} pods)`,
    overNote: without ? ` (and ${without})` : '',
    unconfirmed: without
      ? (label, shown, raw) =>
          `${label}: ${shown} without the usage of the rest: ${without}; target ${raw} cannot be confirmed (verify again once metrics-server reports them).`
      : undefined,
  });
}

type UsageTarget = { metric: string; raw: string | number; absolute?: number; milliPercent?: number };

/**
 * One line per usage target, whichever source measured `total`: skipped when the target is a share of a
 * budget the plan does not set, failed when usage is over it, failed as unconfirmed when some of the
 * state's pods were not measured (`unconfirmed`: what the source says about them), else passed.
 */
function usageTargetLines(
  targets: UsageTarget[],
  total: { cpu: number; memory: number },
  allocatable: ResourceList,
  source: {
    label: (resource: 'cpu' | 'memory') => string;
    /** Appended to the message of a target that is missed anyway. */
    overNote: string;
    unconfirmed: ((label: string, shown: string, raw: string | number) => string) | undefined;
  },
): VerifyLine[] {
  return targets.map((t): VerifyLine => {
    const resource = t.metric === 'cpuUsage' ? 'cpu' : 'memory';
    const used = total[resource];
    const budget = allocatable[resource];
    const limit =
      t.absolute ??
      (t.milliPercent !== undefined && budget
        ? Number((BigInt(budget) * BigInt(t.milliPercent)) / 100_000n)
        : undefined);
    if (limit === undefined)
      return {
        check: 'usage',
        status: 'skip',
        subject: t.metric,
        message: `${t.metric} ${t.raw}: a share of budget.${resource}, which the plan does not set.`,
      };
    const label = source.label(resource);
    const shown = `${formatQuantityForResource(resource, used)}${budget ? ` = ${formatPercent(used, budget)} of budget ${formatQuantityForResource(resource, budget)}` : ''}`;
    if (used > limit)
      return {
        check: 'usage',
        status: 'fail',
        subject: t.metric,
        message: `${label}: ${shown}, target at most ${t.raw}${source.overNote}.`,
      };
    if (source.unconfirmed)
      return { check: 'usage', status: 'fail', subject: t.metric, message: source.unconfirmed(label, shown, t.raw) };
    return {
      check: 'usage',
      status: 'pass',
      subject: t.metric,
      message: `${label}: ${shown}, target at most ${t.raw}.`,
    };
  });
}

/** A state as the usage lines read it: the phase's targets and the workloads with their planned pods. */
type UsageState = {
  phase: { targets: UsageTarget[] } | null;
  workloads: { workload: WorkloadModel; pods: number }[];
};

/**
 * Prometheus over a window: per workload, the p95 of each container per pod (cAdvisor series, as
 * `consolidate usage` reads them) × the planned pods, summed as the plan predicts usage. A workload
 * without series makes the target unconfirmed, which fails: verify is the proof.
 */
async function prometheusUsageChecks(
  source: { url: string; windowMs: number },
  state: UsageState,
  allocatable: ResourceList,
  defaultNamespace: string,
  signal: AbortSignal | undefined,
): Promise<VerifyLine[]> {
  const targets = usageTargetsOf(state);
  const steady = state.workloads.filter((w) => w.workload.steady);
  const namespaces = [...new Set(steady.map((w) => namespaceOf(w.workload, defaultNamespace)))].sort();
  let measured: SnapshotWorkload[];
  try {
    measured = workloadsOf(
      (
        await queryPrometheus({
          url: source.url,
          namespaces,
          workloads: steady.map((w) => w.workload),
          windowMs: source.windowMs,
          signal,
        })
      ).samples,
    );
  } catch (error) {
    if (error instanceof PrometheusError)
      return [
        { check: 'usage', status: 'fail', subject: 'usage', message: `Usage targets not checked: ${error.message}` },
      ];
    throw error;
  }
  const total = { cpu: 0, memory: 0 };
  const unknown: string[] = [];
  for (const entry of steady) {
    const found = measured.find(
      (m) => m.name === entry.workload.name && m.namespace === namespaceOf(entry.workload, defaultNamespace),
    );
    if (!found) {
      if (entry.pods > 0) unknown.push(entry.workload.name);
      continue;
    }
    for (const c of found.containers) {
      total.cpu += (c.cpu?.p95 ?? 0) * entry.pods;
      total.memory += (c.memory?.p95 ?? 0) * entry.pods;
    }
  }
  const window = formatUsageDuration(source.windowMs);
  return usageTargetLines(targets, total, allocatable, {
    label: (resource) =>
      `${resource === 'cpu' ? 'CPU' : 'Memory'} usage over ${window} (Prometheus, p95 per pod × pods)`,
    overNote: unknown.length ? ` (no series for ${unknown.join(', ')})` : '',
    unconfirmed: unknown.length
      ? (label, shown, raw) =>
          `${label}: ${shown} without ${unknown.join(', ')} (no series): target ${raw} cannot be confirmed.`
      : undefined,
  });
}

const MARK = { pass: '✓', fail: '✗', skip: '-' } as const;

/** The checklist as `consolidate verify` prints it. */
export function formatVerifyText(result: VerifyResult): string {
  const failed = result.lines.filter((l) => l.status === 'fail').length;
  const lines = [
    `Verify phase ${result.phase} of plan ${result.plan} on context ${result.context}${result.since ? ` (applied ${result.since})` : ' (no apply record)'}:`,
    ...result.lines.map((l) => `  ${MARK[l.status]} ${l.message}`),
    failed
      ? `${failed} of ${result.lines.filter((l) => l.status !== 'skip').length} checks failed.`
      : `All ${result.lines.filter((l) => l.status !== 'skip').length} checks hold.`,
  ];
  return lines.join('\n') + '\n';
}
