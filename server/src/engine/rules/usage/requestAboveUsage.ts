import { formatAlike } from '../../quantity';
import { formatResourceList } from '../../report/formatResources';
import { stateLabel } from '../budget/stateText';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { containerChecks, resizeFix } from './containerChecks';

/** "Far above": more than twice the recommendation, and freeing at least this much per pod. */
export const FAR_ABOVE_FACTOR = 2;
export const MIN_FREED = { cpu: 100, memory: 128 * 2 ** 20 };

export const requestAboveUsage: Rule<PlanContext> = {
  code: 'usage/request-above-usage',
  defaultSeverity: 'information',
  where: "plan: the reference, the merge's `name` or the phase's `name`",
  description:
    'A container requests more than twice the recommendation from its observed usage: what resizing would free.',
  check(context, addFinding) {
    for (const check of containerChecks(context)) {
      const { container } = check;
      const rec = check.recommendation;
      const pods = check.workload.entry.pods;
      const parts: string[] = [];
      const freed: string[] = [];
      for (const resource of ['cpu', 'memory'] as const) {
        const request = container.requests[resource];
        const recommended = rec[resource];
        if (request === undefined || recommended === undefined) continue;
        const free = request - recommended;
        if (request <= recommended * FAR_ABOVE_FACTOR || free < MIN_FREED[resource]) continue;
        const observedValue = resource === 'cpu' ? check.usage.cpu!.p95 : check.usage.memory!.max;
        // One unit for the figures compared in one sentence (`1,700m`, never `1700m` beside `2`).
        const [requestText, observedText, freeText, freeAllText] = formatAlike(resource, [
          request,
          observedValue,
          free,
          free * pods,
        ]);
        const observed = resource === 'cpu' ? `p95 ${observedText}` : `max ${observedText}`;
        parts.push(`${resource === 'cpu' ? 'CPU' : 'memory'} request ${requestText} against an observed ${observed}`);
        freed.push(`${freeText} ${resource} per pod${pods > 1 ? ` (${freeAllText} over ${pods} pods)` : ''}`);
      }
      if (parts.length === 0) continue;
      const recText = formatResourceList({
        ...(rec.cpu !== undefined && { cpu: rec.cpu }),
        ...(rec.memory !== undefined && { memory: rec.memory }),
      });
      addFinding({
        message: `${stateLabel(check.state)}: ${check.label}: ${parts.join('; ')}. Resizing to the recommendation (${recText}) frees ${freed.join(' and ')}.`,
        location: check.location,
        related: [
          {
            location: check.usage.location,
            message: `${check.label}: observed usage (${check.usage.samples} samples)`,
          },
        ],
        data: resizeFix(context, check, false),
      });
    }
  },
};
