import * as path from 'node:path';
import { NEVER_WALKED } from '../../files/neverWalked';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const sourceEmpty: Rule<PlanContext> = {
  code: 'plan/source-empty',
  defaultSeverity: 'warning',
  where: 'plan: the glob',
  description: 'A source glob reads no file: it matches none, only plan files, or only folders that are never read.',
  check({ emptySources, sourceProblems = [] }, addFinding) {
    for (const source of emptySources) {
      addFinding({
        message: `"${source.pattern}" matches no file (globs are relative to the plan file).`,
        location: source.location,
      });
    }
    for (const problem of sourceProblems) {
      if (problem.kind === 'plans-only') {
        const names = problem.plans.map((p) => path.basename(p));
        addFinding({
          message: `"${problem.source.pattern}" matches only plan files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}), which are never read as sources: a plan is not a manifest.`,
          location: problem.source.location,
        });
      } else if (problem.kind === 'never-walked') {
        addFinding({
          message: `"${problem.source.pattern}" is inside ${problem.folder}, which is never read: dependency, version-control and cache folders (${NEVER_WALKED.join(', ')}) hold no manifests of the project.`,
          location: problem.source.location,
        });
      }
    }
  },
};
