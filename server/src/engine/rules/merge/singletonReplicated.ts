import { asChange, setMergeKey } from '../../plan/planEdits';
import type { PlanContext } from '../contexts';
import type { EditAction, Rule } from '../types';
import { leaveOut, mergeChecks, refOf, addMergeFinding } from './helpers';

export const singletonReplicated: Rule<PlanContext> = {
  code: 'merge/singleton-replicated',
  defaultSeverity: 'warning',
  description:
    'A single-replica workload no Service selects (a worker, a reconciler) is merged into a pod with more replicas.',
  where: 'plan: the reference of the singleton',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      if (check.replicas <= 1) continue;
      for (const source of check.sources) {
        if (source.workload.replicas !== 1 || check.selecting.some((s) => s.selects.has(source.workload.id))) continue;
        const actions: EditAction[] = [];
        if (check.merge.replicasLocation) {
          actions.push({
            title: 'Set replicas: 1',
            changes: [{ ...check.merge.replicasLocation.range, newText: '1' }],
          });
        } else {
          actions.push({
            title: 'Set replicas: 1',
            changes: [asChange(setMergeKey(check.planText, check.merge, 'replicas', '1'))],
          });
        }
        actions.push(...leaveOut(check, source));
        addMergeFinding(
          addFinding,
          check,
          `${source.workload.name} ran 1 replica and no Service selects it (a worker, a reconciler): in a pod with ${check.replicas} replicas its work would run ${check.replicas} times.`,
          refOf(check, source),
          {
            related: [
              {
                location: source.workload.replicasLocation ?? source.workload.nameLocation,
                message: `${source.workload.name}: 1 replica`,
              },
            ],
            data: { fix: 'edits', actions },
          },
        );
      }
    }
  },
};
