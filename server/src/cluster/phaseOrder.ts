// Phases apply in order: before a phase is applied, the cluster must be in the state the plan
// expects after the phases before it.
import { valueAt, MANAGED_BY, MANAGED_BY_LABEL, type JsonObject } from '../engine/render/kube';
import type { PhaseRender } from '../engine/render/renderPlan';
import { RecordStore } from './applyRecord';
import { describeRef, refKey, refOf, type ClusterApi, type ObjectRef } from './clusterApi';
import type { LoadedPhase } from './phasePlan';

/**
 * What is missing for `loaded`'s phase to come next, one line per earlier phase that is not applied
 * (empty: in order). Going back from the phase just before it: a record on this cluster with status
 * `applied` settles that phase and every one before it (they were checked when it was applied); any
 * other status is missing. Without a record, the live objects decide (the phase may have been
 * applied with `kubectl apply` of rendered output): the workloads it creates exist, the ones it
 * replaces are at 0 replicas, its Services select the merged pods. Objects a later phase (or this
 * one) touches again are not judged by the earlier one.
 */
export async function phaseOrderProblems(
  api: ClusterApi,
  loaded: LoadedPhase,
  namespace: string,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const problems: string[] = [];
  const defaultNamespace = loaded.namespace ?? api.target.namespace;
  // This phase may have been applied (in part) already: what it touches is not judged by earlier phases.
  const touchedLater = new Set<string>(loaded.render.objects.map((o) => refKey(refOf(o.object, defaultNamespace))));
  for (let index = loaded.earlierPhases.length - 1; index >= 0; index--) {
    const render = loaded.earlierPhases[index];
    const name = render.phase.name;
    const store = new RecordStore(api, loaded.planFile, loaded.planName, name, namespace);
    const found = await store.load(options);
    const record =
      found && (found.from === 'cluster' || found.record.server === api.target.server) ? found.record : undefined;
    if (record?.status === 'applied') break;
    if (record) {
      problems.push(
        `phase ${name} is not applied on this cluster: its record says ${record.status} (since ${record.updatedAt}).`,
      );
    } else {
      const missing = await missingOnCluster(api, render, defaultNamespace, touchedLater, options);
      if (missing.length)
        problems.push(
          `phase ${name} is not applied on this cluster: there is no record of it, and ${missing.join('; ')}.`,
        );
    }
    for (const object of render.objects) touchedLater.add(refKey(refOf(object.object, defaultNamespace)));
  }
  return problems.reverse();
}

async function missingOnCluster(
  api: ClusterApi,
  render: PhaseRender,
  defaultNamespace: string,
  skip: ReadonlySet<string>,
  options: { signal?: AbortSignal },
): Promise<string[]> {
  const missing: string[] = [];
  for (const rendered of render.objects) {
    const ref: ObjectRef = refOf(rendered.object, defaultNamespace);
    // What a phase creates exists ever after (later phases at most scale it to 0); the rest may have been changed again.
    if ((skip.has(refKey(ref)) && rendered.role !== 'created') || rendered.role === 'changed') continue;
    const live = await api.get(ref, options);
    if (rendered.role === 'created') {
      if (!live || valueAt(live, ['metadata', 'labels', MANAGED_BY_LABEL]) !== MANAGED_BY)
        missing.push(`${describeRef(ref)} does not exist (the phase creates it)`);
    } else if (rendered.role === 'scaled-down') {
      const replicas = valueAt(live, ['spec', 'replicas']);
      const count = typeof replicas === 'number' ? replicas : 1;
      if (live && count !== 0)
        missing.push(`${describeRef(ref)} has ${count} replica${count === 1 ? '' : 's'} (the phase scales it to 0)`);
    } else if (rendered.role === 'service' && live) {
      const wanted = (valueAt(rendered.object, ['spec', 'selector']) as JsonObject | undefined) ?? {};
      const selector = (valueAt(live, ['spec', 'selector']) as JsonObject | undefined) ?? {};
      if (Object.entries(wanted).some(([k, v]) => selector[k] !== v))
        missing.push(
          `${describeRef(ref)} does not select ${Object.entries(wanted)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')} yet (the phase re-points it)`,
        );
    }
  }
  return missing;
}
