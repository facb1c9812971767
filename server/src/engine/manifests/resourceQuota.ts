import type { Document } from 'yaml';
import { checkResourceQuantity } from '../quantity';
import { isResourceName } from '../model/resources';
import type { ManifestFile, ResourceQuotaModel } from '../model/manifest';
import type { SourceLocation } from '../model/location';
import { asMap, getIn, keyText, pairsOf, rangeOf, scalarSource } from '../yaml/nodes';

/**
 * What a `spec.hard` key limits: `pods`; `requests.X` and the short forms `cpu` and `memory`
 * (requests); `limits.X`. Storage, object counts and the like are not about pods: undefined.
 */
export function quotaTarget(
  key: string,
): { kind: 'pods' } | { kind: 'requests' | 'limits'; resource: string } | undefined {
  if (key === 'pods') return { kind: 'pods' };
  if (key === 'cpu' || key === 'memory') return { kind: 'requests', resource: key };
  const match = /^(requests|limits)\.(.+)$/.exec(key);
  if (!match || match[2] === 'storage' || !isResourceName(match[2])) return undefined;
  return { kind: match[1] as 'requests' | 'limits', resource: match[2] };
}

/** Reads a ResourceQuota document into the file model; invalid quantities are manifest findings. */
export function readResourceQuota(
  doc: Document,
  root: NonNullable<ReturnType<typeof asMap>>,
  name: string,
  namespace: string | undefined,
  file: ManifestFile,
  location: SourceLocation,
): void {
  const quota: ResourceQuotaModel = {
    name,
    namespace,
    requests: {},
    limits: {},
    scoped:
      getIn(doc, root, ['spec', 'scopes']) !== undefined || getIn(doc, root, ['spec', 'scopeSelector']) !== undefined,
    location,
    keyLocations: {},
  };
  const hard = asMap(doc, getIn(doc, root, ['spec', 'hard']));
  for (const pair of hard ? pairsOf(doc, hard) : []) {
    const key = keyText(pair.key);
    const target = key === undefined ? undefined : quotaTarget(key);
    if (!key || !target) continue;
    const at: SourceLocation = {
      file: file.path,
      range: rangeOf(pair.value as never) ?? rangeOf(pair.key as never) ?? location.range,
    };
    const checked = checkResourceQuantity(
      target.kind === 'pods' ? 'pods' : target.resource,
      scalarSource(doc, pair.value) ?? null,
    );
    if (checked.problem)
      file.quantityProblems.push({ ...checked.problem, message: `${key}: ${checked.problem.message}`, location: at });
    if (checked.value === undefined) continue;
    quota.keyLocations[key] = { file: file.path, range: rangeOf(pair.key as never) ?? at.range };
    if (target.kind === 'pods') quota.pods = checked.value;
    else quota[target.kind][target.resource] = checked.value;
  }
  (file.quotas ??= []).push(quota);
}
