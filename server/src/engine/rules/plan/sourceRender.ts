import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const sourceRender: Rule<PlanContext> = {
  code: 'plan/source-render',
  defaultSeverity: 'error',
  where: 'plan: the source entry',
  description:
    'A Kustomize or Helm source could not be rendered (untrusted workspace, tool missing or failing), or is being rendered.',
  check({ renderProblems }, addFinding) {
    for (const problem of renderProblems ?? []) {
      // An untrusted workspace is a choice of the user, not a mistake in the plan; a render in progress is news.
      addFinding({
        message: problem.message,
        location: problem.location,
        severity: problem.reason === 'untrusted' ? 'warning' : problem.reason === 'pending' ? 'information' : undefined,
      });
    }
  },
};
