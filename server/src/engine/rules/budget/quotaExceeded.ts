import { namespaceOf } from '../../budget/resolve';
import { namespaceUsage, quotaExcesses } from '../../budget/quotaUsage';
import { formatQuantityForResource } from '../../quantity';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { stateLabel, stateLocation } from './stateText';

export const quotaExceeded: Rule<PlanContext> = {
  code: 'budget/quota-exceeded',
  defaultSeverity: 'error',
  where: "plan: `budget` (or `spec`) or the phase's `name`",
  description:
    "A state's pods, requests or limits in a namespace go over a ResourceQuota of the sources: the API server would refuse pods.",
  check({ plan, analysis, quotas = [] }, addFinding) {
    const checked = quotas.filter((q) => !q.scoped);
    if (checked.length === 0) return;
    for (const state of analysis.states) {
      for (const quota of checked) {
        const namespace = namespaceOf(quota, plan.namespace);
        const usage = namespaceUsage(state, namespace, plan.namespace);
        const excesses = quotaExcesses(quota, usage);
        if (excesses.length === 0) continue;
        const parts = excesses.map((e) => `${e.key} ${amount(e.key, e.used)} > ${amount(e.key, e.hard)}`);
        const unlimited = excesses.flatMap((e) => {
          const resource = e.key === 'limits.cpu' ? 'cpu' : e.key === 'limits.memory' ? 'memory' : undefined;
          const count = resource ? usage.unlimited[resource] : 0;
          return count > 0
            ? [
                `${count} container${count === 1 ? ' has' : 's have'} no ${resource} limit (their pods are refused unless a LimitRange sets one)`,
              ]
            : [];
        });
        addFinding({
          message: `${stateLabel(state)}: namespace ${namespace} goes over ResourceQuota ${quota.name}: ${parts.join(', ')}${unlimited.length ? `; ${unlimited.join('; ')}` : ''}.`,
          location: stateLocation(plan, state),
          related: excesses.map((e) => ({
            location: quota.keyLocations[e.key],
            message: `${quota.name}: ${e.key} ${amount(e.key, e.hard)}`,
          })),
        });
      }
    }
  },
};

function amount(key: string, value: number): string {
  return key === 'pods' ? String(value) : formatQuantityForResource(key, value);
}
