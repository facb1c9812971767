import { namespaceOf } from '../../budget/resolve';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, addMergeFinding } from './helpers';

export const nameConflict: Rule<PlanContext> = {
  code: 'merge/name-conflict',
  defaultSeverity: 'error',
  description:
    'A merge is named after a workload that still exists in its namespace (replaced workloads are scaled to 0, not deleted).',
  where: "plan: the merge's `name`",
  check(context, addFinding) {
    const checks = mergeChecks(context);
    for (const phase of context.plan.phases) {
      // Two merges of one phase with one name would be one object: the second would silently replace the first.
      phase.merge.forEach((merge, index) => {
        const first = phase.merge.slice(0, index).find((m) => m.name === merge.name);
        if (!first) return;
        addFinding({
          message: `Merge ${merge.name}: another merge of phase ${phase.name} already has this name; one namespace holds one workload of a name: give this merge a name of its own.`,
          location: merge.nameLocation,
          related: [{ location: first.nameLocation, message: `merge ${first.name}` }],
          data: undefined,
        });
      });
      for (const check of checks) {
        if (check.phase !== phase || !check.nameTakenBy) continue;
        const taken = check.nameTakenBy;
        const namespace = namespaceOf(check.sources[0].workload, check.defaultNamespace);
        addMergeFinding(
          addFinding,
          check,
          `a ${taken.kind} named ${check.merge.name} already exists in namespace ${namespace} (replaced workloads are scaled to 0, not deleted, and selectors cannot change): give the merged workload a new name.`,
          check.merge.nameLocation,
          {
            related: [{ location: taken.location, message: `${taken.kind} ${check.merge.name}` }],
          },
        );
      }
    }
  },
};
