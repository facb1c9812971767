import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const composeVariable: Rule<ManifestContext> = {
  code: 'manifest/compose-variable',
  defaultSeverity: 'warning',
  where: 'compose file: the value',
  description:
    'A compose ${VARIABLE} that .env does not set (read as an empty string), or one compose refuses (${VAR:?message}, a malformed $).',
  check({ file }, addFinding) {
    for (const problem of file.composeProblems ?? []) {
      if (problem.code !== 'manifest/compose-variable') continue;
      // A refused variable stops compose itself: an error whatever the rule's default; one in `environment` is a note.
      addFinding({
        message: problem.message,
        severity: problem.severity === 'warning' ? undefined : problem.severity,
        location: problem.location,
      });
    }
  },
};
