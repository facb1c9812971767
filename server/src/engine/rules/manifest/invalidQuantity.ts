import type { ManifestContext } from '../contexts';
import { problemFinding, type Rule } from '../types';

export const invalidQuantity: Rule<ManifestContext> = {
  code: 'manifest/invalid-quantity',
  defaultSeverity: 'error',
  where: 'manifest: the value',
  description: 'A resource quantity is not valid for its grammar (Kubernetes or Docker) or is probably a wrong unit.',
  check({ file }, addFinding) {
    for (const problem of file.quantityProblems) addFinding(problemFinding(problem));
  },
};
