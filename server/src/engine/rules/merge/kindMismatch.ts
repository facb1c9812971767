import { mergeRule } from './mergeRule';

export const kindMismatch = mergeRule(
  'merge/kind-mismatch',
  'error',
  'Workloads of different kinds (StatefulSet with Deployment, DaemonSet, Job) are merged.',
  'plan: the reference',
);
