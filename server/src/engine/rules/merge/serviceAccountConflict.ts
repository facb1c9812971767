import { asChange, setMergeKey } from '../../plan/planEdits';
import { valueAt, podSpecOf } from '../../render/kube';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, addMergeFinding } from './helpers';

export const serviceAccountConflict: Rule<PlanContext> = {
  code: 'merge/service-account-conflict',
  defaultSeverity: 'error',
  description: 'Merged workloads run as different service accounts; the merge must choose one.',
  where: "plan: the merge's `name`",
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      const { merge, sources } = check;
      const accounts = sources.map((s) => String(valueAt(podSpecOf(s.object), ['serviceAccountName']) ?? 'default'));
      const distinct = [...new Set(accounts)];
      if (distinct.length <= 1 || merge.serviceAccountName) continue;
      addMergeFinding(
        addFinding,
        check,
        `the workloads run as different service accounts (${distinct.join(', ')}); one pod has one. Choose which the merged pod uses.`,
        merge.nameLocation,
        {
          related: sources.map((s, i) => ({
            location: s.workload.nameLocation,
            message: `${s.workload.name}: serviceAccountName ${accounts[i]}`,
          })),
          data: {
            fix: 'edits',
            actions: distinct.map((account) => ({
              title: `Use service account ${account}`,
              changes: [asChange(setMergeKey(check.planText, merge, 'serviceAccountName', account))],
            })),
          },
        },
      );
    }
  },
};
