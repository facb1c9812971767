import { mergeRule } from './mergeRule';

export const namespaceMismatch = mergeRule(
  'merge/namespace-mismatch',
  'error',
  'Workloads of different namespaces are merged into one pod.',
  'plan: the reference',
);
