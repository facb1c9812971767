import { isObject, podSpecOf } from '../../render/kube';
import { canonicalJson } from '../../yaml/canonical';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, refOf, addMergeFinding } from './helpers';

const POD_SPEC_FIELDS = [
  'nodeSelector',
  'tolerations',
  'affinity',
  'hostNetwork',
  'securityContext',
  'restartPolicy',
] as const;

export const podSpecConflict: Rule<PlanContext> = {
  code: 'merge/pod-spec-conflict',
  defaultSeverity: 'warning',
  description:
    'Merged workloads differ in nodeSelector, tolerations, affinity, hostNetwork, securityContext or restartPolicy.',
  where: 'plan: the reference',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      const first = check.sources[0];
      for (const field of POD_SPEC_FIELDS) {
        const values = check.sources.map((s) => canonicalJson(normalizePodField(field, podSpecOf(s.object)[field])));
        check.sources.forEach((source, i) => {
          if (values[i] === values[0]) return;
          addMergeFinding(
            addFinding,
            check,
            `${source.workload.name} and ${first.workload.name} set different ${field} (${short(values[i])} vs ${short(values[0])}); the merged pod takes ${first.workload.name}'s.`,
            refOf(check, source),
            {
              related: [{ location: source.workload.nameLocation, message: `${source.workload.name}` }],
            },
          );
        });
      }
    }
  },
};

/** What a pod-spec field means, so `{}`/`[]`/the default and an absent field compare equal. */
function normalizePodField(field: (typeof POD_SPEC_FIELDS)[number], value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field === 'restartPolicy' && value === 'Always') return null;
  if (field === 'hostNetwork' && value === false) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (isObject(value) && Object.keys(value).length === 0) return null;
  return value;
}

function short(json: string): string {
  if (json === 'null') return 'none';
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
