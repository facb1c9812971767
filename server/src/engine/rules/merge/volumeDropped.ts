import { mergeRule } from './mergeRule';

export const volumeDropped = mergeRule(
  'merge/volume-dropped',
  'warning',
  'A merged workload does not mount storage one of its sources mounts (compose volumes, or claims left behind by a replace merge).',
  'plan: the reference',
);
