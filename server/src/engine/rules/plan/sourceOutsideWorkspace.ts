import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const sourceOutsideWorkspace: Rule<PlanContext> = {
  code: 'plan/source-outside-workspace',
  defaultSeverity: 'error',
  description: "A source glob reaches outside the plan's workspace; those files are not read.",
  check({ sourceProblems = [] }, report) {
    for (const problem of sourceProblems) {
      if (problem.kind !== 'outside-workspace') continue;
      report({
        message:
          `"${problem.source.pattern}" reaches ${problem.resolved}, outside the plan's workspace ${problem.root}: not read. ` +
          'Sources stay inside the workspace, as Kustomize keeps a kustomization inside its root; to read more, ' +
          'set consolidation.sources.allowOutsideWorkspace (trusted workspaces only) or give the command line --workspace DIR.',
        location: problem.source.location,
      });
    }
  },
};
