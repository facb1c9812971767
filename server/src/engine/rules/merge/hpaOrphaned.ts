import { mergeRule } from './mergeRule';

export const hpaOrphaned = mergeRule(
  'merge/hpa-orphaned',
  'warning',
  'A HorizontalPodAutoscaler or PodDisruptionBudget targets a workload the merge replaces.',
  'plan: the reference',
);
