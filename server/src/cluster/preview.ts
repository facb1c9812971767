import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
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
export async function previewPhase(
  api: ClusterApi,
  loaded: LoadedPhase,
  options: { signal?: AbortSignal } = {},
): Promise<PreviewResult> {
  const { steps, problems } = await planSteps(api, loaded, options);
  if (problems.length) return { entries: [], problems, budget: loaded.budget };
  const entries: PreviewEntry[] = [];
  for (const step of steps) {
    let result: KubeObject;
    if (step.apply) result = await api.serverSideApply(step.apply, { dryRun: true, signal: options.signal });
    else if (step.unchanged || (!step.patch && step.replicas === undefined)) result = step.live!;
    else {
      const body: JsonObject = clone(step.patch?.body ?? {});
      if (step.replicas !== undefined)
        body.spec = { ...(isObject(body.spec) ? body.spec : {}), replicas: step.replicas };
      result = await api.patch(step.ref, body, {
        type: step.patch?.type ?? 'merge',
        dryRun: true,
        resourceVersion: step.live!.metadata.resourceVersion as string,
        signal: options.signal,
      });
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

/** A unified diff of two texts (`context` lines around each change), from the `diff` package. Empty when equal. */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const patch = structuredPatch(labels.before, labels.after, before, after, undefined, undefined, { context });
  return patch.hunks.length ? formatPatch(patch, FILE_HEADERS_ONLY) + '\n' : '';
}
