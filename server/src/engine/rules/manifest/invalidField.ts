import type { ManifestContext } from '../contexts';
import { problemFinding, type Rule } from '../types';

export const invalidField: Rule<ManifestContext> = {
  code: 'manifest/invalid-field',
  defaultSeverity: 'warning',
  where: 'manifest: the key or value',
  description:
    'A container, port or resources key Kubernetes does not know (a typo silently drops the setting), or a port that is not a number.',
  check({ file }, addFinding) {
    for (const problem of file.fieldProblems) addFinding(problemFinding(problem));
  },
};
