// What the merge rules share: each rendered merge with what the plan says around it, how a finding
// on a merge is worded and placed, and what a source mounts.
import type { ClaimModel } from '../../model/manifest';
import type { SourceLocation } from '../../model/location';
import { asChange, removeListItem } from '../../plan/planEdits';
import { namespaceOf } from '../../budget/resolve';
import { valueAt, isObject, podSpecOf, type KubeObject } from '../../render/kube';
import type { MergeFacts, MergeSourceFact } from '../../render/mergeFacts';
import type { PlanContext } from '../contexts';
import type { EditAction, FixData, AddFinding, RelatedLocation } from '../types';

/** One rendered merge, with the plan around it. */
export interface MergeCheck extends MergeFacts {
  defaultNamespace: string | undefined;
  planText: string;
  /** The PersistentVolumeClaims of the plan's sources. */
  claims: ClaimModel[];
}

/** Every merge the plan's render found, in plan order. */
export function mergeChecks(context: PlanContext): MergeCheck[] {
  const claims = context.claims ?? [];
  return context.merges.map((facts) => ({
    ...facts,
    defaultNamespace: context.plan.namespace,
    planText: context.planText,
    claims,
  }));
}

export interface MergeFinding {
  related?: RelatedLocation[];
  data?: FixData;
}

/** Reports a finding about a merge, its message led by the merge's name. */
export function addMergeFinding(
  addFinding: AddFinding,
  check: MergeCheck,
  message: string,
  location: SourceLocation,
  extra: MergeFinding = {},
): void {
  addFinding({ message: `Merge ${check.merge.name}: ${message}`, location, related: extra.related, data: extra.data });
}

/** Where a finding about one source goes: its reference in the merge's `from`, else the merge's name. */
export function refOf(check: MergeCheck, source: MergeSourceFact): SourceLocation {
  return source.ref?.location ?? check.merge.nameLocation;
}

/** The quick fix that takes a source out of the merge's `from` (none when the plan does not name it there). */
export function leaveOut(check: MergeCheck, source: MergeSourceFact): EditAction[] {
  return source.ref
    ? [
        {
          title: `Leave ${source.workload.name} out of the merge`,
          changes: [asChange(removeListItem(check.planText, source.ref))],
        },
      ]
    : [];
}

/** The claim names a source's pods mount. */
export function mountedClaimNames(object: KubeObject): string[] {
  const volumes = valueAt(podSpecOf(object), ['volumes']);
  return (Array.isArray(volumes) ? volumes.filter(isObject) : [])
    .map((v) => valueAt(v, ['persistentVolumeClaim', 'claimName']))
    .filter((c): c is string => typeof c === 'string');
}

/** The claims of a source's namespace named `name`. */
export function claimsNamed(check: MergeCheck, source: MergeSourceFact, name: string): ClaimModel[] {
  const namespace = namespaceOf(source.workload, check.defaultNamespace);
  return check.claims.filter((c) => c.name === name && namespaceOf(c, check.defaultNamespace) === namespace);
}

/** Only one node mounts it at a time. */
export function isReadWriteOnce(claim: ClaimModel): boolean {
  return claim.accessModes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
}

/** The PersistentVolumeClaims a workload's pods mount, and its StatefulSet claim templates, in words. */
export function claimsOf(object: KubeObject): string[] {
  const templates = valueAt(object, ['spec', 'volumeClaimTemplates']);
  return [
    ...mountedClaimNames(object).map((c) => `claim ${c}`),
    ...(Array.isArray(templates)
      ? templates.filter(isObject).map((t) => `claim template ${String(valueAt(t, ['metadata', 'name']))}`)
      : []),
  ];
}
