import type { WorkloadModel } from '../model/manifest';
import { noScheduling, type LabelSelector, type PodScheduling } from '../model/scheduling';
import { matchesSelector } from './nodeMatch';

/**
 * The placement rules of a merged pod: the union of its sources' rules, so the simulation never
 * places it where one of them could not go. Every source's nodeSelector and required node affinity
 * must hold; a taint is tolerated only when every source tolerates it; anti-affinity and spread
 * terms are kept, and a term that selected its own source's pods now selects the merged pods
 * (replicas kept apart stay apart). Nothing when no source has rules.
 */
export function mergeScheduling(
  sources: WorkloadModel[],
  mergedLabels: Record<string, string>,
): { scheduling?: PodScheduling } {
  if (!sources.some((s) => s.scheduling)) return {};
  const merged: PodScheduling = {
    nodeSelectors: [],
    nodeAffinities: [],
    tolerations: [],
    antiAffinity: [],
    spread: [],
  };
  const self: LabelSelector = { matchLabels: { ...mergedLabels }, matchExpressions: [] };
  const seen = new Set<string>();
  const once = (value: unknown) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const source of sources) {
    const rules = source.scheduling ?? noScheduling();
    merged.nodeSelectors.push(...rules.nodeSelectors);
    merged.nodeAffinities.push(...rules.nodeAffinities);
    merged.tolerations.push(...rules.tolerations);
    const retarget = (selector: LabelSelector) => (matchesSelector(selector, source.podLabels) ? self : selector);
    for (const term of rules.antiAffinity) {
      const next = { ...term, selector: retarget(term.selector) };
      if (once(['anti', next])) merged.antiAffinity.push(next);
    }
    for (const constraint of rules.spread) {
      const next = { ...constraint, selector: retarget(constraint.selector) };
      if (once(['spread', next])) merged.spread.push(next);
    }
  }
  return { scheduling: merged };
}
