import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const missingResources: Rule<ManifestContext> = {
  code: 'manifest/missing-resources',
  defaultSeverity: 'information',
  description: 'A container declares no resources: budgets count it as zero.',
  check({ file }, report) {
    for (const workload of file.workloads) {
      if (workload.origin !== 'kubernetes') continue;
      for (const container of workload.containers) {
        if (Object.keys(container.requestFields).length > 0 || Object.keys(container.limitFields).length > 0) continue;
        report({
          message: `${workload.name}/${container.name} declares no resource requests or limits: unless a LimitRange gives it defaults, budgets count it as zero and the scheduler can place it anywhere.`,
          location: container.resourcesLocation,
        });
      }
    }
  },
};
