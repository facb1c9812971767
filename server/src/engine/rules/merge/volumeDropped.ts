import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { claimsOf, leaveOut, mergeChecks, refOf, reportMerge } from './helpers';

/**
 * Storage a source mounts that the merged workload does not: a compose service's volumes (not
 * converted), or a claim a `replace` merge's new container leaves behind. Its data would live only
 * as long as the pod.
 */
export const volumeDropped: Rule<PlanContext> = {
  code: 'merge/volume-dropped',
  defaultSeverity: 'warning',
  description: 'A merged workload does not mount storage one of its sources mounts (compose volumes, or claims left behind by a replace merge).',
  where: 'plan: the reference',
  check(context, report) {
    for (const check of mergeChecks(context)) {
      for (const source of check.sources) {
        const compose = source.composeVolumes ?? [];
        const hostPaths = compose.filter((v) => v.source !== undefined && /^[./~]/.test(v.source));
        const data = [
          ...compose.filter((v) => !hostPaths.includes(v)).map((v) => (v.source ? `volume ${v.source} at ${v.target}` : `an anonymous volume at ${v.target}`)),
          // A pod merge keeps every volume and claim template; a replace merge's new container has none.
          ...(check.merge.strategy === 'replace' ? claimsOf(source.object) : []),
        ];
        const host = hostPaths.map((v) => `host path ${v.source} at ${v.target}`);
        if (data.length + host.length === 0) continue;
        const consequences = [data.length ? 'its data would last only as long as the pod' : '', host.length ? 'the files from the host would be missing' : ''].filter(Boolean);
        const remedy = compose.length
          ? 'compose volumes are not converted: add PersistentVolumeClaims, ConfigMaps or hostPath volumes to the generated manifests before applying'
          : 'mount it in the new workload after generating, or keep that workload out of the merge';
        // Leaving the workload out keeps it, and its storage, as it is.
        const actions = leaveOut(check, source);
        reportMerge(
          report,
          check,
          `${source.workload.name} mounts ${[...data, ...host].join(', ')}, which the merged workload does not: ${consequences.join(', and ')} (${remedy}).`,
          refOf(check, source),
          { related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }], ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}) },
        );
      }
    }
  },
};
