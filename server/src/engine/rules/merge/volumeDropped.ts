import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { claimsOf, leaveOut, mergeChecks, refOf, addMergeFinding } from './helpers';

/**
 * Storage a source mounts that the merged workload does not: a compose service's volumes (not
 * converted), or a claim a `replace` merge's new container leaves behind. Its data would live only
 * as long as the pod.
 */
export const volumeDropped: Rule<PlanContext> = {
  code: 'merge/volume-dropped',
  defaultSeverity: 'warning',
  description:
    'A merged workload does not mount storage or files one of its sources mounts (compose volumes, configs and secrets, or claims left behind by a replace merge).',
  where: 'plan: the reference',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      for (const source of check.sources) {
        const compose = source.composeVolumes ?? [];
        const hostPaths = compose.filter((v) => v.source !== undefined && /^[./~]/.test(v.source));
        const data = [
          ...compose
            .filter((v) => !hostPaths.includes(v))
            .map((v) => (v.source ? `volume ${v.source} at ${v.target}` : `an anonymous volume at ${v.target}`)),
          // A pod merge keeps every volume and claim template; a replace merge's new container has none.
          ...(check.merge.strategy === 'replace' ? claimsOf(source.object) : []),
        ];
        const host = hostPaths.map((v) => `host path ${v.source} at ${v.target}`);
        const files = (source.composeFiles ?? []).map((f) => `${f.kind} ${f.source} at ${f.target}`);
        if (data.length + host.length + files.length === 0) continue;
        const consequences = [
          data.length ? 'its data would last only as long as the pod' : '',
          host.length ? 'the files from the host would be missing' : '',
          files.length
            ? `the ${files.length === 1 ? 'file' : 'files'} compose mounts from its ${[...new Set(source.composeFiles!.map((f) => `${f.kind}s`))].join(' and ')} would be missing`
            : '',
        ].filter(Boolean);
        const remedy = files.length
          ? 'compose volumes, configs and secrets are not converted: add PersistentVolumeClaims, ConfigMaps, Secrets or hostPath volumes to the generated manifests before applying'
          : compose.length
            ? 'compose volumes are not converted: add PersistentVolumeClaims, ConfigMaps or hostPath volumes to the generated manifests before applying'
            : 'mount it in the new workload after generating, or keep that workload out of the merge';
        // Leaving the workload out keeps it, and its storage, as it is.
        const actions = leaveOut(check, source);
        addMergeFinding(
          addFinding,
          check,
          `${source.workload.name} mounts ${[...data, ...host, ...files].join(', ')}, which the merged workload does not: ${consequences.join(', and ')} (${remedy}).`,
          refOf(check, source),
          {
            related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }],
            ...(actions.length ? { data: { fix: 'edits' as const, actions } } : {}),
          },
        );
      }
    }
  },
};
