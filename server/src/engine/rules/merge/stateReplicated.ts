import { asChange, setMergeKey } from '../../plan/planEdits';
import type { MergeSourceFact } from '../../render/mergeFacts';
import { statefulImageKind } from '../../render/statefulImages';
import type { PlanContext } from '../contexts';
import type { EditAction, Rule } from '../types';
import {
  claimsNamed,
  claimsOf,
  isReadWriteOnce,
  leaveOut,
  mergeChecks,
  mountedClaimNames,
  refOf,
  addMergeFinding,
  type MergeCheck,
} from './helpers';

/**
 * A source that keeps state (a StatefulSet, a claim or claim template, a compose named volume, the
 * image of a well-known database or queue) whose replicas the merge raises: each new replica would
 * hold its own copy of the data, and one Service would spread callers over diverging copies.
 */
export const stateReplicated: Rule<PlanContext> = {
  code: 'merge/state-replicated',
  defaultSeverity: 'warning',
  description:
    'A merge raises the replicas of a source that keeps state (a StatefulSet, a claim or claim template, a compose named volume, a database or queue image).',
  where: 'plan: the reference of the source that keeps state',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      for (const source of check.sources) {
        if (check.replicas <= source.workload.replicas) continue;
        // A ReadWriteOnce claim is already an error of its own (merge/rwo-volume-replicated).
        const rwo = new Set(readWriteOnceClaims(check, source).map((c) => `claim ${c}`));
        const reasons = stateReasons(source).filter((r) => !rwo.has(r));
        if (reasons.length === 0) continue;
        const before = source.workload.replicas;
        const actions: EditAction[] = [];
        const replicasChange = check.merge.replicasLocation
          ? { ...check.merge.replicasLocation.range, newText: String(before) }
          : before > 0
            ? asChange(setMergeKey(check.planText, check.merge, 'replicas', String(before)))
            : undefined;
        if (replicasChange && before > 0) actions.push({ title: `Set replicas: ${before}`, changes: [replicasChange] });
        actions.push(...leaveOut(check, source));
        addMergeFinding(
          addFinding,
          check,
          `${source.workload.name} keeps state (${reasons.join('; ')}) and ran ${before} replica${before === 1 ? '' : 's'}; the merged workload runs ${check.replicas}: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.`,
          refOf(check, source),
          {
            related: [
              {
                location: source.workload.replicasLocation ?? source.workload.nameLocation,
                message: `${source.workload.name}: ${before} replica${before === 1 ? '' : 's'}`,
              },
            ],
            ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}),
          },
        );
      }
    }
  },
};

/** The ReadWriteOnce(Pod) claims of the source's namespace that its pods mount. */
function readWriteOnceClaims(check: MergeCheck, source: MergeSourceFact): string[] {
  return mountedClaimNames(source.object).filter((name) => claimsNamed(check, source, name).some(isReadWriteOnce));
}

/** Why a source keeps state, in words: its kind, its claims, its compose named volumes, its database image. */
function stateReasons(source: MergeSourceFact): string[] {
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
