import { mergeRule } from './mergeRule';

export const portConflict = mergeRule(
  'merge/port-conflict',
  'error',
  'Two containers of one merged pod listen on the same port and protocol.',
  'plan: the reference of the second workload',
);
