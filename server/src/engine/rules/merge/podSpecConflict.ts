import { mergeRule } from './mergeRule';

export const podSpecConflict = mergeRule(
  'merge/pod-spec-conflict',
  'warning',
  'Merged workloads differ in nodeSelector, tolerations, affinity, hostNetwork, securityContext or restartPolicy.',
  'plan: the reference',
);
