import { mergeRule } from './mergeRule';

export const nameConflict = mergeRule(
  'merge/name-conflict',
  'error',
  'A merge is named after a workload that still exists in its namespace (replaced workloads are scaled to 0, not deleted).',
  'plan: the merge\'s `name`',
);
