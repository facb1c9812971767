import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { formatUsageDuration } from '../../quantity/duration';

export const DEFAULT_MAX_AGE_MS = 14 * 86_400_000;
/** Clocks differ a little; a snapshot from further in the future than this is wrong. */
export const FUTURE_SLACK_MS = 5 * 60_000;

export const snapshotStale: Rule<PlanContext> = {
  code: 'usage/snapshot-stale',
  defaultSeverity: 'warning',
  where: 'plan: `spec.usage`',
  description: 'The usage snapshot was taken longer ago than spec.usage.maxAge (default 14d), or in the future.',
  check({ plan, usage }, addFinding) {
    if (!plan.usage || !usage || usage.snapshot.takenAt === undefined) return;
    const maxAge = plan.usage.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    const age = usage.now - usage.snapshot.takenAt;
    const file = plan.usage.file;
    if (age > maxAge) {
      addFinding({
        message: `${file} was taken at ${usage.snapshot.takenAtText}, more than ${formatUsageDuration(maxAge)} ago: record it again (consolidate usage) before deciding on it.`,
        location: plan.usage.location,
      });
    } else if (age < -FUTURE_SLACK_MS) {
      addFinding({
        message: `${file} says it was taken at ${usage.snapshot.takenAtText}, in the future: check the clock of whatever wrote it.`,
        location: plan.usage.location,
      });
    }
  },
};
