import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import type { MergeSourceFact } from '../../render/mergeFacts';
import { leaveOut, mergeChecks, refOf, addMergeFinding, type MergeCheck } from './helpers';
import type { AddFinding } from '../types';

const STEADY_KINDS = new Set(['Deployment', 'ComposeService', 'ReplicaSet']);

export const kindMismatch: Rule<PlanContext> = {
  code: 'merge/kind-mismatch',
  defaultSeverity: 'error',
  description: 'Workloads of different kinds (StatefulSet with Deployment, DaemonSet, Job) are merged.',
  where: 'plan: the reference',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      checkKinds(check, addFinding);
      checkOneShotMix(check, addFinding);
    }
  },
};

/** Deployments (and compose services) together, or StatefulSets together; nothing else merges. */
function checkKinds(check: MergeCheck, addFinding: AddFinding): void {
  const kindOf = (s: MergeSourceFact) => (STEADY_KINDS.has(s.workload.kind) ? 'Deployment' : s.workload.kind);
  const mergeable = (k: string) => k === 'Deployment' || k === 'StatefulSet';
  const first = check.sources[0];
  for (const source of check.sources) {
    const kind = kindOf(source);
    if (mergeable(kind) && kind === kindOf(first)) continue;
    addMergeFinding(
      addFinding,
      check,
      `${source.workload.name} is a ${source.workload.kind}${mergeable(kind) ? ` and ${first.workload.name} a ${first.workload.kind}` : ''}: only Deployments with Deployments or StatefulSets with StatefulSets merge into one pod.`,
      refOf(check, source),
      {
        related: [
          { location: source.workload.nameLocation, message: `${source.workload.kind} ${source.workload.name}` },
        ],
      },
    );
  }
}

/**
 * One-shot work (a one-shot compose service, of a kind that otherwise merges) in a pod merge with long-running
 * workloads: the merged pod runs steadily, so the job would be restarted for ever. Jobs and CronJobs are already
 * reported by kind.
 */
function checkOneShotMix(check: MergeCheck, addFinding: AddFinding): void {
  // A replace merge runs the plan's container, not the sources': nothing of the job runs in the new pod.
  const steady = check.merge.strategy === 'pod' ? check.sources.find((s) => s.workload.steady) : undefined;
  if (!steady) return;
  for (const source of check.sources) {
    if (source.workload.steady || source.workload.kind === 'Job' || source.workload.kind === 'CronJob') continue;
    const actions = leaveOut(check, source);
    addMergeFinding(
      addFinding,
      check,
      `${source.workload.name} is one-shot work (it runs to completion) and ${steady.workload.name} runs steadily: in one long-running pod it would be restarted for ever. Leave it out of the merge (run it as a Job, or as an init container).`,
      refOf(check, source),
      {
        related: [{ location: source.workload.nameLocation, message: `${source.workload.name}: one-shot` }],
        ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}),
      },
    );
  }
}
