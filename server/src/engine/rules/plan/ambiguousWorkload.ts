import { namespaceOf } from '../../budget/resolve';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const ambiguousWorkload: Rule<PlanContext> = {
  code: 'plan/ambiguous-workload',
  defaultSeverity: 'error',
  where: 'plan: the reference',
  description: 'A workload reference matches more than one workload; qualify it as namespace/name.',
  check({ analysis, plan }, addFinding) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'ambiguous') continue;
      const candidates = fact.resolution.candidates.map((w) => `${namespaceOf(w, plan.namespace)}/${w.name}`);
      const unique = [...new Set(candidates)];
      addFinding({
        message: `Phase ${fact.phase}: "${fact.ref.text}" matches ${fact.resolution.candidates
          .map((w) => `${w.kind} ${namespaceOf(w, plan.namespace)}/${w.name}`)
          .join(', ')}; write namespace/name.`,
        location: fact.ref.location,
        related: fact.resolution.candidates.map((w) => ({ location: w.nameLocation, message: `${w.kind} ${w.name}` })),
        data:
          unique.length === candidates.length
            ? { fix: 'choose', replacements: unique, title: 'Qualify the reference' }
            : undefined,
      });
    }
  },
};
