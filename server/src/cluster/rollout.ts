import { valueAt, type JsonObject, type KubeObject } from '../engine/render/kube';
import { describeRef, type ClusterApi, type ObjectRef } from './clusterApi';
import { abortableDelay, ClusterError } from './errors';
import { formatDuration } from './duration';

export interface RolloutState {
  ready: boolean;
  /** Set when the rollout cannot succeed (ProgressDeadlineExceeded). */
  failed?: string;
  /** What it waits for, said as kubectl rollout status says it. */
  waitingFor: string;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' ? value : fallback;
}

/** Whether a workload has rolled out (as `kubectl rollout status` judges it), and if not, why. */
export function rolloutState(object: KubeObject): RolloutState {
  const generation = num(object.metadata.generation, 0);
  const status = (object.status ?? {}) as JsonObject;
  const spec = (object.spec ?? {}) as JsonObject;
  const desired = num(spec.replicas, 1);
  const observed = num(status.observedGeneration, 0);
  if (object.kind === 'Deployment') {
    const conditions = Array.isArray(status.conditions) ? (status.conditions as JsonObject[]) : [];
    const progressing = conditions.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return {
        ready: false,
        failed: `exceeded its progress deadline (ProgressDeadlineExceeded: ${progressing.message ?? 'no message'})`,
        waitingFor: 'a rollout that failed',
      };
    }
    if (observed < generation) return { ready: false, waitingFor: `the controller to see generation ${generation}` };
    const updated = num(status.updatedReplicas);
    const replicas = num(status.replicas);
    const available = num(status.availableReplicas);
    if (updated < desired) return { ready: false, waitingFor: `${updated} of ${desired} new replicas updated` };
    if (replicas > updated)
      return {
        ready: false,
        waitingFor: `${replicas - updated} old replica${replicas - updated === 1 ? '' : 's'} pending termination`,
      };
    if (available < updated)
      return { ready: false, waitingFor: `${available} of ${updated} updated replicas available` };
    return { ready: true, waitingFor: `${available} of ${desired} replicas available` };
  }
  if (object.kind === 'StatefulSet' || object.kind === 'ReplicaSet') {
    if (observed < generation) return { ready: false, waitingFor: `the controller to see generation ${generation}` };
    const ready = num(status.readyReplicas);
    const available = num(status.availableReplicas, ready);
    if (object.kind === 'StatefulSet') {
      const strategy = (spec.updateStrategy ?? {}) as JsonObject;
      const partition = num(valueAt(strategy, ['rollingUpdate', 'partition']), 0);
      const updated = num(status.updatedReplicas);
      if (strategy.type !== 'OnDelete' && updated < desired - partition)
        return { ready: false, waitingFor: `${updated} of ${desired - partition} pods updated` };
      if (ready < desired) return { ready: false, waitingFor: `${ready} of ${desired} pods ready` };
      if (
        strategy.type !== 'OnDelete' &&
        partition === 0 &&
        status.updateRevision &&
        status.currentRevision !== status.updateRevision
      ) {
        return { ready: false, waitingFor: 'the rolling update to complete' };
      }
      return { ready: true, waitingFor: `${ready} of ${desired} pods ready` };
    }
    if (available < desired) return { ready: false, waitingFor: `${available} of ${desired} replicas available` };
    return { ready: true, waitingFor: `${available} of ${desired} replicas available` };
  }
  return { ready: true, waitingFor: 'nothing (not a workload)' };
}

export interface WaitProgress {
  ref: ObjectRef;
  state: RolloutState;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up after this long (the `--timeout`). */
  timeoutMs: number;
  /** Time between two looks at the workloads. */
  pollIntervalMs: number;
  onProgress?: (states: WaitProgress[]) => void;
}

/**
 * Waits until every workload has rolled out. Rejects with a ClusterError: `rollout-failed`
 * (ProgressDeadlineExceeded, or the object vanished), `timeout`, or `cancelled`.
 */
export async function waitForRollouts(api: ClusterApi, refs: ObjectRef[], options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const states = new Map<ObjectRef, RolloutState>(refs.map((r) => [r, { ready: false, waitingFor: 'the first look' }]));
  for (;;) {
    if (options.signal?.aborted) throw new ClusterError('cancelled', 'Cancelled while waiting for the rollout.');
    for (const ref of refs) {
      if (states.get(ref)!.ready) continue;
      const live = await api.get(ref, { signal: options.signal });
      if (!live)
        throw new ClusterError('rollout-failed', `${describeRef(ref)} disappeared while waiting for its rollout.`);
      const state = rolloutState(live);
      states.set(ref, state);
      if (state.failed)
        throw new ClusterError('rollout-failed', `The rollout of ${describeRef(ref)} failed: it ${state.failed}.`);
    }
    options.onProgress?.(refs.map((ref) => ({ ref, state: states.get(ref)! })));
    if ([...states.values()].every((s) => s.ready)) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      const pending = refs
        .filter((r) => !states.get(r)!.ready)
        .map((r) => `${describeRef(r)} (waiting for ${states.get(r)!.waitingFor})`);
      throw new ClusterError(
        'timeout',
        `Timed out after ${formatDuration(options.timeoutMs)} waiting for the rollout of ${pending.join(', ')}.`,
      );
    }
    try {
      await abortableDelay(Math.min(options.pollIntervalMs, left), options.signal);
    } catch {
      throw new ClusterError('cancelled', 'Cancelled while waiting for the rollout.');
    }
  }
}
