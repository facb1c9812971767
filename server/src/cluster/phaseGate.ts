// What stops a phase from being applied, and the budget figures shown before it is.
//
// A budget finding is what a plan is there to fix: it never blocks a phase. What blocks is what
// makes the phase wrong: an error-severity finding in the plan's structure, references or merges of
// this phase or an earlier one (or outside every phase), or in the manifest of an object this phase
// or an earlier one touches. Errors of later phases and of untouched manifests are listed, not
// blocking.
import type { PlanState } from '../engine/budget/states';
import type { SourceLocation } from '../engine/model/location';
import { formatPercent, formatQuantityForResource } from '../engine/quantity';
import type { Finding } from '../engine/rules/types';
import type { PlanResult } from '../engine/analysis/planResult';
import { selectorMatches } from '../engine/model/selector';

export interface PhaseFindings {
  /** Errors that make this phase wrong: apply refuses while there is one. */
  blocking: Finding[];
  /** Errors that do not: budget findings, later phases, manifests of objects no phase up to this one touches. */
  other: Finding[];
}

const BUDGET_CODE = /^budget\//;

/** Splits a plan's error-severity findings into those that block phase `phaseIndex` and the rest. */
export function phaseFindings(result: PlanResult, findings: readonly Finding[], phaseIndex: number): PhaseFindings {
  const planFile = result.plan.path;
  const phases = result.plan.phases;
  const upTo = new Set(phases.slice(0, phaseIndex + 1).map((p) => p.name));
  const touched = touchedLocations(result, upTo);
  const touchedFiles = new Set(touched.map((l) => l.file));
  const objectsOf = (file: string) => result.manifests.find((m) => m.path === file);
  const blocks = (finding: Finding): boolean => {
    if (BUDGET_CODE.test(finding.code)) return false;
    const { file, range } = finding.location;
    if (file === planFile) {
      const phase = phases.findIndex(
        (p) => p.location.range.start <= range.start && range.start < p.location.range.end,
      );
      return phase === -1 || phase <= phaseIndex;
    }
    if (!touchedFiles.has(file)) return false;
    if (touched.some((l) => l.file === file && overlaps(l.range, range))) return true;
    // A finding in a touched file but in no object of it (a syntax error, a file too large): it may hide one.
    const manifest = objectsOf(file);
    const objects = manifest
      ? [...manifest.workloads, ...manifest.services, ...manifest.limitRanges, ...manifest.policies].map(
          (o) => o.location.range,
        )
      : [];
    return !objects.some((r) => overlaps(r, range));
  };
  const errors = findings.filter((f) => f.severity === 'error');
  return { blocking: errors.filter(blocks), other: errors.filter((f) => !blocks(f)) };
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.start ? b.start < Math.max(a.end, a.start + 1) : a.start < Math.max(b.end, b.start + 1);
}

/** Where the objects are written that the named phases touch: their workloads and the Services they re-point. */
function touchedLocations(result: PlanResult, phases: ReadonlySet<string>): SourceLocation[] {
  const locations: SourceLocation[] = [];
  const workloads = result.analysis.references
    .filter((f) => phases.has(f.phase) && 'workload' in f.resolution)
    .map(
      (f) =>
        (
          f.resolution as {
            workload: {
              location: SourceLocation;
              selector?: Record<string, string>;
              podLabels: Record<string, string>;
              namespace?: string;
            };
          }
        ).workload,
    );
  for (const workload of workloads) {
    locations.push(workload.location);
    // The Services that select its pods are re-pointed by a merge.
    for (const manifest of result.manifests) {
      for (const service of manifest.services) {
        if (selectorMatches(service.selector, workload.podLabels)) locations.push(service.location);
      }
    }
  }
  return locations;
}

/** `CPU requests 4200m = 105% → 4950m = 124% of budget 4 (worse)`: the state after the phase against the state before it. */
export function budgetFigures(result: PlanResult, phaseIndex: number): string[] {
  const states = result.analysis.states;
  const before = states[phaseIndex];
  const after = states[phaseIndex + 1];
  const budget = result.plan.budget;
  if (!before || !after) return [];
  const lines: string[] = [];
  const compare = (label: string, resource: string, from: number, to: number, of?: number) => {
    const show = (value: number) =>
      `${formatQuantityForResource(resource, value)}${of ? ` = ${formatPercent(value, of)}` : ''}`;
    const trend = to < from ? 'better' : to > from ? 'worse' : 'unchanged';
    lines.push(
      `${label} ${show(from)} → ${show(to)}${of ? ` of budget ${formatQuantityForResource(resource, of)}` : ''} (${trend})`,
    );
  };
  const allocatable = budget?.allocatable ?? {};
  const resources = ['cpu', 'memory', ...Object.keys(allocatable).filter((r) => r !== 'cpu' && r !== 'memory')];
  for (const resource of resources) {
    const name = resource === 'cpu' ? 'CPU' : resource;
    const from = total(before, 'requests', resource);
    const to = total(after, 'requests', resource);
    if (from === 0 && to === 0 && allocatable[resource] === undefined) continue;
    compare(`${name} requests`, resource, from, to, allocatable[resource]);
  }
  for (const resource of ['cpu', 'memory']) {
    compare(
      `${resource === 'cpu' ? 'CPU' : resource} limits`,
      resource,
      total(before, 'limits', resource),
      total(after, 'limits', resource),
      allocatable[resource],
    );
  }
  compare('pods', 'pods', before.totals.pods, after.totals.pods, budget?.pods);
  if (before.schedule && after.schedule)
    compare('unschedulable pods', 'count', before.schedule.unschedulableCount, after.schedule.unschedulableCount);
  return lines;
}

function total(state: PlanState, kind: 'requests' | 'limits', resource: string): number {
  return state.totals[kind][resource] ?? 0;
}
