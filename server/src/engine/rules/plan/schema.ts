import type { PlanContext } from '../contexts';
import { changeTo, type Rule } from '../types';

export const planSchema: Rule<PlanContext> = {
  code: 'plan/schema',
  defaultSeverity: 'error',
  where: 'plan',
  description: 'The plan does not follow the ConsolidationPlan v1alpha1 format (unknown key, wrong type, missing field).',
  check({ plan }, addFinding) {
    for (const problem of plan.problems) {
      addFinding({
        message: problem.message,
        severity: problem.severity === 'warning' ? 'warning' : undefined,
        location: problem.location,
        data: changeTo(problem.replacement),
      });
    }
  },
};
