import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const invalidImage: Rule<ManifestContext> = {
  code: 'manifest/invalid-image',
  defaultSeverity: 'error',
  where: 'compose file: the `image` value',
  description:
    'A compose image that, once its variables are read, is not a reference a runtime can pull (`${REGISTRY}/web:${TAG}` unset is "/web:").',
  check({ file }, addFinding) {
    for (const problem of file.composeProblems ?? []) {
      if (problem.code === 'manifest/invalid-image')
        addFinding({ message: problem.message, location: problem.location });
    }
  },
};
