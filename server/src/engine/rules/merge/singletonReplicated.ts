import { mergeRule } from './mergeRule';

export const singletonReplicated = mergeRule(
  'merge/singleton-replicated',
  'warning',
  'A single-replica workload no Service selects (a worker, a reconciler) is merged into a pod with more replicas.',
  'plan: the reference of the singleton',
);
