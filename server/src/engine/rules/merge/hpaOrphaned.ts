import { namespaceOf } from '../../budget/resolve';
import { selectorMatches } from '../../model/selector';
import type { WorkloadPolicyModel } from '../../model/manifest';
import type { PlanContext } from '../contexts';
import type { EditAction, AddFinding, Rule } from '../types';
import { mergeChecks, refOf, addMergeFinding, type MergeCheck } from './helpers';

export const hpaOrphaned: Rule<PlanContext> = {
  code: 'merge/hpa-orphaned',
  defaultSeverity: 'warning',
  description: 'A HorizontalPodAutoscaler or PodDisruptionBudget targets a workload the merge replaces.',
  where: 'plan: the reference',
  check(context, addFinding) {
    const policies = context.policies ?? [];
    for (const check of mergeChecks(context)) {
      for (const source of check.sources) {
        const namespace = namespaceOf(source.workload, check.defaultNamespace);
        for (const policy of policies) {
          if (namespaceOf(policy, check.defaultNamespace) !== namespace) continue;
          const targets =
            policy.kind === 'HorizontalPodAutoscaler'
              ? policy.targetName === source.workload.name &&
                (!policy.targetKind || policy.targetKind === source.workload.kind)
              : selectorMatches(policy.selector, source.workload.podLabels);
          if (!targets) continue;
          addMergeFinding(
            addFinding,
            check,
            `${policy.kind} ${policy.name} targets ${source.workload.name}, which the merge scales to 0: it would no longer apply to anything; move it to ${check.merge.name}.`,
            refOf(check, source),
            {
              related: [{ location: policy.location, message: `${policy.kind} ${policy.name}` }],
            },
          );
          if (policy.kind === 'HorizontalPodAutoscaler') retargetHpa(check, addFinding, policy, source.workload.name);
        }
      }
    }
  },
};

/**
 * On the HPA's own `scaleTargetRef.name`: the same finding, with a quick fix that re-targets it at the
 * merged workload (its name, and its kind when the HPA names another).
 */
function retargetHpa(check: MergeCheck, addFinding: AddFinding, hpa: WorkloadPolicyModel, source: string): void {
  const kind = String(check.merged.kind ?? '');
  const changes: EditAction['changes'] = [];
  if (hpa.targetNameLocation && hpa.targetName !== check.merge.name)
    changes.push({ ...hpa.targetNameLocation.range, newText: check.merge.name });
  if (hpa.targetKindLocation && hpa.targetKind && kind && hpa.targetKind !== kind)
    changes.push({ ...hpa.targetKindLocation.range, newText: kind });
  if (!hpa.targetNameLocation || changes.length === 0) return;
  addMergeFinding(
    addFinding,
    check,
    `HorizontalPodAutoscaler ${hpa.name} targets ${source}, which phase ${check.phase.name} merges into ${check.merge.name}: re-target it at ${kind} ${check.merge.name}.`,
    hpa.targetNameLocation,
    { data: { fix: 'edits', actions: [{ title: `Re-target at ${kind} ${check.merge.name}`, changes }] } },
  );
}
