import { toKubernetesCpu, toKubernetesMemory } from '../../quantity';
import type { SourceLocation } from '../../model/location';
import { namespaceOf, qualifiedName } from '../../budget/resolve';
import type { PlanState } from '../../budget/states';
import { asChange } from '../../plan/planEdits';
import { setInPhase, type KeyTree } from '../../plan/resizeEdits';
import type { PhaseSpec } from '../../plan/types';
import { recommend, type Recommendation } from '../../usage/recommend';
import type { ContainerUsage } from '../../usage/snapshot';
import type { ContainerInState, WorkloadUsageInState } from '../../usage/stateUsage';
import type { PlanContext } from '../contexts';
import type { FixData } from '../types';

/** One container with observed usage, in the first state where it runs with these requests. */
export interface ContainerCheck {
  state: PlanState;
  workload: WorkloadUsageInState;
  container: ContainerInState;
  usage: ContainerUsage;
  recommendation: Recommendation;
  /** `auth-service/app`, or `auth-service` for a one-container workload. */
  label: string;
  location: SourceLocation;
  /** The phase the fix resizes in, and how to write the resize. */
  resize?: { phase: PhaseSpec; ref: string; container?: string; onlyContainer: boolean };
}

/**
 * The containers to judge against their usage: on each state after a phase (the current state when
 * the plan has none), once per container and requests: a container that keeps its requests from
 * phase to phase is judged once, where the plan first lets it run so.
 */
export function containerChecks(context: PlanContext): ContainerCheck[] {
  const usage = context.usage;
  if (!usage) return [];
  // Both usage rules judge the same containers: computed once per analysis.
  const cached = checksCache.get(usage);
  if (cached && cached.planText === context.planText) return cached.checks;
  const checks = computeChecks(context);
  checksCache.set(usage, { planText: context.planText, checks });
  return checks;
}

const checksCache = new WeakMap<object, { planText: string; checks: ContainerCheck[] }>();
const referenceIndexes = new WeakMap<object, Map<string, PlanContext['analysis']['references']>>();

/** References that resolved to a workload, by workload id, in plan order. */
function referencesOf(context: PlanContext, id: string): PlanContext['analysis']['references'] {
  let index = referenceIndexes.get(context.analysis);
  if (!index) {
    index = new Map();
    for (const r of context.analysis.references) {
      if (r.resolution.status !== 'found') continue;
      const list = index.get(r.resolution.workload.id);
      if (list) list.push(r);
      else index.set(r.resolution.workload.id, [r]);
    }
    referenceIndexes.set(context.analysis, index);
  }
  return index.get(id) ?? [];
}

function computeChecks(context: PlanContext): ContainerCheck[] {
  const usage = context.usage!;
  const { plan } = context;
  const checks: ContainerCheck[] = [];
  const seen = new Set<string>();
  const states = usage.states.length > 1 ? usage.states.slice(1) : usage.states;
  for (const stateUsage of states) {
    const state = stateUsage.state;
    const phase = state.phase;
    for (const workload of stateUsage.workloads) {
      const w = workload.entry.workload;
      if (!w.steady) continue;
      for (const container of workload.containers) {
        const found = container.usage;
        if (!found) continue;
        const origin = container.origins.map((o) => `${o.workload.id}:${o.container}`).join('+');
        const key = `${origin}|${container.requests.cpu ?? '-'}|${container.requests.memory ?? '-'}|${container.limits.cpu ?? '-'}|${container.limits.memory ?? '-'}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const label = w.containers.length === 1 ? w.name : `${w.name}/${container.name}`;
        const check: ContainerCheck = {
          state,
          workload,
          container,
          usage: found,
          recommendation: recommend(found),
          label,
          location: phase?.nameLocation ?? plan.usage!.location,
        };
        if (phase) placeInPhase(context, check, phase);
        else check.location = firstReference(context, w.id) ?? plan.usage!.location;
        checks.push(check);
      }
    }
  }
  return checks;
}

function placeInPhase(context: PlanContext, check: ContainerCheck, phase: PhaseSpec): void {
  const { plan } = context;
  const w = check.workload.entry.workload;
  const merge = check.workload.entry.merge;
  const refText = (workload: { namespace?: string; name: string }) => qualifiedName(workload, plan.namespace);
  if (merge && phase.merge.includes(merge.spec)) {
    check.location = merge.spec.nameLocation;
    // A pod merge runs the source containers as they are: resize the source in this phase (resize comes before merge).
    const origin = check.container.origins.length === 1 ? check.container.origins[0] : undefined;
    const source = origin && merge.sources.find((s) => s.id === origin.workload.id);
    if (merge.spec.strategy === 'pod' && source && origin) {
      check.resize = {
        phase,
        ref: refText(source),
        container: origin.container,
        onlyContainer: source.containers.length === 1,
      };
    }
    return;
  }
  const ownResize = referencesOf(context, w.id).find((r) => r.phase === phase.name && r.role === 'resize');
  check.location =
    ownResize?.ref.location ??
    firstReference(context, w.id, phase.name) ??
    firstReference(context, w.id) ??
    phase.nameLocation;
  check.resize = { phase, ref: refText(w), container: check.container.name, onlyContainer: w.containers.length === 1 };
}

function firstReference(context: PlanContext, id: string, phase?: string): SourceLocation | undefined {
  return referencesOf(context, id).find((r) => phase === undefined || r.phase === phase)?.ref.location;
}

/** The quick fix *Resize to the recommendation*: a `resize` entry in the check's phase. */
export function resizeFix(context: PlanContext, check: ContainerCheck, raiseLimits: boolean): FixData | undefined {
  const target = check.resize;
  const rec = check.recommendation;
  if (!target || (rec.cpu === undefined && rec.memory === undefined)) return undefined;
  const requests: KeyTree = {};
  const limits: KeyTree = {};
  if (rec.cpu !== undefined) requests.cpu = toKubernetesCpu(rec.cpu);
  if (rec.memory !== undefined) requests.memory = toKubernetesMemory(rec.memory);
  // A limit below the new request would be refused by the API server: raise it to the request.
  if (
    raiseLimits &&
    rec.cpu !== undefined &&
    check.container.limits.cpu !== undefined &&
    check.container.limits.cpu < rec.cpu
  )
    limits.cpu = toKubernetesCpu(rec.cpu);
  if (
    raiseLimits &&
    rec.memory !== undefined &&
    check.container.limits.memory !== undefined &&
    check.container.limits.memory < rec.memory
  )
    limits.memory = toKubernetesMemory(rec.memory);
  const patch: KeyTree = Object.keys(limits).length ? { requests, limits } : { requests };
  const entry: KeyTree = target.onlyContainer ? patch : { containers: { [target.container!]: patch } };
  const changes = setInPhase(context.planText, target.phase, { resize: { [target.ref]: entry } });
  if (!changes) return undefined;
  // Amount first, as every sentence about resources reads (`250m cpu, 384Mi memory`).
  const shown = Object.entries(requests)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return {
    fix: 'edits',
    actions: [{ title: `Resize to the recommendation (${shown})`, changes: changes.map(asChange) }],
  };
}

/** The namespace-qualified name of a workload for messages. */
export function workloadName(
  context: PlanContext,
  workload: { namespace?: string; name: string; id: string } & Parameters<typeof namespaceOf>[0],
): string {
  return qualifiedName(workload, context.plan.namespace);
}
