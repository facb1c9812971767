import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const snapshotInvalid: Rule<PlanContext> = {
  code: 'usage/snapshot-invalid',
  defaultSeverity: 'error',
  where: 'the snapshot file, and plan: `spec.usage`',
  description: "The plan's usage snapshot (spec.usage) is missing or does not follow the UsageSnapshot format.",
  check({ plan, usage, usageError }, addFinding) {
    if (!plan.usage) return;
    if (usageError) {
      addFinding({ message: usageError, location: plan.usage.location });
      return;
    }
    if (!usage) return;
    const problems = usage.snapshot.problems;
    for (const problem of problems) {
      addFinding({
        message: problem.message,
        severity: problem.severity === 'warning' ? 'warning' : undefined,
        location: problem.location,
      });
    }
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      addFinding({
        message: `${plan.usage.file} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${errors[0].message}): what could not be read is left out, never read as zero.`,
        location: plan.usage.location,
        related: errors.slice(0, 5).map((p) => ({ location: p.location, message: p.message })),
      });
    }
  },
};
