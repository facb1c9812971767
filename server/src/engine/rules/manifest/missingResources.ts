import { effectiveContainerResources } from '../../budget/podResources';
import { namespaceOf } from '../../budget/resolve';
import { CPU, MEMORY } from '../../model/resources';
import { formatQuantityForResource } from '../../quantity';
import type { ManifestSetContext } from '../contexts';
import type { Rule } from '../types';

/**
 * A container that declares no resources. Checked with the manifests read with it: a LimitRange among
 * them fills in defaults the budgets count (docs: A container's requests and limits), so a container
 * it gives CPU and memory requests is not reported, and one it gives only some is told which.
 */
export const missingResources: Rule<ManifestSetContext> = {
  code: 'manifest/missing-resources',
  defaultSeverity: 'information',
  where: 'manifest: the container',
  description:
    'A container declares no resources, and no LimitRange read with it gives it CPU and memory requests: budgets count it as zero.',
  check({ files, workloads, defaultNamespace }, addFinding) {
    const limitRanges = files.flatMap((f) => f.limitRanges);
    for (const workload of workloads) {
      if (workload.origin !== 'kubernetes') continue;
      const namespace = namespaceOf(workload, defaultNamespace);
      const ranges = limitRanges.filter((r) => namespaceOf(r, defaultNamespace) === namespace);
      for (const container of workload.containers) {
        if (Object.keys(container.requestFields).length > 0 || Object.keys(container.limitFields).length > 0) continue;
        const prefix = `${workload.name}/${container.name} declares no resource requests or limits`;
        const given = ranges.filter(
          (r) => Object.keys(r.defaultRequests).length + Object.keys(r.defaultLimits).length > 0,
        );
        if (given.length === 0) {
          addFinding({
            message: `${prefix}: unless a LimitRange gives it defaults, budgets count it as zero and the scheduler can place it anywhere.`,
            location: container.resourcesLocation,
          });
          continue;
        }
        const { requests, limits } = effectiveContainerResources(container, given);
        const missing = [CPU, MEMORY].filter((r) => requests[r] === undefined);
        // What the report counts: with both requests defaulted there is nothing to say.
        if (missing.length === 0) continue;
        const list = (l: Record<string, number>) =>
          [CPU, MEMORY]
            .filter((r) => l[r] !== undefined)
            .map((r) => `${r === CPU ? 'cpu' : 'memory'} ${formatQuantityForResource(r, l[r])}`)
            .join(', ');
        const gives = [list(requests) && `requests ${list(requests)}`, list(limits) && `limits ${list(limits)}`]
          .filter(Boolean)
          .join(' and ');
        addFinding({
          message: `${prefix}; LimitRange ${given.map((r) => r.name).join(', ')} gives it ${gives}, and budgets count its ${missing.map((r) => (r === CPU ? 'CPU' : 'memory')).join(' and ')} request as zero.`,
          location: container.resourcesLocation,
          related: given.map((r) => ({ location: r.location, message: `LimitRange ${r.name}` })),
        });
      }
    }
  },
};
