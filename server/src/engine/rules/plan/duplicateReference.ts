import { asChange, removeListItem } from '../../plan/planEdits';
import type { PlanModel, WorkloadRef } from '../../plan/types';
import type { PlanAnalysis } from '../../budget/states';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const duplicateReference: Rule<PlanContext> = {
  code: 'plan/duplicate-reference',
  defaultSeverity: 'error',
  where: 'plan: the second reference',
  description: 'One workload is merged twice, or merged and removed, in one phase.',
  check({ plan, analysis, planText }, addFinding) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'duplicate') continue;
      const { first } = fact.resolution;
      const use = firstUse(plan, analysis, fact.phase, first);
      addFinding({
        message: `Phase ${fact.phase}: ${fact.resolution.workload.name} is already ${use} in this phase; a workload can be removed or merged once.`,
        location: fact.ref.location,
        related: [{ location: first.location, message: `${use} here` }],
        // A list item (remove, from) can go; a scale or resize key has a value to decide about.
        data:
          fact.role === 'remove' || fact.role === 'merge'
            ? {
                fix: 'edits',
                actions: [{ title: 'Remove this reference', changes: [asChange(removeListItem(planText, fact.ref))] }],
              }
            : undefined,
      });
    }
  },
};

/** What the first reference did with the workload: `removed`, or `merged into checkout-stack`. */
function firstUse(plan: PlanModel, analysis: PlanAnalysis, phaseName: string, first: WorkloadRef): string {
  const at = first.location.range.start;
  const role = analysis.references.find((f) => f.phase === phaseName && f.ref.location.range.start === at)?.role;
  if (role === 'remove') return 'removed';
  const phase = plan.phases.find((p) => p.name === phaseName);
  const merge = phase?.merge.find((m) => m.from.some((r) => r.location.range.start === at));
  if (merge) return `merged into ${merge.name}`;
  return `used by "${first.text}"`;
}
