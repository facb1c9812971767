import { mergeRule } from './mergeRule';

export const portUnmapped = mergeRule(
  'merge/port-unmapped',
  'error',
  'A replace merge gives no container port for a port of a Service that selected a merged workload.',
  'plan: the merge\'s `ports` (or `name`)',
);
