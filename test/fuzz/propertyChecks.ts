// The properties the fuzz harness checks on every case, through the engine in-process. Each check returns
// violations as sentences (empty: the property holds) so a failing case can be shrunk and printed whole.
//
//   no crash     every reader, diagnose(), the report and the editor features run without throwing, every
//                range lies within its text (engineWorker.runCase, shared with fuzz.test.ts);
//   exact        every number of `report` JSON is a finite integer (millicores, bytes, counts);
//   sum          each state's totals in `report` equal the sum over that state's workloads;
//   re-read      `render` output, applied phase by phase over the source objects and read back as
//                manifests under the same budget, gives the totals of the report's state after that phase.
import { NO_NODE_SELECTOR } from '../../server/src/engine/render/kube';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { workloadObject } from '../../server/src/engine/render/sourceObjects';
import { toYaml } from '../../server/src/engine/render/toYaml';
import type { KubeObject } from '../../server/src/engine/render/kube';
import { buildReport, type PlanReport, type StateReport } from '../../server/src/engine/report/report';
import {
  ConsolidationWorkspace,
  DEFAULT_OPTIONS,
  type PlanResult,
} from '../../server/src/engine/workspace/consolidationWorkspace';
import { diagnose } from '../../server/src/engine/workspace/diagnose';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { runCase } from './engineWorker';
import { DEFAULT_MAX_FILE_BYTES } from '../helpers/fuzzInputs';
import type { PropertyCase } from './propertyInputs';

export function writeCase(c: PropertyCase, dir: string): void {
  for (const [rel, text] of c.files) {
    const file = path.join(dir, ...rel.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Every property, in `dir` (an empty folder the caller owns). */
export function engineViolations(c: PropertyCase, dir: string, options: { arithmeticOnly?: boolean } = {}): string[] {
  const out = options.arithmeticOnly
    ? []
    : runCase(
        {
          id: 0,
          label: c.label,
          files: c.files,
          plan: c.plan,
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
          probes: [0.25, 0.75],
          finiteReport: true,
        },
        dir,
      );
  if (out.length > 0) return out;
  if (options.arithmeticOnly) writeCase(c, dir);
  try {
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const planFile = path.join(dir, ...c.plan.split('/'));
    const result = workspace.plan(planFile);
    if (!result) return ['workspace.plan returned nothing for a plan on disk'];
    if (options.arithmeticOnly) {
      // The lighter no-crash pass of `npm run fuzz` (without --full): what `check` runs on the plan and its sources.
      diagnose(workspace, { plans: [planFile], manifests: result.sourceFiles, orphanScope: 'together' });
      workspace.findings.plan(planFile);
    }
    const report = buildReport(result, dir);
    out.push(...sumOfParts(result, report));
    if (c.origin !== 'mutated') {
      // Mutations write 1e308 and 16Ei on purpose (for the no-crash property); the arithmetic needs real magnitudes.
      out.push(...inexactNumbers(report));
      const rendered = workspace.render(planFile);
      if (!rendered) return [...out, 'workspace.render returned nothing for a plan on disk'];
      const phases = rendered.phases.map((p) => ({ name: p.phase.name, yaml: toYaml(p.objects) }));
      out.push(...reReadViolations(workspace, result, report, phases, path.join(dir, '.reread')));
    }
  } catch (error) {
    out.push(`a property check threw: ${error instanceof Error ? error.stack : String(error)}`);
  }
  return out;
}

/** Every number in the report is an integer (JSON would print Infinity and NaN as null; fractions are not exact). */
export function inexactNumbers(report: PlanReport): string[] {
  const out: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      out.push(`exact: ${at} = ${value} is not an exact integer`);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
  };
  walk(report.states, 'states');
  walk(report.budget, 'budget');
  return out;
}

/** Each state's totals equal the sum over its workloads (pods × per-pod resources), and the report says the same. */
export function sumOfParts(result: PlanResult, report: PlanReport): string[] {
  const out: string[] = [];
  result.analysis.states.forEach((state, i) => {
    const expected = {
      workloads: 0,
      pods: 0,
      jobs: 0,
      requests: {} as Record<string, number>,
      limits: {} as Record<string, number>,
      unlimited: { cpu: 0, memory: 0 },
    };
    for (const w of state.workloads) {
      if (!w.workload.steady) {
        expected.jobs++;
        continue;
      }
      expected.workloads++;
      expected.pods += w.pods;
      for (const [k, v] of Object.entries(w.perPod.requests))
        expected.requests[k] = (expected.requests[k] ?? 0) + v * w.pods;
      for (const [k, v] of Object.entries(w.perPod.limits)) expected.limits[k] = (expected.limits[k] ?? 0) + v * w.pods;
      expected.unlimited.cpu += w.perPod.unlimited.cpu * w.pods;
      expected.unlimited.memory += w.perPod.unlimited.memory * w.pods;
    }
    const r = report.states[i];
    const where = `sum: state ${i} (${r?.phase ?? 'current'})`;
    if (!r) {
      out.push(`${where}: missing from the report`);
      return;
    }
    for (const key of ['workloads', 'pods', 'jobs'] as const)
      if (r[key] !== expected[key])
        out.push(`${where}: ${key} ${r[key]} in the report, ${expected[key]} summed over its workloads`);
    out.push(...listDifferences(`${where}: requests`, r.requests, expected.requests));
    out.push(...listDifferences(`${where}: limits`, r.limits, expected.limits));
    out.push(...listDifferences(`${where}: containers without limits`, r.unlimitedContainers, expected.unlimited));
  });
  if (report.states.length !== result.analysis.states.length)
    out.push(`sum: the report has ${report.states.length} states, the analysis ${result.analysis.states.length}`);
  return out;
}

function listDifferences(where: string, actual: Record<string, number>, expected: Record<string, number>): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const a = actual[key] ?? 0;
    const e = expected[key] ?? 0;
    if (a !== e) out.push(`${where} ${key}: ${a}, expected ${e}`);
  }
  return out;
}

/** Violations that are known product bugs start with this and the bug's name (see KNOWN_BUGS). */
export const KNOWN_BUG_PREFIX = 'known bug [';
/**
 * Product bugs found by these properties and routed to the area that owns them. The property keeps checking them;
 * the bounded unit test tolerates exactly these (and says how often it met them); `npm run fuzz -- --strict` does not.
 */
export const KNOWN_BUGS = {
  /**
   * render/ (render13): removing or merging a Pod, DaemonSet, Job or CronJob renders it with `spec.replicas: 0`, a
   * field these kinds do not have: applied, it is rejected or ignored and the workload keeps running, while the report
   * counts it gone.
   */
  noReplicasField: 'render: spec.replicas on a kind without replicas',
  /**
   * render/ + manifests/compose (render13, compose13): a one-shot compose service (`restart: "no"`), which the report
   * does not count as load, is rendered as a Deployment when a phase touches it (scale, resize, merge source): applied,
   * it runs and restarts for ever.
   */
  oneShotAsDeployment: 'render: one-shot compose service rendered as a Deployment',
} as const;

export function isKnownBug(violation: string): boolean {
  return violation.startsWith(KNOWN_BUG_PREFIX);
}

const WITHOUT_REPLICAS = new Set(['Pod', 'DaemonSet', 'Job', 'CronJob']);
const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'ReplicationController',
]);

function keyOf(
  object: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } },
  defaultNamespace: string | undefined,
): string {
  return `${String(object.kind)}/${String(object.metadata?.namespace ?? defaultNamespace ?? 'default')}/${String(object.metadata?.name)}`;
}

/**
 * Render re-read: the source objects, with each phase's rendered objects applied in turn (as `kubectl apply` of
 * `consolidate render` output would), read back as manifests under the plan's budget, give the report's totals
 * for the state after that phase. `phases` are the render output per phase, as text.
 */
export function reReadViolations(
  workspace: ConsolidationWorkspace,
  result: PlanResult,
  report: PlanReport,
  phases: { name: string; yaml: string }[],
  scratch: string,
): string[] {
  const out: string[] = [];
  const namespace = result.plan.namespace;
  const objects = new Map<string, unknown>();
  for (const w of result.workloads) {
    // Pod overhead comes from a RuntimeClass at admission, which this re-read does not model.
    if (Object.keys(w.podOverhead).length > 0) return [];
    // A one-shot compose service (restart: no) is not load; Kompose would make it a Deployment all the same.
    if (w.origin === 'compose' && !w.steady) continue;
    const object = workloadObject(workspace, w, namespace);
    if (!object) continue;
    // A workload inside a List (or otherwise not its own document) cannot be replaced by key: not re-readable.
    if (object.kind !== (w.origin === 'compose' ? 'Deployment' : w.kind)) return [];
    // Two sources that would be one object in a cluster (a compose service and a Deployment of the same name): the
    // plan's sources cannot all be applied, so there is nothing to re-read.
    if (objects.has(keyOf(object, namespace))) return [];
    objects.set(keyOf(object, namespace), object);
  }
  const oneShots = new Set(
    result.workloads
      .filter((w) => w.origin === 'compose' && !w.steady)
      .map((w) => workloadObject(workspace, w, namespace))
      .filter((o) => !!o)
      .map((o) => keyOf(o!, namespace)),
  );
  const limitRanges: unknown[] = [];
  for (const manifest of result.manifests) {
    if (manifest.limitRanges.length === 0) continue;
    for (const doc of parseAllDocuments(workspace.text(manifest.path) ?? '')) {
      const value = doc.toJS({ maxAliasCount: 100 }) as KubeObject | null;
      if (value?.kind === 'LimitRange') limitRanges.push(value);
    }
  }
  const planText = workspace.text(result.plan.path) ?? '';
  let planValue: { spec?: Record<string, unknown> };
  try {
    planValue = parseAllDocuments(planText)[0]?.toJS({ maxAliasCount: 100 }) as typeof planValue;
  } catch {
    return [];
  }
  if (!planValue || typeof planValue !== 'object' || !planValue.spec || typeof planValue.spec !== 'object') return [];
  for (const [i, phase] of phases.entries()) {
    const where = `re-read: after phase ${i + 1} (${phase.name})`;
    for (const doc of parseAllDocuments(phase.yaml)) {
      if (doc.errors.length > 0) {
        out.push(`${where}: render output does not parse: ${doc.errors[0].message}`);
        continue;
      }
      const value = doc.toJS() as KubeObject | null;
      if (!value || !WORKLOAD_KINDS.has(String(value.kind))) continue;
      // What render leaves a removed workload without replicas as: a bare Pod for the user to delete (said in
      // its comment), a DaemonSet whose node selector no node matches. Neither runs a pod from here on.
      const comments = `${doc.commentBefore ?? ''}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ''}`;
      const removedPod = value.kind === 'Pod' && comments.includes('delete it by hand');
      const parkedDaemonSet =
        value.kind === 'DaemonSet' &&
        JSON.stringify(
          (value.spec as { template?: { spec?: { nodeSelector?: unknown } } } | undefined)?.template?.spec
            ?.nodeSelector ?? {},
        ).includes(NO_NODE_SELECTOR);
      if (removedPod || parkedDaemonSet) {
        objects.delete(keyOf(value, namespace));
        continue;
      }
      if (
        WITHOUT_REPLICAS.has(String(value.kind)) &&
        (value.spec as { replicas?: unknown } | undefined)?.replicas !== undefined
      ) {
        // Pods, DaemonSets, Jobs and CronJobs have no spec.replicas: the object keeps running (the API server rejects the field).
        // What a cluster would run from here on is not what the report counts: stop comparing.
        out.push(
          `${where}: render writes spec.replicas: ${String((value.spec as { replicas?: unknown }).replicas)} on the ${value.kind} ${value.metadata.name}`,
        );
        return out;
      }
      if (
        oneShots.has(keyOf(value, namespace)) &&
        Number((value.spec as { replicas?: unknown } | undefined)?.replicas ?? 1) > 0
      ) {
        out.push(
          `${where}: the one-shot compose service ${value.metadata.name} is rendered as a ${value.kind} with replicas`,
        );
        return out;
      }
      objects.set(keyOf(value, namespace), value);
    }
    const expected = report.states[i + 1];
    if (!expected) {
      out.push(`${where}: no such state in the report`);
      return out;
    }
    const folder = path.join(scratch, `phase-${i + 1}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'state.yaml'),
      [...objects.values(), ...limitRanges]
        .map((o) => stringify(o, { version: '1.1', aliasDuplicateObjects: false }))
        .join('---\n'),
    );
    const spec: Record<string, unknown> = { ...planValue.spec, sources: ['state.yaml'] };
    delete spec.phases;
    writeFileSync(path.join(folder, 'reread.plan.yaml'), stringify({ ...planValue, spec }));
    const again = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS).plan(path.join(folder, 'reread.plan.yaml'));
    const actual = again && buildReport(again, folder).states[0];
    if (!actual) {
      out.push(`${where}: the re-read plan has no state`);
      return out;
    }
    out.push(...totalsDifferences(where, actual, expected));
  }
  return out;
}

/** Pods, requests, limits and containers without limits (workloads scaled to 0 stay as objects: not counted apart). */
export function totalsDifferences(where: string, actual: StateReport, expected: StateReport): string[] {
  return [
    ...(actual.pods !== expected.pods ? [`${where}: pods ${actual.pods} re-read, ${expected.pods} in the report`] : []),
    ...listDifferences(`${where}: requests (re-read vs report)`, actual.requests, expected.requests),
    ...listDifferences(`${where}: limits (re-read vs report)`, actual.limits, expected.limits),
    ...listDifferences(
      `${where}: containers without limits (re-read vs report)`,
      actual.unlimitedContainers,
      expected.unlimitedContainers,
    ),
  ];
}
