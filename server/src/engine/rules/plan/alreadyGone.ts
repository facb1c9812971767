import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const alreadyGone: Rule<PlanContext> = {
  code: 'plan/already-gone',
  defaultSeverity: 'error',
  where: 'plan: the reference',
  description: 'A phase refers to a workload that an earlier phase removed or merged.',
  check({ analysis }, addFinding) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'gone') continue;
      const { gone } = fact.resolution;
      const what = gone.how === 'removed' ? 'removed' : `merged into ${gone.into}`;
      addFinding({
        message: `Phase ${fact.phase}: ${fact.resolution.workload.name} was already ${what} in phase ${gone.phase}.`,
        location: fact.ref.location,
        related: [{ location: gone.location, message: `${what} here` }],
      });
    }
  },
};
