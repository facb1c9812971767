import { valueAt, type JsonObject, type KubeObject } from '../engine/render/kube';
import { RECORD_API_VERSION, RECORD_KIND, RecordStore, type ApplyRecord } from './applyRecord';
import { describeRef, FIELD_MANAGER, type ClusterApi, type ObjectRef } from './clusterApi';
import { ClusterError } from './errors';
import { formatDuration } from './duration';
import { planSteps, sameQuantity, type LoadedPhase, type PhaseStep } from './phasePlan';
import { phaseOrderProblems } from './phaseOrder';
import { waitForRollouts } from './rollout';
import { canonicalJson } from '../engine/yaml/canonical';

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 2000;

export type ApplyEvent =
  | { type: 'step'; message: string }
  | { type: 'done'; message: string }
  | { type: 'waiting'; message: string; workloads: { ref: ObjectRef; ready: boolean; waitingFor: string }[] }
  | { type: 'warning'; message: string };

export interface ApplyOptions {
  api: ClusterApi;
  loaded: LoadedPhase;
  /** Every write with dryRun=All: validated by the API server, nothing persisted, no record. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** How long to wait for the rollouts (default 10 minutes). */
  timeoutMs?: number;
  pollIntervalMs?: number;
  onProgress?: (event: ApplyEvent) => void;
  /**
   * A field of an object this tool creates is owned by another manager. Force is only ever the
   * user's explicit choice after seeing the conflict: the default is to stop.
   */
  onConflict?: (error: ClusterError, step: PhaseStep) => Promise<'force' | 'stop'>;
  store?: RecordStore;
  /** Apply even though earlier phases are not applied on this cluster (`--force-order`). */
  forceOrder?: boolean;
}

export interface ApplyOutcome {
  status: 'applied' | 'dry-run' | 'failed' | 'cancelled' | 'refused';
  /** One paragraph: what happened, and for a failure what state the cluster is in. */
  message: string;
  done: string[];
  notDone: string[];
  /** What the phase changes (or would change), one line per object. */
  changes: string[];
  warnings: string[];
  error?: ClusterError;
  record?: ApplyRecord;
  recordLocation?: string;
  /** Whether the cluster was changed, so that a rollback has something to undo. */
  changed: boolean;
  steps: PhaseStep[];
}

/** The namespace of a phase's record ConfigMap: the plan's, else its first object's, else the context's. */
export function recordNamespace(api: ClusterApi, loaded: LoadedPhase): string {
  const first = loaded.render.objects.find((o) => typeof o.object.metadata.namespace === 'string');
  return loaded.namespace ?? (first?.object.metadata.namespace as string | undefined) ?? api.target.namespace;
}

export function recordStoreFor(api: ClusterApi, loaded: LoadedPhase): RecordStore {
  return new RecordStore(api, loaded.planFile, loaded.planName, loaded.phaseName, recordNamespace(api, loaded));
}

/** The records of the phases after this one (rollback refuses while one of them is still applied). */
export function laterRecordStores(api: ClusterApi, loaded: LoadedPhase): RecordStore[] {
  const index = loaded.phaseNames.indexOf(loaded.phaseName);
  return loaded.phaseNames
    .slice(index + 1)
    .map((phase) => new RecordStore(api, loaded.planFile, loaded.planName, phase, recordNamespace(api, loaded)));
}

/** The namespaces a phase writes to (for the confirmation). */
export function namespacesOf(api: ClusterApi, loaded: LoadedPhase): string[] {
  const names = new Set(
    loaded.render.objects.map((o) =>
      typeof o.object.metadata.namespace === 'string'
        ? o.object.metadata.namespace
        : (loaded.namespace ?? api.target.namespace),
    ),
  );
  names.add(recordNamespace(api, loaded));
  return [...names].sort();
}

interface Action {
  /** What it will do, said before doing it: `create Deployment ops/app (2 replicas)`. */
  summary: string;
  step?: PhaseStep;
  run: () => Promise<string | undefined>;
}

/** What every step of one apply shares. */
interface ApplyRun {
  options: ApplyOptions;
  api: ClusterApi;
  loaded: LoadedPhase;
  store: RecordStore;
  dryRun: boolean;
  signal?: AbortSignal;
  outcome: ApplyOutcome;
  emit: (event: ApplyEvent) => void;
  warn: (message: string) => void;
}

/**
 * Applies one phase: record, create, wait for readiness, re-point Services, scale down — stopping
 * at the first failure with the old workloads still serving. Never throws for cluster failures:
 * the outcome says what was done and what was not.
 */
export async function applyPhase(options: ApplyOptions): Promise<ApplyOutcome> {
  const { api, loaded, signal } = options;
  const emit = (event: ApplyEvent) => options.onProgress?.(event);
  const outcome: ApplyOutcome = {
    status: 'failed',
    message: '',
    done: [],
    notDone: [],
    changes: [],
    warnings: [],
    changed: false,
    steps: [],
  };
  const warn = (message: string) => {
    outcome.warnings.push(message);
    emit({ type: 'warning', message });
  };
  const run: ApplyRun = {
    options,
    api,
    loaded,
    store: options.store ?? recordStoreFor(api, loaded),
    dryRun: !!options.dryRun,
    signal,
    outcome,
    emit,
    warn,
  };

  if (refuseBlockedPhase(run)) return outcome;
  // 1. Read what the phase touches, and work out each change. Nothing is written yet.
  const planned = await readAndPlan(run);
  if (!planned) return outcome;
  // 2-4. Record, create and change, wait for the rollouts, re-point, scale down.
  const record = newRecord(api, loaded, run.store, outcome.steps, planned.previous);
  return runActions(run, phaseActions(run, record), record);
}

/** Errors that make the phase wrong, or nothing to do: the outcome says so (true: stop here). */
function refuseBlockedPhase({ loaded, outcome, dryRun }: ApplyRun): boolean {
  if (loaded.errors.length) {
    outcome.status = 'refused';
    outcome.message = `Phase ${loaded.phaseName} cannot be applied: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in the plan or the manifests it touches; fix ${loaded.errors.length === 1 ? 'it' : 'them'} first (consolidate check). Budget findings do not block a phase:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`;
    return true;
  }
  if (loaded.render.objects.length === 0) {
    outcome.status = dryRun ? 'dry-run' : 'applied';
    outcome.message = `Phase ${loaded.phaseName} changes no object in the cluster (it has no remove, scale, resize or merge).`;
    return true;
  }
  return false;
}

/**
 * Reads the last record of the phase, checks the phase order, reads every object the phase touches
 * and works out each change (outcome.steps). Undefined when the phase cannot be applied now.
 */
async function readAndPlan(run: ApplyRun): Promise<{ previous?: ApplyRecord } | undefined> {
  const { api, loaded, store, signal, outcome, options, warn } = run;
  try {
    run.emit({
      type: 'step',
      message: `Reading the ${loaded.render.objects.length} objects phase ${loaded.phaseName} touches (context ${api.target.context})`,
    });
    const previous = run.dryRun ? undefined : (await store.load({ signal }))?.record;
    if (previous && ['in-progress', 'rolling-back'].includes(previous.status)) {
      warn(
        `The last ${previous.status === 'in-progress' ? 'apply' : 'rollback'} of this phase did not finish (status ${previous.status} since ${previous.updatedAt}, on ${previous.context}); if it is not still running elsewhere, this run continues from its record.`,
      );
    }
    const outOfOrder = await phaseOrderProblems(api, loaded, store.namespace, { signal });
    if (outOfOrder.length && !options.forceOrder) {
      outcome.status = 'refused';
      outcome.message = `Phase ${loaded.phaseName} cannot be applied to context ${api.target.context} yet; nothing was changed:\n${outOfOrder.map((p) => `  ${p}`).join('\n')}\nApply the earlier phases first, in order (or, if they were applied another way, apply with --force-order).`;
      return undefined;
    }
    if (outOfOrder.length) warn(`Applied out of order (--force-order): ${outOfOrder.join(' ')}`);
    const planned = await planSteps(api, loaded, { signal, previous });
    outcome.steps = planned.steps;
    outcome.changes = planned.steps.map((s) =>
      s.unchanged ? `${s.summary.replace(/^\S+ /, '')}: already as planned` : s.summary,
    );
    if (planned.problems.length) {
      outcome.status = 'refused';
      outcome.message = `Phase ${loaded.phaseName} cannot be applied to context ${api.target.context}; nothing was changed:\n${planned.problems.map((p) => `  ${p}`).join('\n')}`;
      outcome.notDone = planned.steps.map((s) => s.summary);
      return undefined;
    }
    return { previous };
  } catch (error) {
    const e = asClusterError(error);
    outcome.status = e.kind === 'cancelled' ? 'cancelled' : 'failed';
    outcome.error = e;
    outcome.message = `${e.fullMessage}\nNothing was changed.`;
    return undefined;
  }
}

/** The steps in their safe order: record, create and change, wait, re-point, scale down. */
function phaseActions(run: ApplyRun, record: ApplyRecord): Action[] {
  const steps = run.outcome.steps;
  const created = steps.filter((s) => s.role === 'created');
  const changed = steps.filter((s) => s.role === 'changed' && !s.unchanged);
  const services = steps.filter((s) => s.role === 'service' && !s.unchanged);
  const scaledDown = steps.filter((s) => s.role === 'scaled-down' && !s.unchanged);
  const rollouts = [...created, ...changed].filter((s) =>
    ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(s.ref.kind),
  );
  return [
    ...(run.dryRun ? [] : [recordAction(run, record)]),
    ...created.map((step) => createAction(run, step)),
    ...changed.map((step) => patchThenScaleAction(run, step)),
    ...(!run.dryRun && rollouts.length ? [waitForRolloutsAction(run, rollouts)] : []),
    ...services.map((step) => repointAction(run, step)),
    ...scaledDown.map((step) => patchThenScaleAction(run, step)),
  ];
}

/** Records the state before the phase, before anything of it is written. */
function recordAction({ store, signal, outcome }: ApplyRun, record: ApplyRecord): Action {
  return {
    summary: `record the current state in ${store.describe()}`,
    run: async () => {
      await store.save(record, { signal });
      return `Recorded the current state of ${outcome.steps.length} objects in ${store.describe()}`;
    },
  };
}

/** A workload this tool creates, server-side applied; its uid kept so that a rollback may delete it. */
function createAction(run: ApplyRun, step: PhaseStep): Action {
  const { api, dryRun, signal, options } = run;
  return {
    summary: step.summary,
    step,
    run: async () => {
      const result = await createOrUpdate(api, step, {
        dryRun,
        signal,
        onConflict: options.onConflict,
        warn: run.warn,
      });
      if (!step.before.existed && !dryRun) step.before.uid = result.metadata.uid as string;
      return done(
        `${step.live ? 'update' : 'create'} ${describeRef(step.ref)} (server-side apply as ${FIELD_MANAGER})`,
        dryRun,
      );
    },
  };
}

/** A targeted patch guarded by resourceVersion, then the scale subresource: never taking ownership. */
function patchThenScaleAction({ api, dryRun, signal }: ApplyRun, step: PhaseStep): Action {
  return {
    summary: step.summary,
    step,
    run: async () => {
      let resourceVersion = step.live!.metadata.resourceVersion as string;
      if (step.patch)
        resourceVersion = (await guardedPatch(api, step, step.patch, { dryRun, signal })).metadata
          .resourceVersion as string;
      if (step.replicas !== undefined)
        await guardedScale(api, step, step.replicas, resourceVersion, { dryRun, signal });
      return done(step.summary, dryRun);
    },
  };
}

/** Waits until the created and changed workloads are rolled out, before any Service is moved to them. */
function waitForRolloutsAction(run: ApplyRun, rollouts: PhaseStep[]): Action {
  const { api, signal, options } = run;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    summary: `wait for the rollout of ${rollouts.map((s) => describeRef(s.ref)).join(', ')} (timeout ${formatDuration(timeoutMs)})`,
    run: async () => {
      await waitForRollouts(
        api,
        rollouts.map((s) => s.ref),
        {
          signal,
          timeoutMs,
          pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
          onProgress: (states) => {
            const pending = states.filter((s) => !s.state.ready);
            const message = pending.length
              ? `Waiting for ${pending.map((s) => `${describeRef(s.ref)}: ${s.state.waitingFor}`).join('; ')}`
              : `All ${states.length} rolled out`;
            run.emit({
              type: 'waiting',
              message,
              workloads: states.map((s) => ({ ref: s.ref, ready: s.state.ready, waitingFor: s.state.waitingFor })),
            });
          },
        },
      );
      return `${rollouts.map((s) => describeRef(s.ref)).join(', ')} rolled out (all replicas updated and available)`;
    },
  };
}

/** A Service's selector and target ports moved to the merged pods. */
function repointAction({ api, dryRun, signal }: ApplyRun, step: PhaseStep): Action {
  return {
    summary: step.summary,
    step,
    run: async () => {
      await guardedPatch(api, step, step.patch!, { dryRun, signal });
      return done(step.summary, dryRun);
    },
  };
}

/** Runs the actions in order, logging each into the record; stops at the first failure and says what was and was not done. */
async function runActions(run: ApplyRun, actions: Action[], record: ApplyRecord): Promise<ApplyOutcome> {
  const { dryRun, signal, outcome } = run;
  const log = recordLog(run, record);
  let index = 0;
  try {
    for (; index < actions.length; index++) {
      const action = actions[index];
      if (signal?.aborted) throw new ClusterError('cancelled', 'Cancelled.');
      run.emit({
        type: 'step',
        message: `${dryRun ? 'Dry run: ' : ''}${action.summary}`.replace(/^(\w)/, (c) => c.toUpperCase()),
      });
      const message = (await action.run()) ?? action.summary;
      if (!dryRun && index > 0) outcome.changed = true;
      if (action.step) action.step.before.state = 'done';
      outcome.done.push(message);
      run.emit({ type: 'done', message });
      if (index > 0) await log(message);
    }
  } catch (error) {
    return stoppedOutcome(run, actions, index, asClusterError(error), record, log);
  }
  return finishedOutcome(run, record, log);
}

type RecordLog = (message: string, final?: boolean) => Promise<void>;

/** Adds a line to the record's log and saves the record (not in a dry run, which has none). */
function recordLog(run: ApplyRun, record: ApplyRecord): RecordLog {
  return async (message, final = false) => {
    record.log.push({ at: new Date().toISOString(), message });
    if (run.dryRun) return;
    try {
      // Not with the user's signal: after a cancel, the record must still say what happened.
      await run.store.save(record, { final });
    } catch (error) {
      // The file is written first and always; the ConfigMap is a copy for other machines.
      run.warn(`Could not update the record ConfigMap: ${asClusterError(error).message}`);
    }
  };
}

/** The outcome of a run that failed or was cancelled at `actions[index]`: what was done, what was not, and what still serves. */
async function stoppedOutcome(
  run: ApplyRun,
  actions: Action[],
  index: number,
  e: ClusterError,
  record: ApplyRecord,
  log: RecordLog,
): Promise<ApplyOutcome> {
  const { store, dryRun, outcome } = run;
  const action = actions[index];
  if (action.step) {
    action.step.before.state = 'failed';
    e.planLocation ??= action.step.planLocation;
  }
  outcome.error = e;
  outcome.status = e.kind === 'cancelled' ? 'cancelled' : 'failed';
  // The failed write may still have reached the cluster when its answer was lost or it was cancelled.
  const inFlight =
    !!action.step && ['cancelled', 'timeout', 'connection', 'server', 'unavailable', 'unknown'].includes(e.kind);
  outcome.notDone = actions
    .slice(index)
    .map((a, i) =>
      i === 0 && inFlight ? `${a.summary} (interrupted: it may or may not have reached the cluster)` : a.summary,
    );
  outcome.changed = !dryRun && (actions.slice(0, index).some((a) => a.step) || inFlight);
  if (!dryRun && index > 0) {
    record.status = outcome.status === 'cancelled' ? 'cancelled' : 'failed';
    await log(`${outcome.status === 'cancelled' ? 'Cancelled' : 'Failed'}: ${e.fullMessage}`, true);
  }
  const scaledDown = outcome.steps.filter((s) => s.role === 'scaled-down' && !s.unchanged);
  const scaledDownDone = scaledDown.filter((s) => s.before.state === 'done').length;
  const serving =
    scaledDown.length === 0
      ? ''
      : scaledDownDone === 0
        ? ' The old workloads were not scaled down: they are still serving at their original replicas.'
        : ` ${scaledDownDone} of ${scaledDown.length} replaced workloads were scaled down; the others still serve.`;
  const undo = outcome.changed
    ? ` Roll back the phase to undo what was done (the record is in ${store.describe()}).`
    : index > 0 && !dryRun
      ? ' No object of the phase was changed (only the apply record was written).'
      : ' Nothing was changed in the cluster.';
  outcome.message = `${outcome.status === 'cancelled' ? 'Cancelled' : 'Failed'}${dryRun ? ' (dry run)' : ''}: ${e.fullMessage}${serving}${undo}`;
  outcome.record = dryRun ? undefined : record;
  outcome.recordLocation = dryRun || index === 0 ? undefined : store.describe();
  return outcome;
}

/** The outcome of a run that did every action: applied (the record closed), or a dry run the API server accepted. */
async function finishedOutcome(run: ApplyRun, record: ApplyRecord, log: RecordLog): Promise<ApplyOutcome> {
  const { api, loaded, store, outcome } = run;
  if (run.dryRun) {
    outcome.status = 'dry-run';
    outcome.message = `Dry run of phase ${loaded.phaseName} on context ${api.target.context}: the API server accepted every change; nothing was persisted.`;
    return outcome;
  }
  record.status = 'applied';
  await log(`Applied phase ${loaded.phaseName}`, true);
  outcome.status = 'applied';
  outcome.record = record;
  outcome.recordLocation = store.describe();
  outcome.message = `Applied phase ${loaded.phaseName} of plan ${loaded.planName} to context ${api.target.context} (cluster ${api.target.cluster}).`;
  return outcome;
}

/**
 * The record of this run. Applying a phase again continues its record: the state from before the
 * first apply (planSteps keeps it), when that apply started (rollback compares creation times with
 * it), and its log. After a rollback, a new run starts, still with the earlier log.
 */
function newRecord(
  api: ClusterApi,
  loaded: LoadedPhase,
  store: RecordStore,
  steps: PhaseStep[],
  previous: ApplyRecord | undefined,
): ApplyRecord {
  const now = new Date().toISOString();
  const continuing = previous && previous.status !== 'rolled-back' && previous.server === api.target.server;
  return {
    apiVersion: RECORD_API_VERSION,
    kind: RECORD_KIND,
    plan: loaded.planName,
    planFile: loaded.planFile.split(/[\\/]/).pop()!,
    phase: loaded.phaseName,
    context: api.target.context,
    cluster: api.target.cluster,
    server: api.target.server,
    namespace: store.namespace,
    fieldManager: FIELD_MANAGER,
    status: 'in-progress',
    startedAt: continuing ? previous.startedAt : now,
    updatedAt: now,
    objects: steps.map((s) => s.before),
    log: Array.isArray(previous?.log) ? [...previous.log] : [],
  };
}

const PAST: Record<string, string> = {
  create: 'Created',
  update: 'Updated',
  change: 'Changed',
  're-point': 'Re-pointed',
  scale: 'Scaled',
};

/** `create Deployment ops/x` → `Created Deployment ops/x`; with dryRun, `Would create ...`. */
function done(summary: string, dryRun: boolean): string {
  if (dryRun) return `Would ${summary}`;
  const [verb, ...rest] = summary.split(' ');
  return PAST[verb] ? [PAST[verb], ...rest].join(' ') : summary;
}

export function asClusterError(error: unknown): ClusterError {
  if (error instanceof ClusterError) return error;
  return new ClusterError('unknown', (error as Error)?.message ?? String(error));
}

async function createOrUpdate(
  api: ClusterApi,
  step: PhaseStep,
  options: {
    dryRun: boolean;
    signal?: AbortSignal;
    onConflict?: ApplyOptions['onConflict'];
    warn: (message: string) => void;
  },
): Promise<KubeObject> {
  try {
    return await api.serverSideApply(step.apply!, { dryRun: options.dryRun, signal: options.signal });
  } catch (error) {
    if (
      !(error instanceof ClusterError) ||
      error.kind !== 'conflict' ||
      error.conflicts.length === 0 ||
      !options.onConflict
    )
      throw error;
    const choice = await options.onConflict(error, step);
    if (choice !== 'force') throw error;
    options.warn(
      `Forced by the user: ${FIELD_MANAGER} takes over ${error.conflicts.map((c) => `${c.field} from "${c.manager}"`).join(', ')} on ${describeRef(step.ref)}.`,
    );
    return api.serverSideApply(step.apply!, { dryRun: options.dryRun, signal: options.signal, force: true });
  }
}

/** The fields a step changes, as they stand in an object: what must not move under us. */
function guarded(step: PhaseStep, object: KubeObject | undefined): unknown {
  switch (step.role) {
    case 'service':
      return {
        selector: valueAt(object, ['spec', 'selector']) ?? null,
        ports: valueAt(object, ['spec', 'ports']) ?? null,
      };
    case 'scaled-down':
      return { replicas: valueAt(object, ['spec', 'replicas']) ?? 1 };
    default: {
      const names = new Set((step.before.containers ?? []).map((c) => c.name));
      const containers =
        (valueAt(object, ['spec', 'template', 'spec', 'containers']) as JsonObject[] | undefined) ?? [];
      return {
        replicas: step.replicas === undefined ? undefined : (valueAt(object, ['spec', 'replicas']) ?? 1),
        resources: containers.filter((c) => names.has(String(c.name))).map((c) => [c.name, c.resources ?? null]),
      };
    }
  }
}

/** The fields a step changes, as managedFields spells them. */
function guardedFields(step: PhaseStep): string[][] {
  switch (step.role) {
    case 'service':
      return [
        ['f:spec', 'f:selector'],
        ['f:spec', 'f:ports'],
      ];
    case 'scaled-down':
      return [['f:spec', 'f:replicas']];
    default:
      return [
        ['f:spec', 'f:replicas'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers'],
      ];
  }
}

/** Who wrote the fields a step changes, last (other than this tool and the controllers' status updates). */
function lastWriter(step: PhaseStep, object: KubeObject): string | undefined {
  const entries = ((valueAt(object, ['metadata', 'managedFields']) as JsonObject[] | undefined) ?? []).map(
    (e, index) => ({ e, index }),
  );
  const others = entries.filter(({ e }) => e.manager !== FIELD_MANAGER && e.subresource !== 'status');
  const owning = others.filter(({ e }) => guardedFields(step).some((p) => valueAt(e.fieldsV1, p) !== undefined));
  const sorted = (owning.length ? owning : others).sort(
    (a, b) => String(b.e.time).localeCompare(String(a.e.time)) || b.index - a.index,
  );
  return sorted[0]?.e.manager as string | undefined;
}

/**
 * Writes with the resourceVersion the step was planned against. When the object moved on
 * meanwhile (409), looks again: if what this step changes is as it was (a controller wrote status),
 * tries again with the new resourceVersion; if someone changed those fields, stops.
 */
async function guarded409<T>(
  api: ClusterApi,
  step: PhaseStep,
  resourceVersion: string,
  write: (resourceVersion: string) => Promise<T>,
  reached: (fresh: KubeObject) => T | undefined,
  signal?: AbortSignal,
): Promise<T> {
  let rv = resourceVersion;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(rv);
    } catch (error) {
      if (!(error instanceof ClusterError) || error.kind !== 'conflict' || error.conflicts.length > 0 || attempt >= 5)
        throw error;
      const fresh = await api.get(step.ref, { signal });
      if (!fresh)
        throw new ClusterError('not-found', `${describeRef(step.ref)} was deleted by someone else while applying.`);
      // An earlier try of this very write went through, and its answer was lost: done.
      const already = attempt > 1 || error.attempts > 1 ? reached(fresh) : undefined;
      if (already !== undefined) return already;
      if (JSON.stringify(guarded(step, fresh)) !== JSON.stringify(guarded(step, step.live))) {
        const writer = lastWriter(step, fresh);
        throw new ClusterError(
          'conflict',
          `Conflict (409): ${describeRef(step.ref)} was changed${writer ? ` by "${writer}"` : ''} while applying, in the fields this phase changes; nothing was overwritten. Look at it, then apply again.`,
          { status: 409, operation: error.operation },
        );
      }
      rv = fresh.metadata.resourceVersion as string;
    }
  }
}

/** Whether an object already holds what a targeted patch sets in the fields a step guards. */
function patchReached(step: PhaseStep, body: JsonObject, fresh: KubeObject): boolean {
  const spec = body.spec as JsonObject | undefined;
  if (!spec) return false;
  if (step.role === 'service') {
    const selector = spec.selector as JsonObject | null | undefined;
    const wanted = selector ? Object.fromEntries(Object.entries(selector).filter(([, v]) => v !== null)) : selector;
    const liveSelector = (valueAt(fresh, ['spec', 'selector']) as JsonObject | undefined) ?? {};
    const selectorOk = selector === undefined || canonicalJson(liveSelector) === canonicalJson(wanted ?? {});
    const ports = spec.ports as JsonObject[] | undefined;
    const livePorts = (valueAt(fresh, ['spec', 'ports']) as JsonObject[] | undefined) ?? [];
    const portsOk =
      !ports ||
      ports.every((p) =>
        livePorts.some((l) => l.port === p.port && JSON.stringify(l.targetPort) === JSON.stringify(p.targetPort)),
      );
    return selectorOk && portsOk;
  }
  const containers = valueAt(spec, ['template', 'spec', 'containers']) as JsonObject[] | undefined;
  const liveContainers = (valueAt(fresh, ['spec', 'template', 'spec', 'containers']) as JsonObject[] | undefined) ?? [];
  return (
    !!containers &&
    containers.every((c) => {
      const live = liveContainers.find((l) => l.name === c.name);
      return (
        !!live &&
        (['requests', 'limits'] as const).every((kind) =>
          Object.entries((valueAt(c, ['resources', kind]) as JsonObject | undefined) ?? {}).every(([resource, value]) =>
            sameQuantity(resource, valueAt(live, ['resources', kind, resource]), value),
          ),
        )
      );
    })
  );
}

async function guardedPatch(
  api: ClusterApi,
  step: PhaseStep,
  patch: { type: 'merge' | 'strategic'; body: JsonObject },
  options: { dryRun: boolean; signal?: AbortSignal },
): Promise<KubeObject> {
  const result = await guarded409(
    api,
    step,
    step.live!.metadata.resourceVersion as string,
    (resourceVersion) =>
      api.patch(step.ref, patch.body, {
        type: patch.type,
        resourceVersion,
        dryRun: options.dryRun,
        signal: options.signal,
      }),
    (fresh) => (patchReached(step, patch.body, fresh) ? fresh : undefined),
    options.signal,
  );
  if (!options.dryRun) step.live = { ...result, metadata: { ...result.metadata } };
  return result;
}

async function guardedScale(
  api: ClusterApi,
  step: PhaseStep,
  replicas: number,
  resourceVersion: string,
  options: { dryRun: boolean; signal?: AbortSignal },
): Promise<void> {
  await guarded409(
    api,
    step,
    resourceVersion,
    (rv) => api.patchScale(step.ref, replicas, { resourceVersion: rv, dryRun: options.dryRun, signal: options.signal }),
    (fresh) =>
      valueAt(fresh, ['spec', 'replicas']) === replicas
        ? { replicas, resourceVersion: fresh.metadata.resourceVersion as string }
        : undefined,
    options.signal,
  );
}
