import * as path from 'node:path';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const sourceOutsideWorkspace: Rule<PlanContext> = {
  code: 'plan/source-outside-workspace',
  defaultSeverity: 'error',
  where: 'plan: the glob',
  description: "A source glob reaches outside the plan's workspace; those files are not read.",
  check({ sourceProblems = [] }, addFinding) {
    for (const problem of sourceProblems) {
      if (problem.kind !== 'outside-workspace') continue;
      // Paths from the plan's folder (an absolute glob stays absolute): the message reads the same on every machine.
      const planDir = path.dirname(problem.source.location.file);
      const reached = path.isAbsolute(problem.source.pattern)
        ? problem.resolved
        : path.relative(planDir, problem.resolved) || '.';
      const root = path.relative(planDir, problem.root);
      addFinding({
        message:
          `"${problem.source.pattern}" reaches ${reached}, outside the plan's workspace (${root ? `${root}, from the plan's folder` : "the plan's folder"}): not read. ` +
          'Sources stay inside the workspace, as Kustomize keeps a kustomization inside its root; to read more, ' +
          'set consolidation.sources.allowOutsideWorkspace (trusted workspaces only) or give the command line --workspace DIR.',
        location: problem.source.location,
      });
    }
  },
};
