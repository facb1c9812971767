import type { PlanContext } from '../contexts';
import { problemFinding, type Rule } from '../types';

export const planSchema: Rule<PlanContext> = {
  code: 'plan/schema',
  defaultSeverity: 'error',
  where: 'plan',
  description:
    'The plan does not follow the ConsolidationPlan v1alpha1 format (unknown key, wrong type, missing field).',
  check({ plan }, addFinding) {
    for (const problem of plan.problems) addFinding(problemFinding(problem));
  },
};
