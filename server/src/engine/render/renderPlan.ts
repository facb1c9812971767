import { notScalable, type PlanState, type ReferenceFact, type StateWorkload } from '../budget/states';
import { namespaceOf } from '../budget/resolve';
import type { ServiceModel, WorkloadModel } from '../model/manifest';
import type { MergeSpec, PhaseSpec, ResizeStep, WorkloadRef } from '../plan/types';
import type { PlanResult } from '../analysis/planResult';
import type { SourceDocuments } from './sourceDocuments';
import {
  valueAt,
  clone,
  containersOf,
  ensure,
  isObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MERGE_LABEL,
  nameOf,
  NO_NODE_SELECTOR,
  PHASE_ANNOTATION,
  PLAN_ANNOTATION,
  podSpecOf,
  PREVIOUS_REPLICAS,
  setAnnotation,
  setLabel,
  type Json,
  type JsonObject,
  type KubeObject,
} from './kube';
import type { MergeFacts, MergeSourceFact, ServiceEntry } from './mergeFacts';
import { serviceIndex, type ServiceIndex } from './serviceIndex';
import { dns1123 } from '../manifests/compose';
import { mergePods, type SourceRenames } from './podMerge';
import {
  composeFiles,
  composeService,
  composeVolumes,
  containerResources,
  serviceObject,
  toManifestList,
  workloadObject,
} from './sourceObjects';
import { mergedWorkload } from './workloadSkeleton';
import { selectorMatches } from '../model/selector';

export type RenderRole = 'created' | 'service' | 'scaled-down' | 'changed';

export interface RenderedObject {
  object: KubeObject;
  role: RenderRole;
  /** Where this object came from, said in a comment above it. */
  origin: string;
}

export interface MergeRender {
  merge: MergeSpec;
  objects: RenderedObject[];
}

export interface PhaseRender {
  phase: PhaseSpec;
  /** Everything the phase creates or touches, in a safe order: new workloads, Services, changes, scale-downs. */
  objects: RenderedObject[];
  merges: MergeRender[];
}

export interface PlanRender {
  phases: PhaseRender[];
  /** What each rendered merge found, in plan order: what the merge rules check. */
  merges: MergeFacts[];
}

const ROLE_ORDER: Record<RenderRole, number> = { created: 0, service: 1, changed: 2, 'scaled-down': 3 };

/** Renders every phase of a plan: the manifests a user would apply, and the facts of each merge. */
export function renderPlan(documents: SourceDocuments, result: PlanResult): PlanRender {
  return new RenderRun(documents, result).run();
}

class RenderRun {
  private readonly objects = new Map<string, KubeObject>();
  private readonly mergeFacts: MergeFacts[] = [];
  /** Services read so far (lazily: only those a merge re-points are cloned), by ordinal; null when not a Service object. */
  private readonly serviceEntries = new Map<number, ServiceEntry | null>();
  private readonly composeServiceEntries = new Map<string, ServiceEntry | null>();
  private readonly serviceIndex: ServiceIndex;
  private readonly defaultNamespace: string | undefined;
  private readonly createdMerges = new Map<string, MergeSpec>();
  /** Replicas of each object when the phase being rendered began. */
  private phaseStartReplicas = new Map<KubeObject, number>();

  constructor(
    private readonly documents: SourceDocuments,
    private readonly result: PlanResult,
  ) {
    this.defaultNamespace = result.plan.namespace;
    this.serviceIndex = serviceIndex(result.manifests, result.workloads, this.defaultNamespace);
  }

  run(): PlanRender {
    const phases = this.result.plan.phases.map((phase, index) =>
      this.renderPhase(phase, this.result.analysis.states[index + 1]),
    );
    return { phases, merges: this.mergeFacts };
  }

  private renderPhase(phase: PhaseSpec, after: PlanState): PhaseRender {
    const touched = new Map<string, RenderedObject>();
    const touch = (object: KubeObject, role: RenderRole, origin: string) => {
      const key = `${object.kind}/${object.metadata.namespace ?? ''}/${nameOf(object)}`;
      const previous = touched.get(key);
      // Created stays created; a scale-down says so whatever happened to the object before it.
      const keep = previous && (previous.role === 'created' || role === 'changed');
      touched.set(key, keep ? { ...previous, object } : { object, role, origin });
    };
    this.phaseStartReplicas = new Map();
    const facts = this.result.analysis.references.filter(
      (f) => f.phase === phase.name && f.resolution.status === 'found',
    );

    for (const fact of facts.filter((f) => f.role === 'remove')) {
      const workload = resolvedWorkload(fact);
      const object = workload && this.objectOf(workload);
      const pod = object?.kind === 'Pod' ? ': a bare Pod stops only when deleted; delete it by hand' : '';
      if (object) touch(this.scaleDown(object, phase), 'scaled-down', `removed by phase ${phase.name}${pod}`);
    }
    for (const step of phase.scale) {
      const workload = this.workloadFor(facts, step.ref, 'scale');
      // Left out of the phase, as the budget leaves it out (plan/not-scalable).
      if (workload && notScalable(workload)) continue;
      const object = workload && this.objectOf(workload);
      if (!object) continue;
      ensure(object, ['spec']).replicas = step.replicas;
      this.stamp(object, phase);
      touch(object, 'changed', `scaled to ${step.replicas} by phase ${phase.name}`);
    }
    for (const step of phase.resize) {
      const workload = this.workloadFor(facts, step.ref, 'resize');
      const object = workload && this.objectOf(workload);
      if (!object) continue;
      resize(object, step);
      this.stamp(object, phase);
      touch(object, 'changed', `resized by phase ${phase.name}`);
    }
    const merges: MergeRender[] = [];
    for (const merge of phase.merge) {
      const entry = after.workloads.find((w) => w.merge?.spec === merge);
      if (!entry) continue;
      const rendered = this.renderMerge(phase, merge, entry, after, facts);
      merges.push({ merge, objects: rendered });
      for (const r of rendered) touch(r.object, r.role, r.origin);
    }
    // Later phases go on changing the live objects: a phase's output is a snapshot.
    const snapshots = new Map<KubeObject, KubeObject>();
    const snapshot = (r: RenderedObject): RenderedObject => {
      let copy = snapshots.get(r.object);
      if (!copy) snapshots.set(r.object, (copy = clone(r.object)));
      return { ...r, object: copy };
    };
    const objects = [...touched.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]).map(snapshot);
    return { phase, objects, merges: merges.map((m) => ({ merge: m.merge, objects: m.objects.map(snapshot) })) };
  }

  private renderMerge(
    phase: PhaseSpec,
    merge: MergeSpec,
    entry: StateWorkload,
    after: PlanState,
    facts: ReferenceFact[],
  ): RenderedObject[] {
    const sourceWorkloads = entry.merge!.sources;
    const sources: MergeSourceFact[] = sourceWorkloads.flatMap((workload) => {
      const object = this.objectOf(workload);
      const ref = facts.find(
        (f) => f.role === 'merge' && resolvedWorkload(f)?.id === workload.id && within(f.ref, merge),
      )?.ref;
      return object
        ? [
            {
              workload,
              object,
              ref,
              composeVolumes: composeVolumes(this.documents, workload),
              composeFiles: composeFiles(this.documents, workload),
            },
          ]
        : [];
    });
    if (sources.length === 0) return [];
    // Written only when the sources or the plan name one, as the sources themselves do.
    const namespace = sourceWorkloads[0].namespace ?? this.defaultNamespace;
    const replicas = entry.workload.replicas;
    const nameTakenBy = this.nameTaken(merge.name, namespaceOf(sourceWorkloads[0], this.defaultNamespace));
    const selecting = this.servicesSelecting(sourceWorkloads);

    let created: KubeObject;
    let renames = new Map<string, SourceRenames>();
    if (merge.strategy === 'replace') {
      created = this.replaceObject(merge, phase, namespace, replicas);
    } else {
      const merged = mergePods(merge, sources, replicas, namespace);
      created = merged.object;
      renames = merged.renames;
      if (merge.serviceAccountName) podSpecOf(created).serviceAccountName = merge.serviceAccountName;
    }
    if (!entry.workload.steady) created = asJob(created, replicas);
    // A long-running pod restarts Always (the only policy a Deployment or StatefulSet takes), whatever a job it took in had.
    else if (podSpecOf(created).restartPolicy !== undefined && podSpecOf(created).restartPolicy !== 'Always')
      delete podSpecOf(created).restartPolicy;
    this.createdMerges.set(`${namespaceOf(sourceWorkloads[0], this.defaultNamespace)}/${merge.name}`, merge);
    this.stamp(created, phase, true);
    this.objects.set(entry.workload.id, created);

    // As they are now: the Services are re-pointed and the sources scaled down below, and later phases change them.
    this.mergeFacts.push({
      phase,
      merge,
      sources: sources.map((s) => ({ ...s, object: clone(s.object) })),
      merged: clone(created),
      replicas,
      selecting: selecting.map((s) => ({ ...s })),
      after,
      nameTakenBy,
    });

    const rendered: RenderedObject[] = [
      {
        object: created,
        role: 'created',
        origin: `${merge.strategy} merge of ${sourceWorkloads.map((w) => w.name).join(', ')} (phase ${phase.name})`,
      },
    ];
    for (const service of selecting) {
      const object = this.repointService(service, merge, sourceWorkloads, renames, phase);
      service.selects = new Set([entry.workload.id]);
      service.object = object;
      rendered.push({
        object,
        role: 'service',
        origin: `Service ${nameOf(object)} re-pointed at ${merge.name}, so its callers keep working`,
      });
    }
    for (const source of sources) {
      rendered.push({
        object: this.scaleDown(source.object, phase),
        role: 'scaled-down',
        origin: `${source.workload.kind} ${source.workload.name}, replaced by ${merge.name}`,
      });
    }
    return rendered;
  }

  private replaceObject(
    merge: MergeSpec,
    phase: PhaseSpec,
    namespace: string | undefined,
    replicas: number,
  ): KubeObject {
    const raw = this.planContainer(phase, merge);
    const container: JsonObject = { name: merge.name, image: merge.container?.image ?? '' };
    for (const key of ['command', 'args', 'env']) if (raw && raw[key] !== undefined) container[key] = raw[key];
    // Ports as written: numbers, or {containerPort, name, protocol} so Services can target a name.
    const ports = Array.isArray(raw?.ports)
      ? raw.ports.flatMap((p) => (typeof p === 'number' ? [{ containerPort: p }] : isObject(p) ? [p] : []))
      : [];
    if (ports.length) container.ports = ports;
    const resources = merge.container ? containerResources(merge.container) : undefined;
    if (resources) container.resources = resources;
    const labels = { [MERGE_LABEL]: merge.name, 'app.kubernetes.io/name': merge.name };
    const podSpec = {
      ...(merge.serviceAccountName ? { serviceAccountName: merge.serviceAccountName } : {}),
      containers: [container],
    };
    return mergedWorkload(merge.name, namespace, { replicas, pod: { metadata: { labels }, spec: podSpec } });
  }

  /** The plan's `container:` of a replace merge as written (command, args and env are not modelled). */
  private planContainer(phase: PhaseSpec, merge: MergeSpec): JsonObject | undefined {
    const value = this.documents.documentValue(this.result.plan.path, 0);
    const phases = valueAt(value, ['spec', 'phases']);
    if (!Array.isArray(phases)) return undefined;
    const phaseValue = phases.find((p) => isObject(p) && p.name === phase.name);
    const mergeValue = Array.isArray(valueAt(phaseValue, ['merge']))
      ? (valueAt(phaseValue, ['merge']) as unknown[]).find((m) => isObject(m) && m.name === merge.name)
      : undefined;
    const container = valueAt(mergeValue, ['container']);
    return isObject(container) ? container : undefined;
  }

  private repointService(
    service: ServiceEntry,
    merge: MergeSpec,
    sources: WorkloadModel[],
    renames: Map<string, SourceRenames>,
    phase: PhaseSpec,
  ): KubeObject {
    const object = clone(service.object);
    const spec = ensure(object, ['spec']);
    spec.selector = { [MERGE_LABEL]: merge.name };
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObject) : [];
    for (const port of ports) {
      if (merge.strategy === 'replace') {
        const mapping = merge.ports.find((m) => m.servicePort === port.port);
        if (mapping) port.targetPort = mapping.containerPort;
        continue;
      }
      const targetPort = port.targetPort;
      if (typeof targetPort !== 'string') continue;
      for (const source of sources) {
        if (!service.selects.has(source.id)) continue;
        const renamed = renames.get(source.id)?.portNames.get(targetPort);
        if (renamed) port.targetPort = renamed;
      }
    }
    // The Service stays its owner's (Helm's, Argo CD's, the user's): its labels and annotations are kept.
    this.stamp(object, phase);
    return object;
  }

  private scaleDown(object: KubeObject, phase: PhaseSpec): KubeObject {
    const spec = ensure(object, ['spec']);
    if (object.kind === 'Job' || object.kind === 'CronJob') {
      // One-shot work has no replicas to set to 0: it is suspended (no new pods), and kept like the rest.
      spec.suspend = true;
      this.stamp(object, phase);
      return object;
    }
    if (object.kind === 'DaemonSet') {
      // No replicas either: a node selector that no node matches stops its pods, one per node, as 0 replicas would.
      ensure(podSpecOf(object), ['nodeSelector'])[NO_NODE_SELECTOR] = 'true';
      this.stamp(object, phase);
      return object;
    }
    if (object.kind === 'Pod') {
      // A bare Pod stops only when deleted, which this tool never does: it is rendered as it is (valid), and says so.
      this.stamp(object, phase);
      return object;
    }
    const annotations = ensure(object, ['metadata', 'annotations']);
    // What ran before this phase: a rollback of the phase restores it.
    annotations[PREVIOUS_REPLICAS] = String(this.phaseStartReplicas.get(object) ?? replicasOf(object));
    spec.replicas = 0;
    this.stamp(object, phase);
    return object;
  }

  /**
   * Marks what this tool writes: plan and phase annotations always; the managed-by label only on what the phase
   * creates (the merged workloads). Objects it touches (re-pointed Services, scaled-down or changed originals) keep
   * their own labels and annotations, so another manager (Helm's ownership metadata) still recognises them.
   */
  private stamp(object: KubeObject, phase: PhaseSpec, created = false): void {
    if (created) setLabel(object, MANAGED_BY_LABEL, MANAGED_BY);
    setAnnotation(object, PLAN_ANNOTATION, this.result.plan.name ?? '');
    setAnnotation(object, PHASE_ANNOTATION, phase.name);
  }

  /** A workload object that will still exist under this name: a source manifest's, or an earlier merge's. */
  private nameTaken(name: string, ns: string): MergeFacts['nameTakenBy'] {
    const existing = this.result.workloads.find(
      (w) =>
        w.kind !== 'Job' &&
        w.kind !== 'CronJob' &&
        (w.origin === 'compose' ? dns1123(w.name) : w.name) === name &&
        namespaceOf(w, this.defaultNamespace) === ns,
    );
    if (existing)
      return { kind: existing.origin === 'compose' ? 'Deployment' : existing.kind, location: existing.nameLocation };
    const merged = this.createdMerges.get(`${ns}/${name}`);
    return merged ? { kind: 'merged workload', location: merged.nameLocation } : undefined;
  }

  private objectOf(workload: WorkloadModel): KubeObject | undefined {
    let object = this.objects.get(workload.id);
    if (!object) {
      object = workloadObject(this.documents, workload, this.defaultNamespace);
      // A one-shot compose service runs to completion: a Job, as the report counts it (not a running Deployment).
      if (object && workload.origin === 'compose' && !workload.steady) object = asJob(object, workload.replicas);
      if (object) this.objects.set(workload.id, object);
    }
    if (object && !this.phaseStartReplicas.has(object)) this.phaseStartReplicas.set(object, replicasOf(object));
    return object;
  }

  private workloadFor(facts: ReferenceFact[], ref: WorkloadRef, role: string): WorkloadModel | undefined {
    const fact = facts.find((f) => f.role === role && f.ref.location.range.start === ref.location.range.start);
    return fact ? resolvedWorkload(fact) : undefined;
  }

  /**
   * The Services selecting any of these workloads now, in manifest order (then compose services): those
   * a merge re-pointed select what it created, the others what the index says they selected at the start.
   */
  private servicesSelecting(workloads: WorkloadModel[]): ServiceEntry[] {
    const ids = new Set(workloads.map((w) => w.id));
    const ordinals = new Set<number>();
    for (const [ordinal, entry] of this.serviceEntries)
      if (entry && [...entry.selects].some((id) => ids.has(id))) ordinals.add(ordinal);
    for (const id of ids)
      for (const ordinal of this.serviceIndex.selectingOf.get(id) ?? [])
        if (!this.serviceEntries.has(ordinal)) ordinals.add(ordinal);
    const selecting: ServiceEntry[] = [];
    for (const ordinal of [...ordinals].sort((a, b) => a - b)) {
      const entry = this.serviceEntry(ordinal);
      if (entry) selecting.push(entry);
    }
    const composeIds = new Set(this.result.workloads.filter((w) => w.origin === 'compose').map((w) => w.id));
    for (const workload of this.result.workloads) {
      if (!composeIds.has(workload.id)) continue;
      let entry = this.composeServiceEntries.get(workload.id);
      if (entry === undefined) {
        if (!ids.has(workload.id)) continue;
        const object = composeService(workload, this.defaultNamespace);
        entry = object ? { model: undefined, object, selects: new Set([workload.id]) } : null;
        this.composeServiceEntries.set(workload.id, entry);
      }
      if (entry && [...entry.selects].some((id) => ids.has(id))) selecting.push(entry);
    }
    return selecting;
  }

  private serviceEntry(ordinal: number): ServiceEntry | null {
    let entry = this.serviceEntries.get(ordinal);
    if (entry === undefined) {
      const service = this.serviceIndex.services[ordinal];
      const object = serviceObject(this.documents, service, this.defaultNamespace);
      entry = object ? { model: service, object, selects: new Set(this.serviceIndex.selectedBy[ordinal]) } : null;
      this.serviceEntries.set(ordinal, entry);
    }
    return entry;
  }
}

/**
 * One-shot work stays one-shot: a merge of Jobs (or one-shot compose services), or a one-shot compose service, is a
 * Job. Its replicas are how many pods run to completion, all at once (as `deploy.replicas` runs that many
 * containers): `completions` and `parallelism`.
 */
function asJob(object: KubeObject, replicas = 1): KubeObject {
  const template = clone(valueAt(object, ['spec', 'template']) as JsonObject);
  ensure(template, ['spec']).restartPolicy = 'OnFailure';
  const runs: JsonObject = replicas === 1 ? {} : { completions: replicas, parallelism: replicas };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: object.metadata,
    spec: { ...runs, backoffLimit: 3, template },
  };
}

function replicasOf(object: KubeObject): number {
  const replicas = valueAt(object, ['spec', 'replicas']);
  return typeof replicas === 'number' ? replicas : 1;
}

function resolvedWorkload(fact: ReferenceFact): WorkloadModel | undefined {
  return fact.resolution.status === 'found' ? fact.resolution.workload : undefined;
}

function within(ref: WorkloadRef, merge: MergeSpec): boolean {
  return ref.location.range.start >= merge.location.range.start && ref.location.range.end <= merge.location.range.end;
}

/** A Service selects a workload's pods: same namespace, and its selector is a subset of the pod labels. */
export function selects(service: ServiceModel, workload: WorkloadModel, defaultNamespace: string | undefined): boolean {
  if (workload.origin !== 'kubernetes') return false;
  return (
    namespaceOf(service, defaultNamespace) === namespaceOf(workload, defaultNamespace) &&
    selectorMatches(service.selector, workload.podLabels)
  );
}

function resize(object: KubeObject, step: ResizeStep): void {
  const containers = containersOf(podSpecOf(object));
  const patch = (container: JsonObject, requests: Record<string, number>, limits: Record<string, number>) => {
    const resources = ensure(container, ['resources']);
    if (Object.keys(requests).length)
      Object.assign(ensure(resources, ['requests']), toManifestList(requests) as Record<string, Json>);
    if (Object.keys(limits).length)
      Object.assign(ensure(resources, ['limits']), toManifestList(limits) as Record<string, Json>);
  };
  if (step.pod && containers.length === 1) patch(containers[0], step.pod.requests, step.pod.limits);
  for (const entry of step.containers) {
    const container = containers.find((c) => c.name === entry.name);
    if (container) patch(container, entry.patch.requests, entry.patch.limits);
  }
}
