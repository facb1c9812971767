import { mergeRule } from './mergeRule';

export const serviceAccountConflict = mergeRule(
  'merge/service-account-conflict',
  'error',
  'Merged workloads run as different service accounts; the merge must choose one.',
  'plan: the merge\'s `name`',
);
