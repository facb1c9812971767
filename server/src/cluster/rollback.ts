import {
  valueAt,
  isObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  type JsonObject,
  type KubeObject,
} from '../engine/render/kube';
import type { ApplyRecord, RecordedObject, RecordStore } from './applyRecord';
import { describeRef, type ClusterApi, type ObjectRef } from './clusterApi';
import { asClusterError, DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, type ApplyEvent } from './applyPhase';
import { ClusterError } from './errors';
import { formatDuration } from './duration';
import { waitForRollouts } from './rollout';
import { canonicalJson } from '../engine/yaml/canonical';

export interface RollbackOptions {
  api: ClusterApi;
  store: RecordStore;
  /** The records of later phases: while one of them is applied, this phase is not rolled back. */
  later?: RecordStore[];
  signal?: AbortSignal;
  timeoutMs?: number;
  pollIntervalMs?: number;
  onProgress?: (event: ApplyEvent) => void;
}

export interface RollbackOutcome {
  status: 'rolled-back' | 'failed' | 'cancelled' | 'refused';
  message: string;
  done: string[];
  notDone: string[];
  warnings: string[];
  error?: ClusterError;
  record?: ApplyRecord;
  /** Where the record was read from. */
  from?: 'cluster' | 'file';
}

interface Action {
  summary: string;
  run: () => Promise<string | undefined>;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet']);

/**
 * Restores what an apply recorded (replicas, resources, Service selectors and ports, the
 * annotations it set) and deletes only what the record proves this tool created (deletionProof).
 * The record never stands in the way: when its ConfigMap cannot be written, the workloads are
 * restored all the same and the file beside the plan keeps the record.
 */
export async function rollbackPhase(options: RollbackOptions): Promise<RollbackOutcome> {
  const emit = (event: ApplyEvent) => options.onProgress?.(event);
  const outcome: RollbackOutcome = { status: 'failed', message: '', done: [], notDone: [], warnings: [] };
  const warn = (message: string) => {
    outcome.warnings.push(message);
    emit({ type: 'warning', message });
  };
  const record = await readRecord(options, outcome);
  if (!record) return outcome;
  const save = recordLog(options.store, record, warn);
  const actions = rollbackActions(options, record, outcome, { emit, warn });
  const stopped = await runActions(options, record, actions, outcome, { emit, warn, save });
  if (stopped) return stoppedOutcome(record, actions, stopped, outcome, save);
  return rolledBackOutcome(options, record, outcome, save);
}

type RecordLog = (message: string, final?: boolean) => Promise<void>;

/** Adds a line to the record's log and saves it; a ConfigMap that cannot be written is a warning (the file keeps the record). */
function recordLog(store: RecordStore, record: ApplyRecord, warn: (message: string) => void): RecordLog {
  return async (message, final = false) => {
    record.log.push({ at: new Date().toISOString(), message });
    try {
      // Not with the user's signal: after a cancel, the record must still say what happened.
      await store.save(record, { final });
    } catch (error) {
      warn(
        `Could not update the record ConfigMap (the record is kept in ${store.file}): ${asClusterError(error).message}`,
      );
    }
  };
}

/** The steps in their safe order: restore the workloads, wait for them, restore the Services, delete what the apply created. */
function rollbackActions(
  options: RollbackOptions,
  record: ApplyRecord,
  outcome: RollbackOutcome,
  { emit, warn }: { emit: (event: ApplyEvent) => void; warn: (message: string) => void },
): Action[] {
  const { api, signal } = options;
  const restored: ObjectRef[] = [];
  return [
    ...restoreWorkloadActions(api, record, { signal, warn, restored }),
    waitAction(api, restored, options, emit),
    ...restoreServiceActions(api, record, { signal, warn }),
    ...deleteCreatedActions(api, record, { signal, warn, notDone: outcome.notDone }),
  ];
}

/** Marks the record as rolling back, then runs the actions in order; where it stopped, and why (undefined: it did not). */
async function runActions(
  { store, signal }: RollbackOptions,
  record: ApplyRecord,
  actions: Action[],
  outcome: RollbackOutcome,
  { emit, warn, save }: { emit: (event: ApplyEvent) => void; warn: (message: string) => void; save: RecordLog },
): Promise<{ index: number; error: ClusterError } | undefined> {
  let index = 0;
  try {
    record.status = 'rolling-back';
    try {
      await store.save(record, { signal });
    } catch (error) {
      if (asClusterError(error).kind === 'cancelled') throw error;
      warn(
        `Could not update the record ConfigMap (the record is kept in ${store.file}); restoring all the same: ${asClusterError(error).message}`,
      );
    }
    for (; index < actions.length; index++) {
      if (signal?.aborted) throw new ClusterError('cancelled', 'Cancelled.');
      const action = actions[index];
      emit({ type: 'step', message: action.summary.replace(/^(\w)/, (c) => c.toUpperCase()) });
      const message = await action.run();
      if (!message) continue;
      outcome.done.push(message);
      emit({ type: 'done', message });
      await save(message);
    }
    return undefined;
  } catch (error) {
    return { index, error: asClusterError(error) };
  }
}

/** A rollback that failed or was cancelled: what was not done, and that running it again finishes it. */
async function stoppedOutcome(
  record: ApplyRecord,
  actions: Action[],
  { index, error: e }: { index: number; error: ClusterError },
  outcome: RollbackOutcome,
  save: RecordLog,
): Promise<RollbackOutcome> {
  outcome.error = e;
  outcome.status = e.kind === 'cancelled' ? 'cancelled' : 'failed';
  outcome.notDone.push(...actions.slice(index).map((a) => a.summary));
  record.status = 'rollback-failed';
  await save(`Rollback ${outcome.status}: ${e.message}`, true);
  outcome.message = `Rollback ${outcome.status === 'cancelled' ? 'cancelled' : 'failed'}: ${e.message} Run it again to finish: it only changes what still differs from the record.`;
  return outcome;
}

/** A rollback that restored everything: the record closed. */
async function rolledBackOutcome(
  { api }: RollbackOptions,
  record: ApplyRecord,
  outcome: RollbackOutcome,
  save: RecordLog,
): Promise<RollbackOutcome> {
  record.status = 'rolled-back';
  await save(`Rolled back phase ${record.phase}`, true);
  outcome.status = 'rolled-back';
  outcome.message = `Rolled back phase ${record.phase} of plan ${record.plan} on context ${api.target.context} (cluster ${api.target.cluster}).`;
  return outcome;
}

/** The record to roll back, or undefined with the outcome saying why not (nothing changed). */
async function readRecord(options: RollbackOptions, outcome: RollbackOutcome): Promise<ApplyRecord | undefined> {
  const { api, store, signal } = options;
  try {
    options.onProgress?.({
      type: 'step',
      message: `Reading the apply record of phase ${store.phase} (${store.describe()})`,
    });
    const loaded = await store.load({ signal });
    if (!loaded) {
      outcome.status = 'refused';
      outcome.message = `There is no apply record of phase ${store.phase} of plan ${store.plan}: looked for ${store.describe()}. Nothing was changed.`;
      return undefined;
    }
    outcome.record = loaded.record;
    outcome.from = loaded.from;
    for (const later of options.later ?? []) {
      const found = await later.load({ signal });
      if (found && found.record.status !== 'rolled-back' && found.record.server === api.target.server) {
        outcome.status = 'refused';
        outcome.message = `Phase ${later.phase}, which comes after ${store.phase}, is applied on this cluster (record status ${found.record.status}): roll it back first. Nothing was changed.`;
        return undefined;
      }
    }
    if (loaded.from === 'file' && loaded.record.server !== api.target.server) {
      outcome.status = 'refused';
      outcome.message = `The apply record ${store.file} was made on context ${loaded.record.context} (${loaded.record.server}), not on ${api.target.context} (${api.target.server}). Select that context to roll back. Nothing was changed.`;
      return undefined;
    }
    return loaded.record;
  } catch (error) {
    const e = asClusterError(error);
    outcome.status = e.kind === 'cancelled' ? 'cancelled' : 'failed';
    outcome.error = e;
    outcome.message = `${e.message} Nothing was changed.`;
    return undefined;
  }
}

/** Replicas, resources and annotations of the workloads the phase scaled down or changed. */
function restoreWorkloadActions(
  api: ClusterApi,
  record: ApplyRecord,
  context: { signal?: AbortSignal; warn: (m: string) => void; restored: ObjectRef[] },
): Action[] {
  return record.objects
    .filter((o) => o.existed && (o.role === 'scaled-down' || o.role === 'changed'))
    .map((recorded) => ({
      summary: `restore ${describeRef(recorded.ref)}${recorded.replicas !== undefined ? ` to ${recorded.replicas} replica${recorded.replicas === 1 ? '' : 's'}` : ''}${recorded.containers?.length ? ' and its recorded resources' : ''}`,
      run: async () => {
        const result = await restoreWorkload(api, recorded, context.signal);
        if (result === 'gone') {
          context.warn(`${describeRef(recorded.ref)} no longer exists: not restored.`);
          return undefined;
        }
        if (result === 'changed' && WORKLOADS.has(recorded.ref.kind)) context.restored.push(recorded.ref);
        return result === 'changed'
          ? `Restored ${describeRef(recorded.ref)} (replicas ${recorded.replicas ?? 'unchanged'}${recorded.containers?.length ? ', resources' : ''})`
          : `${describeRef(recorded.ref)} was already as recorded`;
      },
    }));
}

/** Waits for the restored workloads before any Service goes back to them. */
function waitAction(
  api: ClusterApi,
  restored: ObjectRef[],
  options: RollbackOptions,
  emit: (event: ApplyEvent) => void,
): Action {
  return {
    summary: 'wait for the restored workloads to roll out',
    run: async () => {
      const scalable = restored.filter((r) => r.kind !== 'DaemonSet');
      if (scalable.length === 0) return undefined;
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await waitForRollouts(api, scalable, {
        signal: options.signal,
        timeoutMs,
        pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
        onProgress: (states) => {
          const pending = states.filter((s) => !s.state.ready);
          emit({
            type: 'waiting',
            message: pending.length
              ? `Waiting for ${pending.map((s) => `${describeRef(s.ref)}: ${s.state.waitingFor}`).join('; ')}`
              : `All ${states.length} rolled out`,
            workloads: states.map((s) => ({ ref: s.ref, ready: s.state.ready, waitingFor: s.state.waitingFor })),
          });
        },
      });
      return `${scalable.map(describeRef).join(', ')} rolled out again (timeout was ${formatDuration(timeoutMs)})`;
    },
  };
}

/** Selectors and target ports of the Services the phase re-pointed. */
function restoreServiceActions(
  api: ClusterApi,
  record: ApplyRecord,
  context: { signal?: AbortSignal; warn: (m: string) => void },
): Action[] {
  return record.objects
    .filter((o) => o.existed && o.role === 'service')
    .map((recorded) => ({
      summary: `restore the selector and ports of ${describeRef(recorded.ref)}`,
      run: async () => {
        const result = await restoreService(api, recorded, context.signal);
        if (result === 'gone') {
          context.warn(`${describeRef(recorded.ref)} no longer exists: not restored.`);
          return undefined;
        }
        return result === 'changed'
          ? `Restored the selector of ${describeRef(recorded.ref)} (${selectorText(recorded.selector)})`
          : `${describeRef(recorded.ref)} was already as recorded`;
      },
    }));
}

/** Deletes what the record proves the apply created; keeps everything else, saying why. */
function deleteCreatedActions(
  api: ClusterApi,
  record: ApplyRecord,
  context: { signal?: AbortSignal; warn: (m: string) => void; notDone: string[] },
): Action[] {
  return record.objects
    .filter((o) => o.role === 'created' && !o.existed)
    .map((recorded) => ({
      summary: `delete ${describeRef(recorded.ref)}, which the apply created`,
      run: async () => {
        const live = await api.get(recorded.ref, { signal: context.signal });
        if (!live) return `${describeRef(recorded.ref)} was already gone`;
        const unproven = deletionProof(recorded, live, record);
        if (unproven) {
          context.warn(`Not deleted: ${describeRef(recorded.ref)}: ${unproven}.`);
          context.notDone.push(`delete ${describeRef(recorded.ref)} (kept: ${unproven})`);
          return undefined;
        }
        await api.delete(recorded.ref, { uid: live.metadata.uid as string, signal: context.signal });
        return `Deleted ${describeRef(recorded.ref)}, which the apply created (uid ${recorded.uid})`;
      },
    }));
}

/** How far this machine's clock may be ahead of the API server's when comparing creation times. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Why the record does not prove that the apply created this live object (undefined: it does).
 * The proof: the uid the apply recorded when it created the object is the live object's uid, the
 * object is not older than the apply, and it still carries our managed-by label. A record is a file
 * anyone can edit, so a missing uid proves nothing.
 */
export function deletionProof(
  recorded: RecordedObject,
  live: KubeObject,
  record: Pick<ApplyRecord, 'startedAt'>,
): string | undefined {
  if (!recorded.uid) return 'the record holds no uid for it, so nothing proves the apply created it';
  if (live.metadata.uid !== recorded.uid)
    return `it is not the object the apply created (uid ${String(live.metadata.uid)}, the record says ${recorded.uid})`;
  const created = Date.parse(String(live.metadata.creationTimestamp ?? ''));
  const started = Date.parse(record.startedAt);
  // startedAt is this machine's clock, creationTimestamp the API server's (whole seconds): allow for the difference.
  if (
    !Number.isFinite(created) ||
    !Number.isFinite(started) ||
    created < Math.floor(started / 1000) * 1000 - CLOCK_SKEW_MS
  ) {
    return `it was created at ${String(live.metadata.creationTimestamp ?? 'an unknown time')}, before the apply started (${record.startedAt})`;
  }
  if (valueAt(live, ['metadata', 'labels', MANAGED_BY_LABEL]) !== MANAGED_BY)
    return `it does not carry ${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  return undefined;
}

function selectorText(selector: JsonObject | null | undefined): string {
  return selector
    ? Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : 'no selector';
}

/** Retries a write on a resourceVersion conflict (a controller wrote status meanwhile), reading again each time. */
async function withFreshVersion<T>(
  api: ClusterApi,
  ref: ObjectRef,
  signal: AbortSignal | undefined,
  write: (live: KubeObject) => Promise<T>,
): Promise<T | 'gone'> {
  for (let attempt = 1; ; attempt++) {
    const live = await api.get(ref, { signal });
    if (!live) return 'gone';
    try {
      return await write(live);
    } catch (error) {
      if (!(error instanceof ClusterError) || error.kind !== 'conflict' || error.conflicts.length > 0 || attempt >= 5)
        throw error;
    }
  }
}

function annotationPatch(live: KubeObject, recorded: RecordedObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(recorded.annotations ?? {})) {
    const current = valueAt(live, ['metadata', 'annotations', key]) ?? null;
    if (current !== value) patch[key] = value;
  }
  return Object.keys(patch).length ? patch : undefined;
}

async function restoreWorkload(
  api: ClusterApi,
  recorded: RecordedObject,
  signal: AbortSignal | undefined,
): Promise<'changed' | 'unchanged' | 'gone'> {
  let changed = false;
  const patched = await withFreshVersion(api, recorded.ref, signal, async (live) => {
    const body: JsonObject = {};
    const annotations = annotationPatch(live, recorded);
    if (annotations) body.metadata = { annotations };
    const liveContainers =
      (valueAt(live, ['spec', 'template', 'spec', 'containers']) as JsonObject[] | undefined) ?? [];
    const containers: JsonObject[] = [];
    for (const container of recorded.containers ?? []) {
      const current = liveContainers.find((c) => c.name === container.name);
      if (!current) continue;
      const resources = restoreResources(isObject(current.resources) ? current.resources : {}, container.resources);
      if (resources) containers.push({ name: container.name, resources });
    }
    if (containers.length) body.spec = { template: { spec: { containers } } };
    if (Object.keys(body).length === 0) return live;
    changed = true;
    return api.patch(recorded.ref, body, {
      type: containers.length ? 'strategic' : 'merge',
      resourceVersion: live.metadata.resourceVersion as string,
      signal,
    });
  });
  if (patched === 'gone') return 'gone';
  if (recorded.replicas !== undefined) {
    const scaled = await withFreshVersion(api, recorded.ref, signal, async (live) => {
      const current =
        typeof valueAt(live, ['spec', 'replicas']) === 'number' ? (valueAt(live, ['spec', 'replicas']) as number) : 1;
      if (current === recorded.replicas) return false;
      await api.patchScale(recorded.ref, recorded.replicas!, {
        resourceVersion: live.metadata.resourceVersion as string,
        signal,
      });
      return true;
    });
    if (scaled === 'gone') return 'gone';
    changed ||= scaled;
  }
  return changed ? 'changed' : 'unchanged';
}

/** A strategic-merge patch of `resources` back to the recorded value (null removes what the phase added). */
function restoreResources(current: JsonObject, recorded: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const kind of ['requests', 'limits']) {
    const now = isObject(current[kind]) ? (current[kind] as JsonObject) : {};
    const then = isObject(recorded[kind]) ? (recorded[kind] as JsonObject) : {};
    const entries: JsonObject = {};
    for (const [resource, value] of Object.entries(then)) if (now[resource] !== value) entries[resource] = value;
    for (const resource of Object.keys(now)) if (!(resource in then)) entries[resource] = null;
    if (Object.keys(entries).length) patch[kind] = entries;
  }
  return Object.keys(patch).length ? patch : undefined;
}

async function restoreService(
  api: ClusterApi,
  recorded: RecordedObject,
  signal: AbortSignal | undefined,
): Promise<'changed' | 'unchanged' | 'gone'> {
  let changed = false;
  const result = await withFreshVersion(api, recorded.ref, signal, async (live) => {
    const body: JsonObject = {};
    const spec: JsonObject = {};
    const liveSelector = isObject(valueAt(live, ['spec', 'selector']))
      ? (valueAt(live, ['spec', 'selector']) as JsonObject)
      : {};
    const wanted = recorded.selector ?? null;
    if (canonicalJson(liveSelector) !== canonicalJson(wanted ?? {})) {
      if (wanted === null) spec.selector = null;
      else {
        const selector: JsonObject = { ...wanted };
        for (const key of Object.keys(liveSelector)) if (!(key in wanted)) selector[key] = null;
        spec.selector = selector;
      }
    }
    const livePorts = ((valueAt(live, ['spec', 'ports']) as JsonObject[] | undefined) ?? []).filter(isObject);
    const ports = livePorts.map((port) => {
      const then = (recorded.ports ?? []).find(
        (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
      );
      return then &&
        then.targetPort !== undefined &&
        JSON.stringify(then.targetPort) !== JSON.stringify(port.targetPort)
        ? { ...port, targetPort: then.targetPort }
        : port;
    });
    if (JSON.stringify(ports) !== JSON.stringify(livePorts)) spec.ports = ports;
    if (Object.keys(spec).length) body.spec = spec;
    const annotations = annotationPatch(live, recorded);
    if (annotations) body.metadata = { annotations };
    if (Object.keys(body).length === 0) return live;
    changed = true;
    return api.patch(recorded.ref, body, {
      type: 'merge',
      resourceVersion: live.metadata.resourceVersion as string,
      signal,
    });
  });
  if (result === 'gone') return 'gone';
  return changed ? 'changed' : 'unchanged';
}
