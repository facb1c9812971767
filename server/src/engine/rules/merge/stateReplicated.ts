import { mergeRule } from './mergeRule';

export const stateReplicated = mergeRule(
  'merge/state-replicated',
  'warning',
  'A merge raises the replicas of a source that keeps state (a StatefulSet, a claim or claim template, a compose named volume, a database or queue image).',
  'plan: the reference of the source that keeps state',
);
