import type { PlanContext } from '../contexts';
import { changeTo, type Rule } from '../types';

export const unknownWorkload: Rule<PlanContext> = {
  code: 'plan/unknown-workload',
  defaultSeverity: 'error',
  where: 'plan: the reference',
  description: 'A workload reference matches no workload in the sources.',
  check({ analysis }, addFinding) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'unknown') continue;
      const suggestion = fact.resolution.suggestion;
      addFinding({
        message: `Phase ${fact.phase}: no workload "${fact.ref.text}" in the plan's sources${suggestion ? `. Did you mean "${suggestion}"?` : '.'}`,
        location: fact.ref.location,
        data: changeTo(suggestion),
      });
    }
  },
};
