import { namespaceOf } from '../../budget/resolve';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, refOf, addMergeFinding } from './helpers';

export const namespaceMismatch: Rule<PlanContext> = {
  code: 'merge/namespace-mismatch',
  defaultSeverity: 'error',
  description: 'Workloads of different namespaces are merged into one pod.',
  where: 'plan: the reference',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      const first = check.sources[0];
      const namespaces = check.sources.map((s) => namespaceOf(s.workload, check.defaultNamespace));
      check.sources.forEach((source, i) => {
        if (namespaces[i] === namespaces[0]) return;
        addMergeFinding(
          addFinding,
          check,
          `${source.workload.name} is in namespace ${namespaces[i]}, ${first.workload.name} in ${namespaces[0]}: one pod lives in one namespace.`,
          refOf(check, source),
          {
            related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }],
          },
        );
      });
    }
  },
};
