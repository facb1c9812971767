import { asChange, removeListItem } from '../../plan/planEdits';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const duplicateReference: Rule<PlanContext> = {
  code: 'plan/duplicate-reference',
  defaultSeverity: 'error',
  description: 'One workload is merged twice, or merged and removed, in one phase.',
  check({ analysis, planText }, report) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'duplicate') continue;
      report({
        message: `Phase ${fact.phase}: ${fact.resolution.workload.name} is already used by "${fact.resolution.first.text}" in this phase; a workload can be removed or merged once.`,
        location: fact.ref.location,
        related: [{ location: fact.resolution.first.location, message: 'first reference' }],
        // A list item (remove, from) can go; a scale or resize key has a value to decide about.
        data: fact.role === 'remove' || fact.role === 'merge' ? { fix: 'edits', actions: [{ title: 'Remove this reference', changes: [asChange(removeListItem(planText, fact.ref))] }] } : undefined,
      });
    }
  },
};
