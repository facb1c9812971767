import { mergeRule } from './mergeRule';

export const rwoVolumeReplicated = mergeRule(
  'merge/rwo-volume-replicated',
  'error',
  'A ReadWriteOnce claim is mounted by a merged pod with more than one replica.',
  'plan: the reference',
);
