import { stringify } from 'yaml';
import { clone, isObject, type JsonObject, type KubeObject } from '../engine/render/kube';
import type { RenderRole } from '../engine/render/renderPlan';
import { describeRef, type ClusterApi, type ObjectRef } from './clusterApi';
import { planSteps, type LoadedPhase } from './phasePlan';

export interface PreviewEntry {
  ref: ObjectRef;
  role: RenderRole;
  origin: string;
  summary: string;
  /** The live object (stripped), or undefined when the phase creates it. */
  live?: KubeObject;
  /** What the API server says the object would be after the phase (dryRun=All), stripped. */
  result: KubeObject;
  liveYaml: string;
  resultYaml: string;
  unchanged: boolean;
}

export interface PreviewResult {
  entries: PreviewEntry[];
  /** Why the phase could not be applied now (then there are no entries). */
  problems: string[];
  /** The budget before and after the phase (LoadedPhase.budget). */
  budget: string[];
}

const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'];

/** An object without what the server maintains (managedFields, status, resourceVersion, uid, ...), so a diff shows only what a change does. */
export function stripForDiff(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.status;
  for (const key of VOLATILE_METADATA) delete copy.metadata[key];
  return copy;
}

export function toYamlText(object: KubeObject | undefined): string {
  return object ? stringify(object, { indent: 2, lineWidth: 0 }) : '';
}

/**
 * What the phase would change, object by object: the same changes as apply, sent with dryRun=All
 * (the API server validates and defaults them, and persists nothing), next to the live objects.
 */
export async function previewPhase(api: ClusterApi, loaded: LoadedPhase, options: { signal?: AbortSignal } = {}): Promise<PreviewResult> {
  const { steps, problems } = await planSteps(api, loaded, options);
  if (problems.length) return { entries: [], problems, budget: loaded.budget };
  const entries: PreviewEntry[] = [];
  for (const step of steps) {
    let result: KubeObject;
    if (step.apply) result = await api.serverSideApply(step.apply, { dryRun: true, signal: options.signal });
    else if (step.unchanged || (!step.patch && step.replicas === undefined)) result = step.live!;
    else {
      const body: JsonObject = clone(step.patch?.body ?? {});
      if (step.replicas !== undefined) body.spec = { ...(isObject(body.spec) ? body.spec : {}), replicas: step.replicas };
      result = await api.patch(step.ref, body, { type: step.patch?.type ?? 'merge', dryRun: true, resourceVersion: step.live!.metadata.resourceVersion as string, signal: options.signal });
    }
    const live = step.live && stripForDiff(step.live);
    const stripped = stripForDiff(result);
    entries.push({
      ref: step.ref,
      role: step.role,
      origin: step.origin,
      summary: step.unchanged ? `${describeRef(step.ref)}: already as planned` : step.summary,
      live,
      result: stripped,
      liveYaml: toYamlText(live),
      resultYaml: toYamlText(stripped),
      unchanged: !!step.unchanged,
    });
  }
  return { entries, problems: [], budget: loaded.budget };
}

/** A unified diff of two texts (line-based, `context` lines around each change). Empty when equal. */
export function unifiedDiff(before: string, after: string, labels: { before: string; after: string }, context = 3): string {
  const a = before ? before.replace(/\n$/, '').split('\n') : [];
  const b = after ? after.replace(/\n$/, '').split('\n') : [];
  // Longest common subsequence, table from the end (objects are small: a few hundred lines).
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', text: a[i], ai: i++, bi: j++ });
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ kind: '+', text: b[j], ai: i, bi: j++ });
    else ops.push({ kind: '-', text: a[i], ai: i++, bi: j });
  }
  if (!ops.some((o) => o.kind !== ' ')) return '';
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (let x = k; x < ops.length; x++) {
      if (ops[x].kind !== ' ') end = x;
      else if (x - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aStart = hunk[0].ai + 1;
    const bStart = hunk[0].bi + 1;
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aCount ? aStart : aStart - 1},${aCount} +${bCount ? bStart : bStart - 1},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
    k = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}
