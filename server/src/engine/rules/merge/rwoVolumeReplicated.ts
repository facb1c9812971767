import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { claimsNamed, isReadWriteOnce, mergeChecks, mountedClaimNames, refOf, addMergeFinding } from './helpers';

export const rwoVolumeReplicated: Rule<PlanContext> = {
  code: 'merge/rwo-volume-replicated',
  defaultSeverity: 'error',
  description: 'A ReadWriteOnce claim is mounted by a merged pod with more than one replica.',
  where: 'plan: the reference',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      if (check.replicas <= 1) continue;
      for (const source of check.sources) {
        for (const claimName of mountedClaimNames(source.object)) {
          const claim = claimsNamed(check, source, claimName)[0];
          if (!claim || !isReadWriteOnce(claim)) continue;
          addMergeFinding(
            addFinding,
            check,
            `${source.workload.name} mounts claim ${claimName} (${claim.accessModes.join(', ')}); ${check.replicas} replicas of the merged pod cannot all mount it.`,
            refOf(check, source),
            {
              related: [{ location: claim.location, message: `PersistentVolumeClaim ${claimName}` }],
            },
          );
        }
      }
    }
  },
};
