import { formatQuantityForResource } from '../quantity';
import type { PlanState } from '../budget/states';
import type { PodResources } from '../budget/podResources';
import { namespaceOf } from '../budget/resolve';
import type { SourceLocation } from '../model/location';
import type { ManifestFile, ServiceModel, WorkloadModel, WorkloadPolicyModel } from '../model/workspace';
import { asChange, removeListItem, setMergeKey } from '../plan/planEdits';
import type { MergeSpec, PhaseSpec, WorkloadRef } from '../plan/types';
import type { EditAction, FixData, RelatedLocation } from '../rules/types';
import { at, isObject, podSpecOf, type KubeObject } from './kube';
import { statefulImageKind } from './statefulImages';
import type { MergeSource } from './podMerge';

export type MergeCode =
  | 'merge/port-conflict'
  | 'merge/kind-mismatch'
  | 'merge/namespace-mismatch'
  | 'merge/service-account-conflict'
  | 'merge/pod-spec-conflict'
  | 'merge/singleton-replicated'
  | 'merge/rwo-volume-replicated'
  | 'merge/volume-dropped'
  | 'merge/hpa-orphaned'
  | 'merge/port-unmapped'
  | 'merge/name-conflict'
  | 'merge/no-savings'
  | 'merge/state-replicated';

/** A reason a merge would not work (or what it saves), placed on the plan line that causes it. */
export interface MergeFact {
  code: MergeCode;
  phase: string;
  merge: string;
  message: string;
  location: SourceLocation;
  related?: RelatedLocation[];
  data?: FixData;
}

export interface ServiceEntry {
  model: ServiceModel | undefined;
  object: KubeObject;
  /** Ids of the workloads whose pods it selects now. */
  selects: Set<string>;
}

export interface MergeCheckInput {
  phase: PhaseSpec;
  merge: MergeSpec;
  sources: (MergeSource & { ref?: WorkloadRef })[];
  merged: KubeObject;
  replicas: number;
  selecting: ServiceEntry[];
  manifests: ManifestFile[];
  defaultNamespace: string | undefined;
  planText: string;
  after: PlanState;
  /** Per-pod resources as the budget computes them (LimitRanges, overheads). */
  perPod: (workload: WorkloadModel) => PodResources;
  /** The workload that already has the merge's name in its namespace (scaled to 0 is still there). */
  nameTakenBy?: { kind: string; location: SourceLocation };
}

const POD_SPEC_FIELDS = ['nodeSelector', 'tolerations', 'affinity', 'hostNetwork', 'securityContext', 'restartPolicy'] as const;
const STEADY_KINDS = new Set(['Deployment', 'ComposeService', 'ReplicaSet']);

export function checkMerge(input: MergeCheckInput): MergeFact[] {
  const facts: MergeFact[] = [];
  const { merge, phase, sources } = input;
  const report = (code: MergeCode, message: string, location: SourceLocation, extra: Partial<MergeFact> = {}) =>
    facts.push({ code, phase: phase.name, merge: merge.name, message: `Merge ${merge.name}: ${message}`, location, ...extra });
  const refOf = (source: (typeof sources)[number]) => source.ref?.location ?? merge.nameLocation;
  const first = sources[0];

  // Kinds: Deployments (and compose services) together, or StatefulSets together; nothing else merges.
  const kindOf = (s: MergeSource) => (STEADY_KINDS.has(s.workload.kind) ? 'Deployment' : s.workload.kind);
  const mergeable = (k: string) => k === 'Deployment' || k === 'StatefulSet';
  for (const source of sources) {
    const kind = kindOf(source);
    if (!mergeable(kind) || kind !== kindOf(first)) {
      report(
        'merge/kind-mismatch',
        `${source.workload.name} is a ${source.workload.kind}${mergeable(kind) ? ` and ${first.workload.name} a ${first.workload.kind}` : ''}: only Deployments with Deployments or StatefulSets with StatefulSets merge into one pod.`,
        refOf(source),
        { related: [{ location: source.workload.nameLocation, message: `${source.workload.kind} ${source.workload.name}` }] },
      );
    }
  }

  const namespaces = sources.map((s) => namespaceOf(s.workload, input.defaultNamespace));
  sources.forEach((source, i) => {
    if (namespaces[i] !== namespaces[0]) {
      report('merge/namespace-mismatch', `${source.workload.name} is in namespace ${namespaces[i]}, ${first.workload.name} in ${namespaces[0]}: one pod lives in one namespace.`, refOf(source), {
        related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }],
      });
    }
  });

  const accounts = sources.map((s) => String(at(podSpecOf(s.object), ['serviceAccountName']) ?? 'default'));
  const distinctAccounts = [...new Set(accounts)];
  if (distinctAccounts.length > 1 && !merge.serviceAccountName) {
    report('merge/service-account-conflict', `the workloads run as different service accounts (${distinctAccounts.join(', ')}); one pod has one. Choose which the merged pod uses.`, merge.nameLocation, {
      related: sources.map((s, i) => ({ location: s.workload.nameLocation, message: `${s.workload.name}: serviceAccountName ${accounts[i]}` })),
      data: {
        fix: 'edits',
        actions: distinctAccounts.map((account) => ({ title: `Use service account ${account}`, changes: [asChange(setMergeKey(input.planText, merge, 'serviceAccountName', account))] })),
      },
    });
  }

  for (const field of POD_SPEC_FIELDS) {
    const values = sources.map((s) => canonical(normalizePodField(field, podSpecOf(s.object)[field])));
    sources.forEach((source, i) => {
      if (values[i] === values[0]) return;
      report('merge/pod-spec-conflict', `${source.workload.name} and ${first.workload.name} set different ${field} (${short(values[i])} vs ${short(values[0])}); the merged pod takes ${first.workload.name}'s.`, refOf(source), {
        related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }],
      });
    });
  }

  if (input.nameTakenBy) {
    report('merge/name-conflict', `a ${input.nameTakenBy.kind} named ${merge.name} already exists in namespace ${namespaces[0]} (replaced workloads are scaled to 0, not deleted, and selectors cannot change): give the merged workload a new name.`, merge.nameLocation, {
      related: [{ location: input.nameTakenBy.location, message: `${input.nameTakenBy.kind} ${merge.name}` }],
    });
  }

  checkOneShotMix(input, report, refOf);
  checkPorts(input, report, refOf);
  checkSingletons(input, report, refOf);
  checkVolumes(input, report, refOf);
  checkReplicatedState(input, report, refOf);
  checkDroppedVolumes(input, report, refOf);
  checkPolicies(input, report, refOf);
  if (merge.strategy === 'replace') checkPortMappings(input, report);
  reportSavings(input, report);
  return facts;
}

type Report = (code: MergeCode, message: string, location: SourceLocation, extra?: Partial<MergeFact>) => void;
type RefOf = (source: MergeCheckInput['sources'][number]) => SourceLocation;

function checkPorts(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  if (input.merge.strategy === 'replace') return checkReplacePorts(input, report);
  // Sources are told apart by id: two workloads may share a name (in two namespaces, two compose folders).
  const seen = new Map<string, { id: string; label: string; container: string; location: SourceLocation }>();
  const labelOf = sourceLabels(input);
  for (const source of input.sources) {
    for (const container of source.workload.containers) {
      for (const port of container.ports) {
        const key = `${port.port}/${port.protocol}`;
        const first = seen.get(key);
        const label = labelOf.get(source.workload.id) ?? source.workload.name;
        if (!first) {
          seen.set(key, { id: source.workload.id, label, container: container.name, location: port.location });
          continue;
        }
        if (first.id === source.workload.id) continue; // within one workload: manifest/duplicate-port
        report('merge/port-conflict', `container ${container.name} of ${label} and container ${first.container} of ${first.label} both listen on ${key}; in one pod they share one network namespace.`, refOf(source), {
          related: [
            { location: port.location, message: `${container.name}: ${key}` },
            { location: first.location, message: `${first.container}: ${key}` },
          ],
        });
      }
    }
  }
}

/** Each source's name, with its namespace (or compose folder) when another source has the same name. */
function sourceLabels(input: MergeCheckInput): Map<string, string> {
  const labels = new Map<string, string>();
  for (const source of input.sources) {
    const w = source.workload;
    const shared = input.sources.some((s) => s.workload.id !== w.id && s.workload.name === w.name);
    const where = w.origin === 'compose' ? w.id.slice('compose:'.length, w.id.lastIndexOf('#')) : namespaceOf(w, input.defaultNamespace);
    labels.set(w.id, shared ? (w.origin === 'compose' ? `${w.name} (${where})` : `${where}/${w.name}`) : w.name);
  }
  return labels;
}

/** A replace merge's new container listing one port twice (its sources' ports are gone). */
function checkReplacePorts(input: MergeCheckInput, report: Report): void {
  const container = input.merge.container;
  if (!container) return;
  const counted = new Map<number, number>();
  for (const port of container.ports) counted.set(port, (counted.get(port) ?? 0) + 1);
  for (const [port, count] of counted) {
    if (count < 2) continue;
    report('merge/port-conflict', `the merge's container lists port ${port}/TCP ${count === 2 ? 'twice' : `${count} times`}; a container port is declared once.`, input.merge.nameLocation, {
      related: [{ location: container.location, message: `container of ${input.merge.name}` }],
    });
  }
}

function checkSingletons(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  if (input.replicas <= 1) return;
  for (const source of input.sources) {
    if (source.workload.replicas !== 1 || input.selecting.some((s) => s.selects.has(source.workload.id))) continue;
    const actions: EditAction[] = [];
    if (input.merge.replicasLocation) {
      actions.push({ title: 'Set replicas: 1', changes: [{ ...input.merge.replicasLocation.range, newText: '1' }] });
    } else {
      actions.push({ title: 'Set replicas: 1', changes: [asChange(setMergeKey(input.planText, input.merge, 'replicas', '1'))] });
    }
    actions.push(...leaveOut(input, source));
    report(
      'merge/singleton-replicated',
      `${source.workload.name} ran 1 replica and no Service selects it (a worker, a reconciler): in a pod with ${input.replicas} replicas its work would run ${input.replicas} times.`,
      refOf(source),
      { related: [{ location: source.workload.replicasLocation ?? source.workload.nameLocation, message: `${source.workload.name}: 1 replica` }], data: { fix: 'edits', actions } },
    );
  }
}

/**
 * One-shot work (a one-shot compose service, of a kind that otherwise merges) in a pod merge with long-running
 * workloads: the merged pod runs steadily, so the job would be restarted for ever. Jobs and CronJobs are already
 * reported by kind.
 */
function checkOneShotMix(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  // A replace merge runs the plan's container, not the sources': nothing of the job runs in the new pod.
  const steady = input.merge.strategy === 'pod' ? input.sources.find((s) => s.workload.steady) : undefined;
  if (!steady) return;
  for (const source of input.sources) {
    if (source.workload.steady || source.workload.kind === 'Job' || source.workload.kind === 'CronJob') continue;
    const actions = leaveOut(input, source);
    report(
      'merge/kind-mismatch',
      `${source.workload.name} is one-shot work (it runs to completion) and ${steady.workload.name} runs steadily: in one long-running pod it would be restarted for ever. Leave it out of the merge (run it as a Job, or as an init container).`,
      refOf(source),
      { related: [{ location: source.workload.nameLocation, message: `${source.workload.name}: one-shot` }], ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}) },
    );
  }
}

/** The quick fix that takes a source out of the merge's `from` (none when the plan does not name it there). */
function leaveOut(input: MergeCheckInput, source: MergeCheckInput['sources'][number]): EditAction[] {
  return source.ref ? [{ title: `Leave ${source.workload.name} out of the merge`, changes: [asChange(removeListItem(input.planText, source.ref))] }] : [];
}

function checkVolumes(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  if (input.replicas <= 1) return;
  for (const source of input.sources) {
    const volumes = at(podSpecOf(source.object), ['volumes']);
    for (const volume of Array.isArray(volumes) ? volumes.filter(isObject) : []) {
      const claimName = at(volume, ['persistentVolumeClaim', 'claimName']);
      if (typeof claimName !== 'string') continue;
      const namespace = namespaceOf(source.workload, input.defaultNamespace);
      const claim = input.manifests.flatMap((m) => m.claims).find((c) => c.name === claimName && (c.namespace ?? input.defaultNamespace ?? 'default') === namespace);
      if (!claim || !claim.accessModes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod')) continue;
      report('merge/rwo-volume-replicated', `${source.workload.name} mounts claim ${claimName} (${claim.accessModes.join(', ')}); ${input.replicas} replicas of the merged pod cannot all mount it.`, refOf(source), {
        related: [{ location: claim.location, message: `PersistentVolumeClaim ${claimName}` }],
      });
    }
  }
}

/**
 * Storage a source mounts that the merged workload does not: a compose service's volumes (not
 * converted), or a claim a `replace` merge's new container leaves behind. Its data would live only
 * as long as the pod.
 */
function checkDroppedVolumes(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  for (const source of input.sources) {
    const compose = source.composeVolumes ?? [];
    const hostPaths = compose.filter((v) => v.source !== undefined && /^[./~]/.test(v.source));
    const data = [
      ...compose.filter((v) => !hostPaths.includes(v)).map((v) => (v.source ? `volume ${v.source} at ${v.target}` : `an anonymous volume at ${v.target}`)),
      // A pod merge keeps every volume and claim template; a replace merge's new container has none.
      ...(input.merge.strategy === 'replace' ? claimsOf(source.object) : []),
    ];
    const host = hostPaths.map((v) => `host path ${v.source} at ${v.target}`);
    if (data.length + host.length === 0) continue;
    const consequences = [data.length ? 'its data would last only as long as the pod' : '', host.length ? 'the files from the host would be missing' : ''].filter(Boolean);
    const remedy = compose.length
      ? 'compose volumes are not converted: add PersistentVolumeClaims, ConfigMaps or hostPath volumes to the generated manifests before applying'
      : 'mount it in the new workload after generating, or keep that workload out of the merge';
    // Leaving the workload out keeps it, and its storage, as it is.
    const actions = leaveOut(input, source);
    report(
      'merge/volume-dropped',
      `${source.workload.name} mounts ${[...data, ...host].join(', ')}, which the merged workload does not: ${consequences.join(', and ')} (${remedy}).`,
      refOf(source),
      { related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }], ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}) },
    );
  }
}

/** The PersistentVolumeClaims a workload's pods mount, and its StatefulSet claim templates. */
function claimsOf(object: KubeObject): string[] {
  const volumes = at(podSpecOf(object), ['volumes']);
  const templates = at(object, ['spec', 'volumeClaimTemplates']);
  return [
    ...(Array.isArray(volumes) ? volumes.filter(isObject).map((v) => at(v, ['persistentVolumeClaim', 'claimName'])).filter((c) => typeof c === 'string').map((c) => `claim ${c}`) : []),
    ...(Array.isArray(templates) ? templates.filter(isObject).map((t) => `claim template ${String(at(t, ['metadata', 'name']))}`) : []),
  ];
}

function checkPolicies(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  for (const source of input.sources) {
    const namespace = namespaceOf(source.workload, input.defaultNamespace);
    for (const policy of input.manifests.flatMap((m) => m.policies)) {
      if ((policy.namespace ?? input.defaultNamespace ?? 'default') !== namespace) continue;
      const targets =
        policy.kind === 'HorizontalPodAutoscaler'
          ? policy.targetName === source.workload.name && (!policy.targetKind || policy.targetKind === source.workload.kind)
          : !!policy.selector && Object.keys(policy.selector).length > 0 && Object.entries(policy.selector).every(([k, v]) => source.workload.podLabels[k] === v);
      if (!targets) continue;
      report('merge/hpa-orphaned', `${policy.kind} ${policy.name} targets ${source.workload.name}, which the merge scales to 0: it would no longer apply to anything; move it to ${input.merge.name}.`, refOf(source), {
        related: [{ location: policy.location, message: `${policy.kind} ${policy.name}` }],
      });
      if (policy.kind === 'HorizontalPodAutoscaler') retargetHpa(input, report, policy, source.workload.name);
    }
  }
}

/**
 * On the HPA's own `scaleTargetRef.name`: the same finding, with a quick fix that re-targets it at the
 * merged workload (its name, and its kind when the HPA names another).
 */
function retargetHpa(input: MergeCheckInput, report: Report, hpa: WorkloadPolicyModel, source: string): void {
  const kind = String(input.merged.kind ?? '');
  const changes: EditAction['changes'] = [];
  if (hpa.targetNameLocation && hpa.targetName !== input.merge.name) changes.push({ ...hpa.targetNameLocation.range, newText: input.merge.name });
  if (hpa.targetKindLocation && hpa.targetKind && kind && hpa.targetKind !== kind) changes.push({ ...hpa.targetKindLocation.range, newText: kind });
  if (!hpa.targetNameLocation || changes.length === 0) return;
  report(
    'merge/hpa-orphaned',
    `HorizontalPodAutoscaler ${hpa.name} targets ${source}, which phase ${input.phase.name} merges into ${input.merge.name}: re-target it at ${kind} ${input.merge.name}.`,
    hpa.targetNameLocation,
    { data: { fix: 'edits', actions: [{ title: `Re-target at ${kind} ${input.merge.name}`, changes }] } },
  );
}

function checkPortMappings(input: MergeCheckInput, report: Report): void {
  const target = input.merge.container?.ports[0];
  for (const service of input.selecting) {
    const ports = at(service.object, ['spec', 'ports']);
    for (const port of Array.isArray(ports) ? ports.filter(isObject) : []) {
      if (typeof port.port !== 'number' || input.merge.ports.some((m) => m.servicePort === port.port)) continue;
      const change = target !== undefined ? addPortMapping(input, port.port, target) : undefined;
      report('merge/port-unmapped', `Service ${String(service.object.metadata.name)} port ${port.port} has no mapping in \`ports\`; its callers would reach nothing.`, input.merge.portsLocation ?? input.merge.nameLocation, {
        related: service.model ? [{ location: service.model.location, message: `Service ${service.model.name}` }] : undefined,
        data: change ? { fix: 'edits', actions: [{ title: `Map port ${port.port} to container port ${target}`, changes: [change] }] } : undefined,
      });
    }
  }
}

function addPortMapping(input: MergeCheckInput, servicePort: number, containerPort: number): { start: number; end: number; newText: string } {
  const existing = input.merge.ports.at(-1);
  if (existing) {
    // After the last mapping's value: `80: 8080` → `80: 8080, 443: 8443` (flow) or a new line (block).
    const text = input.planText;
    const lineEnd = text.indexOf('\n', existing.location.range.end);
    const line = text.slice(existing.location.range.start, lineEnd === -1 ? text.length : lineEnd);
    const close = line.indexOf('}');
    if (close !== -1) {
      const at = existing.location.range.start + close;
      return { start: at, end: at, newText: `, ${servicePort}: ${containerPort}` };
    }
    const lineStart = text.lastIndexOf('\n', existing.location.range.start - 1) + 1;
    const indent = ' '.repeat(existing.location.range.start - lineStart);
    const end = lineEnd === -1 ? text.length : lineEnd;
    return { start: end, end, newText: `\n${indent}${servicePort}: ${containerPort}` };
  }
  return asChange(setMergeKey(input.planText, input.merge, 'ports', `{${servicePort}: ${containerPort}}`));
}

function reportSavings(input: MergeCheckInput, report: Report): void {
  const after = input.after.workloads.find((w) => w.merge?.spec === input.merge);
  if (!after || !after.workload.steady) return;
  // The sources as the merge takes them: after this phase's scale and resize steps.
  const sources = input.sources.filter((s) => s.workload.steady).map((s) => ({ pods: s.workload.replicas, perPod: input.perPod(s.workload) }));
  const pods = sources.reduce((n, s) => n + s.pods, 0) - after.pods;
  const saved = (resource: string) => sources.reduce((n, s) => n + (s.perPod.requests[resource] ?? 0) * s.pods, 0) - (after.perPod.requests[resource] ?? 0) * after.pods;
  const cpu = saved('cpu');
  const memory = saved('memory');
  const change = (resource: string, value: number) => `${value > 0 ? '−' : value < 0 ? '+' : ''}${formatQuantityForResource(resource, Math.abs(value))} ${resource === 'cpu' ? 'CPU' : resource}`;
  const note = input.merge.strategy === 'pod' ? ' A pod merge keeps every container and its resources: it saves pods and per-pod overhead, not requests.' : '';
  const podText = pods >= 0 ? `saves ${pods} pod${pods === 1 ? '' : 's'}` : `adds ${-pods} pod${pods === -1 ? '' : 's'}`;
  report('merge/no-savings', `${podText}; requests change by ${change('cpu', cpu)} and ${change('memory', memory)}.${note}`, input.merge.nameLocation);
}


/** What a pod-spec field means, so `{}`/`[]`/the default and an absent field compare equal. */
function normalizePodField(field: (typeof POD_SPEC_FIELDS)[number], value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field === 'restartPolicy' && value === 'Always') return null;
  if (field === 'hostNetwork' && value === false) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (isObject(value) && Object.keys(value).length === 0) return null;
  return value;
}

/** JSON with object keys sorted: two nodeSelectors in a different key order are the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

function short(json: string): string {
  if (json === 'null') return 'none';
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}


/**
 * A source that keeps state (a StatefulSet, a claim or claim template, a compose named volume, the
 * image of a well-known database or queue) whose replicas the merge raises: each new replica would
 * hold its own copy of the data, and one Service would spread callers over diverging copies.
 */
function checkReplicatedState(input: MergeCheckInput, report: Report, refOf: RefOf): void {
  for (const source of input.sources) {
    if (input.replicas <= source.workload.replicas) continue;
    // A ReadWriteOnce claim is already an error of its own (merge/rwo-volume-replicated).
    const rwo = new Set(readWriteOnceClaims(input, source).map((c) => `claim ${c}`));
    const reasons = stateReasons(source).filter((r) => !rwo.has(r));
    if (reasons.length === 0) continue;
    const before = source.workload.replicas;
    const actions: EditAction[] = [];
    const replicasChange = input.merge.replicasLocation
      ? { ...input.merge.replicasLocation.range, newText: String(before) }
      : before > 0
        ? asChange(setMergeKey(input.planText, input.merge, 'replicas', String(before)))
        : undefined;
    if (replicasChange && before > 0) actions.push({ title: `Set replicas: ${before}`, changes: [replicasChange] });
    actions.push(...leaveOut(input, source));
    report(
      'merge/state-replicated',
      `${source.workload.name} keeps state (${reasons.join('; ')}) and ran ${before} replica${before === 1 ? '' : 's'}; the merged workload runs ${input.replicas}: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.`,
      refOf(source),
      {
        related: [{ location: source.workload.replicasLocation ?? source.workload.nameLocation, message: `${source.workload.name}: ${before} replica${before === 1 ? '' : 's'}` }],
        ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}),
      },
    );
  }
}

/** The ReadWriteOnce(Pod) claims of the source's namespace that its pods mount. */
function readWriteOnceClaims(input: MergeCheckInput, source: MergeCheckInput['sources'][number]): string[] {
  const namespace = namespaceOf(source.workload, input.defaultNamespace);
  const volumes = at(podSpecOf(source.object), ['volumes']);
  const claimNames = (Array.isArray(volumes) ? volumes.filter(isObject) : []).map((v) => at(v, ['persistentVolumeClaim', 'claimName'])).filter((c): c is string => typeof c === 'string');
  return claimNames.filter((name) =>
    input.manifests
      .flatMap((m) => m.claims)
      .some((c) => c.name === name && (c.namespace ?? input.defaultNamespace ?? 'default') === namespace && c.accessModes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod')),
  );
}

/** Why a source keeps state, in words: its kind, its claims, its compose named volumes, its database image. */
function stateReasons(source: MergeCheckInput['sources'][number]): string[] {
  const reasons: string[] = [];
  if (source.workload.kind === 'StatefulSet') reasons.push('a StatefulSet');
  reasons.push(...claimsOf(source.object));
  const named = (source.composeVolumes ?? []).filter((v) => v.source !== undefined && !/^[./~$]/.test(v.source));
  reasons.push(...named.map((v) => `volume ${v.source} at ${v.target}`));
  for (const container of source.workload.containers) {
    const kind = container.image ? statefulImageKind(container.image) : undefined;
    if (kind) reasons.push(`image ${container.image}, ${kind}`);
  }
  return reasons;
}
