import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const unknownContainer: Rule<PlanContext> = {
  code: 'plan/unknown-container',
  defaultSeverity: 'error',
  where: 'plan: the resize',
  description:
    'A resize names a container the workload does not have, or uses the single-container form on a multi-container pod.',
  check({ analysis }, addFinding) {
    for (const fact of analysis.containers) {
      const names = fact.workload.containers.map((c) => c.name);
      addFinding({
        message: `Phase ${fact.phase}: ${fact.message}`,
        location: fact.location,
        related: [{ location: fact.workload.nameLocation, message: `${fact.workload.kind} ${fact.workload.name}` }],
        data:
          fact.container && names.length > 0
            ? { fix: 'choose', replacements: names, title: 'Use container' }
            : undefined,
      });
    }
  },
};
