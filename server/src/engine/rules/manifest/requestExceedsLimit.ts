import { formatAlike } from '../../quantity';
import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const requestExceedsLimit: Rule<ManifestContext> = {
  code: 'manifest/request-exceeds-limit',
  defaultSeverity: 'error',
  where: 'manifest: the request',
  description: 'A container requests more than its limit; the API server rejects it.',
  check({ file }, addFinding) {
    for (const workload of file.workloads) {
      for (const container of [...workload.containers, ...workload.initContainers]) {
        for (const [resource, request] of Object.entries(container.requests)) {
          const limit = container.limits[resource];
          if (limit === undefined || request <= limit) continue;
          const limitField = container.limitFields[resource];
          addFinding({
            message: `${workload.name}/${container.name}: ${resource} request ${formatAlike(resource, [request, limit]).join(' is above its limit ')}; the API server rejects this pod.`,
            location: container.requestFields[resource]?.location ?? container.resourcesLocation,
            related: limitField ? [{ location: limitField.location, message: `${resource} limit` }] : undefined,
            data: limitField
              ? {
                  fix: 'replace',
                  replacement: String(limitField.raw),
                  title: `Set the request to the limit (${limitField.raw})`,
                }
              : undefined,
          });
        }
      }
    }
  },
};
