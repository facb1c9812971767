import type { ManifestContext } from '../contexts';
import { changeTo, type Rule } from '../types';

export const invalidField: Rule<ManifestContext> = {
  code: 'manifest/invalid-field',
  defaultSeverity: 'warning',
  where: 'manifest: the key or value',
  description: 'A container, port or resources key Kubernetes does not know (a typo silently drops the setting), or a port that is not a number.',
  check({ file }, addFinding) {
    for (const problem of file.fieldProblems) {
      addFinding({
        message: problem.message,
        location: problem.location,
        data: changeTo(problem.replacement),
      });
    }
  },
};
