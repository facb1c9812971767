import { mergeRule } from './mergeRule';

export const noSavings = mergeRule(
  'merge/no-savings',
  'hint',
  'What a merge saves in pods, CPU and memory requests.',
  'plan: the merge\'s `name`',
);
