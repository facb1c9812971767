import type { ManifestContext } from '../contexts';
import { changeTo, type Rule } from '../types';

export const invalidQuantity: Rule<ManifestContext> = {
  code: 'manifest/invalid-quantity',
  defaultSeverity: 'error',
  where: 'manifest: the value',
  description: 'A resource quantity is not valid for its grammar (Kubernetes or Docker) or is probably a wrong unit.',
  check({ file }, addFinding) {
    for (const problem of file.quantityProblems) {
      addFinding({
        message: problem.message,
        // Suspicious-but-valid quantities (memory 3500m) are warnings whatever the rule's severity.
        severity: problem.severity === 'warning' ? 'warning' : undefined,
        location: problem.location,
        data: changeTo(problem.replacement),
      });
    }
  },
};
