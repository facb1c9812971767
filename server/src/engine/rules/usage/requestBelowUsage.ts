import { formatQuantityForResource } from '../../quantity';
import { formatResourceList } from '../../report/formatResources';
import { stateLabel } from '../budget/stateText';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { containerChecks, resizeFix } from './containerChecks';

export const requestBelowUsage: Rule<PlanContext> = {
  code: 'usage/request-below-usage',
  defaultSeverity: 'warning',
  where: "plan: the reference, the merge's `name` or the phase's `name`",
  description:
    'A container requests less than it was observed to use: memory below its max (OOM kill and eviction risk), CPU below its p95 (starved under contention).',
  check(context, addFinding) {
    for (const check of containerChecks(context)) {
      const { container, usage } = check;
      const parts: string[] = [];
      const memory = container.requests.memory;
      if (usage.memory && (memory ?? 0) < usage.memory.max) {
        const limit = container.limits.memory;
        const oom =
          limit !== undefined && limit < usage.memory.max
            ? `; its limit ${formatQuantityForResource('memory', limit)} is below that too: OOM kills`
            : '';
        parts.push(
          `memory request ${memory === undefined ? 'none' : formatQuantityForResource('memory', memory)} is below its observed max ${formatQuantityForResource('memory', usage.memory.max)} (evicted first under node memory pressure${oom})`,
        );
      }
      const cpu = container.requests.cpu;
      if (usage.cpu && (cpu ?? 0) < usage.cpu.p95) {
        parts.push(
          `CPU request ${cpu === undefined ? 'none' : formatQuantityForResource('cpu', cpu)} is below its observed p95 ${formatQuantityForResource('cpu', usage.cpu.p95)} (throttled to its share when the node is busy)`,
        );
      }
      if (parts.length === 0) continue;
      const rec = check.recommendation;
      const recText = formatResourceList({
        ...(rec.cpu !== undefined && { cpu: rec.cpu }),
        ...(rec.memory !== undefined && { memory: rec.memory }),
      });
      addFinding({
        message: `${stateLabel(check.state)}: ${check.label}: ${parts.join('; ')}. Recommended (CPU p95, memory max + 15%): ${recText}.`,
        location: check.location,
        related: [{ location: usage.location, message: `${check.label}: observed usage (${usage.samples} samples)` }],
        data: resizeFix(context, check, true),
      });
    }
  },
};
