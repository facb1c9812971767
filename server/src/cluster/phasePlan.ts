import * as path from 'node:path';
import { dns1123 } from '../engine/manifests/compose';
import type { WorkloadModel } from '../engine/model/manifest';
import type { PhaseSpec, ResourcePatch } from '../engine/plan/types';
import { kubernetesBytes, kubernetesCpuMillicores } from '../engine/quantity';
import {
  valueAt,
  clone,
  containersOf,
  isObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MERGE_LABEL,
  PHASE_ANNOTATION,
  PLAN_ANNOTATION,
  podSpecOf,
  PREVIOUS_REPLICAS,
  type JsonObject,
  type KubeObject,
} from '../engine/render/kube';
import type { PhaseRender, RenderedObject, RenderRole } from '../engine/render/renderPlan';
import { roleVerb } from '../engine/render/roleText';
import { toManifestList } from '../engine/render/sourceObjects';
import type { RuleSettings } from '../engine/rules/registry';
import {
  ConsolidationWorkspace,
  DEFAULT_OPTIONS,
  type WorkspaceOptions,
} from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost, type FileHost } from '../engine/workspace/fileHost';
import type { Finding } from '../engine/rules/types';
import type { ApplyRecord, RecordedObject } from './applyRecord';
import { budgetFigures, phaseFindings } from './phaseGate';
import { describeRef, refKey, refOf, type ClusterApi, type ObjectRef } from './clusterApi';
import { canonicalJson } from '../engine/yaml/canonical';

/** A plan that cannot be applied as it stands (no such phase, errors in the plan): a usage problem. */
export class PlanError extends Error {}

export interface LoadedPhase {
  planFile: string;
  planName: string;
  phaseName: string;
  phaseNames: string[];
  phase: PhaseSpec;
  render: PhaseRender;
  /** The plan's `spec.namespace`. */
  namespace?: string;
  /** The errors that make this phase wrong (phaseGate.ts): `file:line: message`. Apply refuses while there is one. */
  errors: string[];
  /** Errors that do not block this phase: budget findings, later phases, untouched manifests. */
  otherErrors: string[];
  /** The budget figures before and after the phase: `CPU requests 4200m = 105% → 4950m = 124% of budget 4 (worse)`. */
  budget: string[];
  /** plan/owned-by-controller for this phase: which controller (Helm, Argo CD, Flux) will revert what it writes. */
  controllerWarnings: string[];
  /** The renders of the phases before this one, first first (the phase-order check). */
  earlierPhases: PhaseRender[];
  /** Where the phase asks for a rendered object: `plan.yaml:21`. */
  locationOf(object: RenderedObject): string | undefined;
  /** What the phase's `scale` and `resize` say about a workload, by its object name. */
  changesOf(
    name: string,
    namespace: string | undefined,
  ): {
    replicas?: number;
    resize: ResourcePatch[];
    containerResize: { name: string; patch: ResourcePatch }[];
    location?: string;
  };
}

/** Reads a plan and renders one of its phases (the pure engine: no cluster). */
export function loadPhase(
  planFile: string,
  phaseName: string | undefined,
  options: {
    rules?: RuleSettings;
    host?: FileHost;
    workspace?: ConsolidationWorkspace;
    sources?: Pick<WorkspaceOptions, 'sourceRoots' | 'sourceLimits'>;
  } = {},
): LoadedPhase {
  const workspace =
    options.workspace ??
    new ConsolidationWorkspace(options.host ?? nodeFileHost, {
      ...DEFAULT_OPTIONS,
      ...options.sources,
      rules: options.rules ?? {},
    });
  if (workspace.text(planFile) === undefined) throw new PlanError(`${planFile}: cannot read the plan file`);
  const result = workspace.plan(planFile);
  const rendered = workspace.render(planFile);
  if (!result || !rendered) throw new PlanError(`${planFile}: not a consolidation plan`);
  const phaseNames = result.plan.phases.map((p) => p.name);
  if (!phaseName) throw new PlanError(`which phase? (phases: ${phaseNames.join(', ') || 'none'})`);
  const render = rendered.phases.find((p) => p.phase.name === phaseName);
  if (!render) throw new PlanError(`no phase "${phaseName}" in the plan (phases: ${phaseNames.join(', ') || 'none'})`);
  const lines = workspace.lineIndex(planFile)!;
  const where = (offset: number) => `${path.basename(planFile)}:${lines.positionAt(offset).line + 1}`;
  const lineOf = (file: string, offset: number) => {
    const index = workspace.lineIndex(file);
    return `${path.basename(file)}:${index ? index.positionAt(offset).line + 1 : '?'}`;
  };
  // Budget findings and errors elsewhere do not block this phase (phaseGate.ts says which do).
  const phaseIndex = phaseNames.indexOf(phaseName);
  const findings = [
    ...workspace.findings.plan(planFile),
    ...workspace.findings.planSources(planFile),
    ...result.sourceFiles.flatMap((f) => workspace.findings.manifest(f)),
  ];
  const gate = phaseFindings(result, findings, phaseIndex);
  const describeFinding = (f: Finding) => `${lineOf(f.location.file, f.location.range.start)}: ${f.message}`;
  const errors = gate.blocking.map(describeFinding);
  const phase = render.phase;
  const objectName = (w: WorkloadModel) => (w.origin === 'compose' ? dns1123(w.name) : w.name);
  const facts = result.analysis.references.filter((f) => f.phase === phase.name && f.resolution.status === 'found');
  const workloadAt = (start: number) => {
    const fact = facts.find((f) => f.ref.location.range.start === start);
    return fact && (fact.resolution as { workload: WorkloadModel }).workload;
  };
  const sameObject = (w: WorkloadModel | undefined, name: string, namespace: string | undefined) =>
    !!w &&
    objectName(w) === name &&
    (namespace === undefined || (w.namespace ?? result.plan.namespace ?? namespace) === namespace);

  return {
    planFile,
    planName: result.plan.name ?? path.basename(planFile).replace(/\.plan\.ya?ml$/i, ''),
    phaseName,
    phaseNames,
    phase,
    render,
    namespace: result.plan.namespace,
    errors,
    otherErrors: gate.other.map(describeFinding),
    budget: budgetFigures(result, phaseIndex),
    controllerWarnings: findings
      .filter((f) => f.code === 'plan/owned-by-controller' && f.location.range.start === phase.nameLocation.range.start)
      .map((f) => f.message),
    earlierPhases: rendered.phases.slice(0, phaseIndex),
    locationOf(object) {
      const name = String(object.object.metadata.name ?? '');
      const namespace =
        typeof object.object.metadata.namespace === 'string' ? object.object.metadata.namespace : undefined;
      if (object.role === 'created') {
        const merge = phase.merge.find((m) => m.name === name);
        if (merge) return where(merge.nameLocation.range.start);
      }
      if (object.role === 'service') {
        const target = valueAt(object.object, ['spec', 'selector', MERGE_LABEL]);
        const merge = phase.merge.find((m) => m.name === target);
        if (merge) return where(merge.nameLocation.range.start);
      }
      const refs = [
        ...phase.remove,
        ...phase.merge.flatMap((m) => m.from),
        ...phase.scale.map((s) => s.ref),
        ...phase.resize.map((r) => r.ref),
      ];
      const ref = refs.find((r) => sameObject(workloadAt(r.location.range.start), name, namespace));
      return ref ? where(ref.location.range.start) : where(phase.nameLocation.range.start);
    },
    changesOf(name, namespace) {
      const scale = phase.scale.find((s) => sameObject(workloadAt(s.ref.location.range.start), name, namespace));
      const resizes = phase.resize.filter((r) => sameObject(workloadAt(r.ref.location.range.start), name, namespace));
      return {
        replicas: scale?.replicas,
        resize: resizes.flatMap((r) => (r.pod ? [r.pod] : [])),
        containerResize: resizes.flatMap((r) => r.containers.map((c) => ({ name: c.name, patch: c.patch }))),
        location: scale
          ? where(scale.location.range.start)
          : resizes[0]
            ? where(resizes[0].location.range.start)
            : undefined,
      };
    },
  };
}

/** One object of a phase and what the phase does to it, worked out against the live object. */
export interface PhaseStep {
  ref: ObjectRef;
  role: RenderRole;
  origin: string;
  planLocation?: string;
  rendered: KubeObject;
  live?: KubeObject;
  /** `created`: the whole object, server-side applied. */
  apply?: KubeObject;
  /** A targeted patch (annotations, a Service's selector and ports, a container's resources). */
  patch?: { type: 'merge' | 'strategic'; body: JsonObject };
  /** Replicas to set through the scale subresource. */
  replicas?: number;
  /** What rollback restores. */
  before: RecordedObject;
  /** `create Deployment ops/app (2 replicas)` */
  summary: string;
  /** Set when the object is already as the phase wants it. */
  unchanged?: boolean;
}

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
const RESIZABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet']);

export interface StepsResult {
  steps: PhaseStep[];
  /** Why the phase cannot be applied now (nothing has been changed). */
  problems: string[];
}

/**
 * Reads every object the phase touches and works out the smallest change to each: the whole object
 * for what this tool creates, targeted patches and the scale subresource for everything else.
 */
export async function planSteps(
  api: ClusterApi,
  loaded: LoadedPhase,
  options: { signal?: AbortSignal; previous?: ApplyRecord } = {},
): Promise<StepsResult> {
  const result: StepsResult = { steps: [], problems: [] };
  const previous = options.previous && options.previous.status !== 'rolled-back' ? options.previous : undefined;
  for (const rendered of loaded.render.objects) {
    const target = await readTarget(api, loaded, rendered, previous, options);
    const { step, problems } = stepFor(target, api.target.context);
    result.problems.push(...problems);
    if (step) result.steps.push(step);
  }
  return result;
}

/** One rendered object read against the cluster: what each step below works from. */
interface StepTarget {
  loaded: LoadedPhase;
  rendered: RenderedObject;
  /** The rendered object, its namespace defaulted. */
  object: KubeObject;
  ref: ObjectRef;
  live: KubeObject | undefined;
  /** The object in an earlier apply of this phase (not rolled back): what it was before that apply. */
  earlier: RecordedObject | undefined;
  /** What every step of this object starts from. */
  base: Pick<PhaseStep, 'ref' | 'role' | 'origin' | 'planLocation' | 'rendered' | 'live'>;
  /** The plan and phase annotations a changed object carries. */
  stamp: Record<string, string>;
}

/** The step of one object, or why the phase cannot be applied (a change may have both). */
interface StepOutcome {
  step?: PhaseStep;
  problems: string[];
}

async function readTarget(
  api: ClusterApi,
  loaded: LoadedPhase,
  rendered: RenderedObject,
  previous: ApplyRecord | undefined,
  options: { signal?: AbortSignal },
): Promise<StepTarget> {
  const object = clone(rendered.object);
  // A manifest that names no namespace goes to the plan's spec.namespace, else the context's.
  const defaultNamespace = loaded.namespace ?? api.target.namespace;
  if (typeof object.metadata.namespace !== 'string') object.metadata.namespace = defaultNamespace;
  const ref = refOf(object, defaultNamespace);
  const live = await api.get(ref, options);
  const planLocation = loadedLocation(loaded, rendered);
  const earlier = previous?.objects.find((o) => refKey(o.ref) === refKey(ref));
  return {
    loaded,
    rendered,
    object,
    ref,
    live,
    earlier,
    base: { ref, role: rendered.role, origin: rendered.origin, planLocation, rendered: object, live },
    stamp: { [PLAN_ANNOTATION]: loaded.planName, [PHASE_ANNOTATION]: loaded.phaseName },
  };
}

/** The step of one object, by what the phase does to it. */
function stepFor(target: StepTarget, context: string): StepOutcome {
  const { rendered, live, ref, object, loaded } = target;
  if (rendered.role === 'created') return createStep(target);
  if (!live) {
    const hint = ours(object) ? ': apply the earlier phases first' : '';
    return problem(
      `${describeRef(ref)}, which phase ${loaded.phaseName} ${roleVerb(rendered.role)}, does not exist in the cluster (context ${context})${hint}.`,
    );
  }
  if (rendered.role === 'service') return repointStep(target, live);
  if (rendered.role === 'scaled-down') return scaleDownStep(target, live);
  return changeStep(target, live);
}

function problem(message: string): StepOutcome {
  return { problems: [message] };
}

/** Whether this tool created the object (its managed-by label). */
function ours(object: KubeObject | undefined): boolean {
  return valueAt(object, ['metadata', 'labels', MANAGED_BY_LABEL]) === MANAGED_BY;
}

/** The annotations `keys` had before the phase: the earlier apply's record, else the live object's. */
function annotationsBefore({ earlier, live }: StepTarget, keys: string[]): Record<string, string | null> {
  return (
    earlier?.annotations ??
    Object.fromEntries(
      keys.map((k) => [k, (valueAt(live, ['metadata', 'annotations', k]) as string | undefined) ?? null]),
    )
  );
}

/** What the record keeps of an object that exists: who it is and which version was read. */
function existingRecord({ ref, rendered, base }: StepTarget, live: KubeObject) {
  return {
    ref,
    role: rendered.role,
    origin: rendered.origin,
    planLocation: base.planLocation,
    existed: true,
    uid: live.metadata.uid as string,
    resourceVersion: live.metadata.resourceVersion as string,
    state: 'pending' as const,
  };
}

/** A workload this tool creates: the whole object, server-side applied, unless someone else's object has that name. */
function createStep(target: StepTarget): StepOutcome {
  const { ref, rendered, live, earlier, loaded, object, base } = target;
  const { planLocation } = base;
  if (live && !ours(live)) {
    const owner = valueAt(live, ['metadata', 'labels', MANAGED_BY_LABEL]);
    return problem(
      `${describeRef(ref)} already exists and was not created by this tool${owner ? ` (managed-by: ${owner})` : ''}: rename the merge or remove that object first.`,
    );
  }
  const fromThisPhase =
    live &&
    valueAt(live, ['metadata', 'annotations', PLAN_ANNOTATION]) === loaded.planName &&
    valueAt(live, ['metadata', 'annotations', PHASE_ANNOTATION]) === loaded.phaseName;
  const existed = earlier ? earlier.existed : !!live && !fromThisPhase;
  const replicas = valueAt(object, ['spec', 'replicas']);
  const step: PhaseStep = {
    ...base,
    apply: object,
    before: {
      ref,
      role: rendered.role,
      origin: rendered.origin,
      planLocation,
      existed,
      uid: earlier?.uid ?? (live?.metadata.uid as string | undefined),
      annotations: {},
      state: 'pending',
    },
    summary: `${live ? 'update' : 'create'} ${describeRef(ref)}${typeof replicas === 'number' ? ` (${replicas} replica${replicas === 1 ? '' : 's'})` : ''}`,
  };
  return { step, problems: [] };
}

/** A Service re-pointed at the merged pods: its selector and target ports, patched. */
function repointStep(target: StepTarget, live: KubeObject): StepOutcome {
  const { ref, object, earlier, base, stamp } = target;
  const liveSelector = isObject(valueAt(live, ['spec', 'selector']))
    ? (valueAt(live, ['spec', 'selector']) as JsonObject)
    : null;
  const targetSelector = (valueAt(object, ['spec', 'selector']) as JsonObject | undefined) ?? {};
  const livePorts = (
    Array.isArray(valueAt(live, ['spec', 'ports'])) ? (valueAt(live, ['spec', 'ports']) as JsonObject[]) : []
  ).filter(isObject);
  const renderedPorts = (
    Array.isArray(valueAt(object, ['spec', 'ports'])) ? (valueAt(object, ['spec', 'ports']) as JsonObject[]) : []
  ).filter(isObject);
  const newPorts = livePorts.map((port) => {
    const wanted = renderedPorts.find(
      (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
    );
    return wanted && wanted.targetPort !== undefined && !same(wanted.targetPort, port.targetPort)
      ? { ...port, targetPort: wanted.targetPort }
      : port;
  });
  const body: JsonObject = {};
  const spec: JsonObject = {};
  if (!same(liveSelector ?? {}, targetSelector)) {
    const selector: JsonObject = { ...targetSelector };
    for (const key of Object.keys(liveSelector ?? {})) if (!(key in targetSelector)) selector[key] = null;
    spec.selector = selector;
  }
  if (!same(newPorts, livePorts)) spec.ports = newPorts;
  const unchanged = Object.keys(spec).length === 0;
  if (!unchanged) {
    body.spec = spec;
    body.metadata = { annotations: stamp };
  }
  const step: PhaseStep = {
    ...base,
    patch: unchanged ? undefined : { type: 'merge', body },
    unchanged,
    before: {
      ...existingRecord(target, live),
      selector: earlier ? (earlier.selector ?? null) : liveSelector,
      ports: earlier?.ports ?? livePorts,
      annotations: annotationsBefore(target, [PLAN_ANNOTATION, PHASE_ANNOTATION]),
    },
    summary: `re-point ${describeRef(ref)} at ${Object.entries(targetSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}${spec.ports ? ' (and its target ports)' : ''}`,
  };
  return { step, problems: [] };
}

function liveReplicasOf(live: KubeObject): number {
  const replicas = valueAt(live, ['spec', 'replicas']);
  return typeof replicas === 'number' ? replicas : 1;
}

/** A source of a merge scaled to 0 through the scale subresource, its replicas kept in an annotation. */
function scaleDownStep(target: StepTarget, live: KubeObject): StepOutcome {
  const { ref, earlier, base, stamp } = target;
  if (!SCALABLE.has(ref.kind))
    return problem(
      `${describeRef(ref)} cannot be scaled to 0 (a ${ref.kind} has no replicas): remove it by hand once the phase is applied.`,
    );
  const liveReplicas = liveReplicasOf(live);
  const recorded = Number(valueAt(live, ['metadata', 'annotations', PREVIOUS_REPLICAS]));
  const previousReplicas =
    earlier?.replicas ?? (liveReplicas === 0 && Number.isInteger(recorded) ? recorded : liveReplicas);
  const annotations = { [PREVIOUS_REPLICAS]: String(previousReplicas), ...stamp };
  const unchanged =
    liveReplicas === 0 &&
    Object.entries(annotations).every(([k, v]) => valueAt(live, ['metadata', 'annotations', k]) === v);
  const step: PhaseStep = {
    ...base,
    patch: unchanged ? undefined : { type: 'merge', body: { metadata: { annotations } } },
    replicas: liveReplicas === 0 ? undefined : 0,
    unchanged,
    before: {
      ...existingRecord(target, live),
      replicas: previousReplicas,
      annotations: annotationsBefore(target, [PREVIOUS_REPLICAS, PLAN_ANNOTATION, PHASE_ANNOTATION]),
    },
    summary: `scale ${describeRef(ref)} from ${previousReplicas} to 0 (previous replicas recorded in ${PREVIOUS_REPLICAS})`,
  };
  return { step, problems: [] };
}

/** The phase's scale and resize steps of an object, and nothing else of it. */
function changeStep(target: StepTarget, live: KubeObject): StepOutcome {
  const { ref, rendered, loaded, earlier, base, stamp } = target;
  const changes = loaded.changesOf(
    ref.name,
    typeof rendered.object.metadata.namespace === 'string' ? ref.namespace : undefined,
  );
  if (changes.replicas !== undefined && !SCALABLE.has(ref.kind))
    return problem(`${describeRef(ref)} cannot be scaled (a ${ref.kind} has no replicas).`);
  if ((changes.resize.length || changes.containerResize.length) && !RESIZABLE.has(ref.kind))
    return problem(`${describeRef(ref)} cannot be resized by this tool (a ${ref.kind}).`);
  const { resize, beforeContainers, problems } = containerResizes(ref, live, changes);
  const liveReplicas = liveReplicasOf(live);
  const replicas = changes.replicas !== undefined && changes.replicas !== liveReplicas ? changes.replicas : undefined;
  const unchanged = resize.size === 0 && replicas === undefined;
  const body: JsonObject = { metadata: { annotations: stamp } };
  if (resize.size)
    body.spec = { template: { spec: { containers: [...resize].map(([name, resources]) => ({ name, resources })) } } };
  const what = [
    ...(replicas !== undefined ? [`replicas ${liveReplicas} → ${replicas}`] : []),
    ...[...resize].map(([name, resources]) => `${name}: ${describeResources(resources)}`),
  ];
  const planLocation = changes.location ?? base.planLocation;
  const step: PhaseStep = {
    ...base,
    planLocation,
    patch: unchanged ? undefined : { type: resize.size ? 'strategic' : 'merge', body },
    replicas,
    unchanged,
    before: {
      ...existingRecord(target, live),
      planLocation,
      replicas: earlier?.replicas ?? liveReplicas,
      containers: earlier?.containers ?? beforeContainers,
      annotations: annotationsBefore(target, [PLAN_ANNOTATION, PHASE_ANNOTATION]),
    },
    summary: `change ${describeRef(ref)}: ${what.join('; ') || 'already as planned'}`,
  };
  return { step, problems };
}

/**
 * The resources each resized container needs changed (only what differs from the live object), what
 * the containers had before, and the resizes that name no container the cluster has.
 */
function containerResizes(
  ref: ObjectRef,
  live: KubeObject,
  changes: ReturnType<LoadedPhase['changesOf']>,
): {
  resize: Map<string, JsonObject>;
  beforeContainers: { name: string; resources: JsonObject }[];
  problems: string[];
} {
  const problems: string[] = [];
  const liveContainers = containersOf(podSpecOf(clone(live)));
  const resize = new Map<string, JsonObject>();
  const wanted: { name: string; patch: ResourcePatch }[] = [...changes.containerResize];
  for (const patch of changes.resize) {
    if (liveContainers.length !== 1) {
      problems.push(
        `${describeRef(ref)} has ${liveContainers.length} containers in the cluster; the plan resizes it as if it had one: name the containers under \`containers:\`.`,
      );
      continue;
    }
    wanted.push({ name: String(liveContainers[0].name), patch });
  }
  const beforeContainers: { name: string; resources: JsonObject }[] = [];
  for (const { name, patch } of wanted) {
    const container = liveContainers.find((c) => c.name === name);
    if (!container) {
      problems.push(
        `${describeRef(ref)} has no container "${name}" in the cluster (containers: ${liveContainers.map((c) => c.name).join(', ')}).`,
      );
      continue;
    }
    const liveResources = isObject(container.resources) ? container.resources : {};
    if (!beforeContainers.some((c) => c.name === name))
      beforeContainers.push({ name, resources: clone(liveResources) });
    const entry = resize.get(name) ?? {};
    for (const kind of ['requests', 'limits'] as const) {
      const target = toManifestList(patch[kind]);
      const current = isObject(liveResources[kind]) ? (liveResources[kind] as JsonObject) : {};
      for (const [resource, value] of Object.entries(target)) {
        if (sameQuantity(resource, current[resource], value)) continue;
        ((entry[kind] ??= {}) as JsonObject)[resource] = value;
      }
    }
    if (Object.keys(entry).length) resize.set(name, entry);
  }
  return { resize, beforeContainers, problems };
}

function loadedLocation(loaded: LoadedPhase, rendered: RenderedObject): string | undefined {
  try {
    return loaded.locationOf(rendered);
  } catch {
    return undefined;
  }
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** `1` and `1000m` are the same CPU; `1Gi` and `1024Mi` the same memory. */
export function sameQuantity(resource: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (String(a) === String(b)) return true;
  const parse = resource === 'cpu' ? kubernetesCpuMillicores : kubernetesBytes;
  const x = parse(a);
  const y = parse(b);
  return x.ok && y.ok && x.value === y.value;
}

function describeResources(resources: JsonObject): string {
  return Object.entries(resources)
    .map(
      ([kind, list]) =>
        `${kind} ${Object.entries(list as JsonObject)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
    )
    .join('; ');
}
