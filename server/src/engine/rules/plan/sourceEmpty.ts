import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const sourceEmpty: Rule<PlanContext> = {
  code: 'plan/source-empty',
  defaultSeverity: 'warning',
  description: 'A source glob matches no file.',
  check({ emptySources }, report) {
    for (const source of emptySources) {
      report({ message: `"${source.pattern}" matches no file (globs are relative to the plan file).`, location: source.location });
    }
  },
};
