import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

const LISTED = 10;

export const noData: Rule<PlanContext> = {
  code: 'usage/no-data',
  defaultSeverity: 'warning',
  where: 'plan: `spec.usage`',
  description: 'Workloads the usage snapshot has no data for: their usage is unknown (never read as zero).',
  check({ plan, usage }, addFinding) {
    // A snapshot that could not be read at all is usage/snapshot-invalid, not a list of every workload.
    if (
      !plan.usage ||
      !usage ||
      (usage.snapshot.workloads.length === 0 && usage.snapshot.problems.some((p) => p.severity === 'error'))
    )
      return;
    const current = usage.states[0];
    if (!current) return;
    const missing = current.workloads.filter((w) => w.entry.workload.steady && w.missing.length > 0);
    if (missing.length === 0) return;
    const names = missing.map((w) =>
      w.missing.length === w.containers.length
        ? w.entry.workload.name
        : `${w.entry.workload.name} (container${w.missing.length === 1 ? '' : 's'} ${w.missing.join(', ')})`,
    );
    const shown =
      names.slice(0, LISTED).join(', ') + (names.length > LISTED ? ` and ${names.length - LISTED} more` : '');
    addFinding({
      message: `${plan.usage.file} has no usage for ${missing.length} workload${missing.length === 1 ? '' : 's'}: ${shown}. Their usage is unknown, not zero: usage totals and usage targets leave them out and say so.`,
      location: plan.usage.location,
      related: missing
        .slice(0, LISTED)
        .map((w) => ({ location: w.entry.workload.nameLocation, message: `${w.entry.workload.name}: no usage data` })),
    });
  },
};
