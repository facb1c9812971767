// Golden render tests, discovered automatically: every folder under test/fixtures/render holding `plan.plan.yaml`
// (or `plan.ref`, one line: the path of a plan elsewhere in the repository, relative to the folder) is a case, and its
// `expected.yaml` is what `consolidate render PLAN` prints for the whole plan. `UPDATE_GOLDEN=1` rewrites the
// expected files.
//
// A golden only says the output did not change. So every case is also checked on its own, every time (also when
// updating), from the rendered YAML and an independent reading of the plan's sources (./independentModel.ts):
//   1. every rendered Deployment and Service validates against the Kubernetes v1.14 strict schema
//      (../shared/tools/lspbench/schemas); a StatefulSet's pod template and metadata against the same definitions,
//      the rest of its shape by hand. Errors the source manifests already have (fields newer than v1.14, such as
//      grpc probes) are not the renderer's and are excused: only errors the sources do not have fail;
//   2. every Service that selected a merged workload is re-emitted, and selects exactly the merged pod: its selector
//      is a subset of the merged pod's labels and of no other workload's, rendered or remaining;
//   3. every targetPort of a re-emitted Service (number or name) reaches a containerPort of the merged pod (a numeric
//      targetPort that reached no declared port in the source manifests either is excused: Kubernetes does not need
//      the port declared);
//   4. no two containers of a merged pod share a port (number and protocol), a port name or a container name;
//   5. after each phase, the pods and the CPU and memory requests of the rendered objects plus the untouched sources
//      equal what `consolidate report --format json` prints for that phase.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import {
  readPlanFile,
  readSources,
  selects,
  serviceOf,
  totals,
  workloadOf,
  type IndependentPlan,
  type Obj,
  type Service,
  type SourceSet,
  type Workload,
} from './independentModel';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CASES = path.join(REPO_ROOT, 'test', 'fixtures', 'render');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const SCHEMA_FILE = path.resolve(
  REPO_ROOT,
  '..',
  'shared',
  'tools',
  'lspbench',
  'schemas',
  'k8s-v1.14.0-deployment-service.strict.json',
);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const PLAN_ANNOTATION = 'consolidation.dev/plan';
const PHASE_ANNOTATION = 'consolidation.dev/phase';
const PREVIOUS = 'consolidation.dev/previous-replicas';

// ---- the cases ------------------------------------------------------------------------------------------------------

interface Case {
  name: string;
  dir: string;
  plan: string;
  expected: string;
  /** Why the case cannot run here (its sources are missing), or false. */
  skip: string | false;
}

function discover(): Case[] {
  return readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(CASES, d.name))
    .flatMap((dir): Case[] => {
      const own = path.join(dir, 'plan.plan.yaml');
      const ref = path.join(dir, 'plan.ref');
      const plan = existsSync(own)
        ? own
        : existsSync(ref)
          ? path.resolve(dir, readFileSync(ref, 'utf8').trim())
          : undefined;
      if (!plan) return [];
      // A source is there when its path up to the first glob character is (the corpus lives beside the repository).
      const fixedPart = (glob: string) =>
        glob
          .split('/')
          .filter((_, i, all) => !all.slice(0, i + 1).some((seg) => /[*?[{]/.test(seg)))
          .join('/');
      const missing = existsSync(plan)
        ? readPlanFile(plan).sources.filter((s) => !existsSync(path.resolve(path.dirname(plan), fixedPart(s))))
        : [plan];
      return [
        {
          name: path.basename(dir),
          dir,
          plan,
          expected: path.join(dir, 'expected.yaml'),
          skip: missing.length ? `sources not found (${missing.join(', ')}): skipped` : false,
        },
      ];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), `${CLI} exists (run \`npm run build\` first)`);
  // The corpus lives beside the repository: the workspace is the folder holding both.
  const run = spawnSync(process.execPath, [CLI, ...args, '--workspace', path.dirname(REPO_ROOT)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface RenderedPhase {
  name: string;
  /** Each document of the phase, parsed, with the comment above it. */
  objects: { object: Obj; origin: string }[];
}

/** Splits `consolidate render` output into phases (`# Phase NAME` lines) and parses each document with `yaml`. */
function parseRender(text: string): RenderedPhase[] {
  const phases: RenderedPhase[] = [];
  const chunks = text.split(/^# Phase (.+)\n/m);
  assert.equal(chunks[0], '', 'the output starts with a "# Phase" line');
  for (let i = 1; i < chunks.length; i += 2) {
    const docs = parseAllDocuments(chunks[i + 1]);
    assert.ok(Array.isArray(docs));
    const objects = docs
      .filter((d) => d.contents !== null)
      .map((d) => {
        assert.deepEqual(
          d.errors.map((e) => e.message),
          [],
          `phase ${chunks[i]} parses`,
        );
        return {
          object: d.toJS() as Obj,
          origin: (d.contents as { commentBefore?: string }).commentBefore?.trim() ?? '',
        };
      });
    phases.push({ name: chunks[i], objects });
  }
  return phases;
}

// ---- the schema -----------------------------------------------------------------------------------------------------

interface Validators {
  Deployment: ValidateFunction;
  Service: ValidateFunction;
  PodTemplateSpec: ValidateFunction;
  ObjectMeta: ValidateFunction;
  LabelSelector: ValidateFunction;
}

function validators(): Validators | undefined {
  if (!existsSync(SCHEMA_FILE)) return undefined;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  // Strict compilation; strictTypes off only because the generated schema puts additionalProperties beside $ref-typed objects.
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addSchema(schema);
  const get = (def: string) => {
    const v = ajv.getSchema(`${schema.$id}#/definitions/${def}`);
    assert.ok(v, `the schema defines ${def}`);
    return v;
  };
  return {
    Deployment: get('io.k8s.api.apps.v1.Deployment'),
    Service: get('io.k8s.api.core.v1.Service'),
    PodTemplateSpec: get('io.k8s.api.core.v1.PodTemplateSpec'),
    ObjectMeta: get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    LabelSelector: get('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  };
}

/** An error without the list indexes of its path, so an error of a source container matches the same error once merged. */
const signature = (e: ErrorObject, prefix = '') =>
  `${e.keyword} ${(prefix + e.instancePath).replace(/\/\d+(?=\/|$)/g, '/*')} ${JSON.stringify(e.params)}`;

function schemaErrors(v: Validators, object: Obj): { signature: string; text: string }[] {
  const run = (validate: ValidateFunction, value: unknown, prefix = '') =>
    validate(value)
      ? []
      : (validate.errors ?? []).map((e) => ({
          signature: signature(e, prefix),
          text: `${prefix}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        }));
  if (object.kind === 'Deployment') return run(v.Deployment, object);
  if (object.kind === 'Service') return run(v.Service, object);
  if (object.kind === 'StatefulSet') {
    const errors = [
      ...run(v.ObjectMeta, object.metadata, '/metadata'),
      ...run(v.PodTemplateSpec, object.spec?.template, '/spec/template'),
      ...run(v.LabelSelector, object.spec?.selector, '/spec/selector'),
    ];
    const shape = (ok: boolean, what: string) => (ok ? [] : [{ signature: `shape ${what}`, text: what }]);
    const claims: Obj[] = object.spec?.volumeClaimTemplates ?? [];
    const claimNames = claims.map((c) => c.metadata?.name);
    const allowed = new Set([
      'replicas',
      'selector',
      'template',
      'serviceName',
      'volumeClaimTemplates',
      'podManagementPolicy',
      'updateStrategy',
      'revisionHistoryLimit',
      'minReadySeconds',
      'persistentVolumeClaimRetentionPolicy',
      'ordinals',
    ]);
    return [
      ...errors,
      ...shape(object.apiVersion === 'apps/v1', 'apiVersion apps/v1'),
      ...shape(typeof object.spec?.serviceName === 'string', 'spec.serviceName is a string'),
      ...shape(
        Number.isInteger(object.spec?.replicas ?? 1) && (object.spec?.replicas ?? 1) >= 0,
        'spec.replicas is a whole number',
      ),
      ...shape(
        Object.keys(object.spec ?? {}).every((k) => allowed.has(k)),
        `spec has only StatefulSet fields (${Object.keys(object.spec ?? {}).join(', ')})`,
      ),
      ...shape(
        claimNames.every((n) => typeof n === 'string') && new Set(claimNames).size === claimNames.length,
        `volumeClaimTemplates have unique names (${claimNames.join(', ')})`,
      ),
    ];
  }
  if (object.kind === 'Job') {
    // A merge of one-shot work renders as a Job: its pod template against the schema, the rest by hand.
    const shape = (ok: boolean, what: string) => (ok ? [] : [{ signature: `shape ${what}`, text: what }]);
    const allowed = new Set([
      'template',
      'backoffLimit',
      'completions',
      'parallelism',
      'activeDeadlineSeconds',
      'ttlSecondsAfterFinished',
      'suspend',
    ]);
    return [
      ...run(v.ObjectMeta, object.metadata, '/metadata'),
      ...run(v.PodTemplateSpec, object.spec?.template, '/spec/template'),
      ...shape(object.apiVersion === 'batch/v1', 'apiVersion batch/v1'),
      ...shape(
        ['OnFailure', 'Never'].includes(object.spec?.template?.spec?.restartPolicy),
        'a Job pod restarts OnFailure or Never',
      ),
      ...shape(
        Object.keys(object.spec ?? {}).every((k) => allowed.has(k)),
        `spec has only Job fields (${Object.keys(object.spec ?? {}).join(', ')})`,
      ),
    ];
  }
  return [{ signature: `kind ${object.kind}`, text: `unexpected kind ${object.kind}` }];
}

// ---- the checks ------------------------------------------------------------------------------------------------------

interface Context {
  plan: IndependentPlan;
  sources: SourceSet;
  phases: RenderedPhase[];
  report: { states: { phase: string | null; pods: number; requests: Record<string, number> }[] };
}

const nsOf = (o: Obj, plan: IndependentPlan) => o.metadata?.namespace ?? plan.namespace ?? 'default';
const isWorkload = (o: Obj) =>
  ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'].includes(o.kind);

/** The live state after each phase: the sources, each rendered object replacing the one of its kind, namespace and name. */
function states(ctx: Context): { workloads: Map<string, Workload>; services: Map<string, Service> }[] {
  let workloads = new Map(ctx.sources.workloads);
  let services = new Map(ctx.sources.services);
  const out = [{ workloads, services }];
  for (const phase of ctx.phases) {
    workloads = new Map(workloads);
    services = new Map(services);
    for (const { object } of phase.objects) {
      const w = workloadOf(object, ctx.plan.namespace);
      if (w) workloads.set(w.key, w);
      const s = serviceOf(object, ctx.plan.namespace);
      if (s) services.set(s.key, s);
    }
    out.push({ workloads, services });
  }
  return out;
}

interface MergeGroup {
  created: Workload;
  createdObject: Obj;
  sources: Workload[];
  services: Service[];
}

/**
 * The merges of a phase, read from the output alone: each workload the phase creates (the comment above it says
 * `pod merge of ...` or `replace merge of ...`) with the workloads it scales down (`..., replaced by NAME`) and the
 * Services it re-points at it (`Service X re-pointed at NAME, ...`).
 */
function mergesOf(ctx: Context, phase: RenderedPhase): MergeGroup[] {
  const groups: MergeGroup[] = [];
  for (const { object } of phase.objects) {
    const rendered = phase.objects.find((o) => o.object === object)!;
    if (!isWorkload(object) || !/^(pod|replace) merge of /.test(rendered.origin)) continue;
    const w = workloadOf(object, ctx.plan.namespace)!;
    const name = object.metadata.name;
    const sources = phase.objects
      .filter((o) => isWorkload(o.object) && o.origin.endsWith(`, replaced by ${name}`))
      .map((o) => workloadOf(o.object, ctx.plan.namespace)!);
    const services = phase.objects
      .filter(
        (o) =>
          o.object.kind === 'Service' &&
          o.origin.startsWith(`Service ${o.object.metadata.name} re-pointed at ${name},`),
      )
      .map((o) => serviceOf(o.object, ctx.plan.namespace)!);
    groups.push({ created: w, createdObject: object, sources, services });
  }
  return groups;
}

function portsOf(podSpec: Obj): { container: string; port: number; name?: string; protocol: string }[] {
  return (podSpec.containers ?? []).flatMap((c: Obj) =>
    (c.ports ?? []).map((p: Obj) => ({
      container: c.name,
      port: p.containerPort,
      name: p.name,
      protocol: p.protocol ?? 'TCP',
    })),
  );
}

function resolves(targetPort: number | string, podSpec: Obj): boolean {
  return portsOf(podSpec).some((p) => (typeof targetPort === 'number' ? p.port === targetPort : p.name === targetPort));
}

// ---------------------------------------------------------------------------------------------------------------------

const cases = discover();
const schema = validators();

describe('golden render cases', () => {
  it('are discovered', () => {
    assert.ok(cases.length >= 8, `found ${cases.map((c) => c.name).join(', ')}`);
  });
});

for (const c of cases) {
  describe(`golden: ${c.name}`, { skip: c.skip }, () => {
    let cached: { output: string; ctx: Context } | undefined;
    const load = () => {
      if (cached) return cached;
      const relative = path.relative(REPO_ROOT, c.plan);
      const render = cli(['render', relative]);
      assert.equal(render.status, 0, `render exits 0; stderr: ${render.stderr}`);
      const report = cli(['report', relative, '--format', 'json']);
      assert.equal(report.status, 0, `report exits 0; stderr: ${report.stderr}`);
      const plan = readPlanFile(c.plan);
      cached = {
        output: render.stdout,
        ctx: {
          plan,
          sources: readSources(plan),
          phases: parseRender(render.stdout),
          report: JSON.parse(report.stdout),
        },
      };
      return cached;
    };

    it('matches expected.yaml (the render output of the whole plan)', () => {
      const { output } = load();
      if (UPDATE) {
        writeFileSync(c.expected, output);
        return;
      }
      assert.ok(existsSync(c.expected), `${path.relative(REPO_ROOT, c.expected)} exists (UPDATE_GOLDEN=1 writes it)`);
      assert.equal(output, readFileSync(c.expected, 'utf8'));
    });

    it('renders every phase of the plan, in order, each object stamped with the plan and its phase', () => {
      const { ctx } = load();
      assert.deepEqual(
        ctx.phases.map((p) => p.name),
        ctx.plan.phases,
      );
      for (const phase of ctx.phases) {
        // One document per object: two documents of one kind, namespace and name are one object in the cluster, and the later one wins.
        const identities = phase.objects.map(
          ({ object }) => `${object.kind} ${nsOf(object, ctx.plan)}/${object.metadata?.name}`,
        );
        assert.deepEqual(
          identities.filter((id, j) => identities.indexOf(id) !== j),
          [],
          `phase ${phase.name}: each object once`,
        );
        for (const { object, origin } of phase.objects) {
          const what = `${phase.name}: ${object.kind} ${object.metadata?.name}`;
          assert.ok(origin.length > 0, `${what} has a comment saying where it came from`);
          assert.equal(object.metadata?.annotations?.[PLAN_ANNOTATION], ctx.plan.name, what);
          assert.equal(object.metadata?.annotations?.[PHASE_ANNOTATION], phase.name, what);
          // Merged and removed workloads are scaled to 0, not deleted, and say what they ran (a `scale` to 0 is a plain change).
          if (/, replaced by |^removed by /.test(origin) && (object.kind === 'Job' || object.kind === 'CronJob')) {
            // One-shot work has no replicas: it is suspended instead.
            assert.equal(object.spec?.suspend, true, `${what} is suspended`);
            assert.equal(object.spec?.replicas, undefined, `${what} has no replicas`);
          } else if (/, replaced by |^removed by /.test(origin) && object.kind === 'DaemonSet') {
            assert.equal(
              object.spec?.template?.spec?.nodeSelector?.['consolidation.dev/scaled-to-zero'],
              'true',
              `${what} selects no node`,
            );
          } else if (/, replaced by |^removed by /.test(origin) && object.kind === 'Pod') {
            assert.match(origin, /delete it by hand/, `${what}: a bare Pod cannot be stopped`);
          } else if (/, replaced by |^removed by /.test(origin)) {
            assert.equal(object.spec?.replicas, 0, `${what} is scaled to 0`);
            assert.match(String(object.metadata.annotations[PREVIOUS]), /^\d+$/, `${what} says its previous replicas`);
          }
        }
      }
    });

    it(
      'every rendered object validates against the Kubernetes schema (errors the sources already have excused)',
      { skip: schema ? false : `${SCHEMA_FILE} not found` },
      () => {
        const { ctx } = load();
        const inherited = new Set(
          ctx.sources.objects.flatMap(({ object }) => schemaErrors(schema!, object).map((e) => e.signature)),
        );
        const failures: string[] = [];
        for (const phase of ctx.phases) {
          for (const { object } of phase.objects) {
            for (const e of schemaErrors(schema!, object))
              if (!inherited.has(e.signature))
                failures.push(`${phase.name}: ${object.kind} ${object.metadata?.name}: ${e.text}`);
          }
        }
        assert.deepEqual(failures, []);
      },
    );

    it('every Service that selected a merged workload is re-emitted and selects exactly the merged pod', () => {
      const { ctx } = load();
      const live = states(ctx);
      const failures: string[] = [];
      ctx.phases.forEach((phase, i) => {
        const before = live[i];
        const after = live[i + 1];
        for (const merge of mergesOf(ctx, phase)) {
          const sourceKeys = new Set(merge.sources.map((s) => s.key));
          const expected = [...before.services.values()]
            .filter((s) => merge.sources.some((w) => selects(s, before.workloads.get(w.key) ?? w)))
            .map((s) => s.name)
            .sort();
          const emitted = merge.services.map((s) => s.name).sort();
          if (JSON.stringify(expected) !== JSON.stringify(emitted))
            failures.push(
              `${phase.name}/${merge.created.name}: re-emitted Services ${emitted.join(', ') || 'none'}, expected ${expected.join(', ') || 'none'}`,
            );
          for (const s of merge.services) {
            if (!selects(s, merge.created))
              failures.push(
                `${phase.name}: Service ${s.name} (${JSON.stringify(s.selector)}) does not select ${merge.created.name}'s pod (${JSON.stringify(merge.created.podLabels)})`,
              );
            const others = [...after.workloads.values()].filter((w) => w.key !== merge.created.key && selects(s, w));
            if (others.length)
              failures.push(`${phase.name}: Service ${s.name} also selects ${others.map((w) => w.key).join(', ')}`);
          }
          if (merge.sources.length === 0 || [...sourceKeys].some((k) => (after.workloads.get(k)?.replicas ?? 0) !== 0))
            failures.push(
              `${phase.name}/${merge.created.name}: not every source is scaled to 0 (${[...sourceKeys].join(', ') || 'no source found'})`,
            );
        }
      });
      assert.deepEqual(failures, []);
    });

    it('every targetPort of a re-emitted Service reaches a containerPort of the merged pod', () => {
      const { ctx } = load();
      const live = states(ctx);
      const failures: string[] = [];
      ctx.phases.forEach((phase, i) => {
        const before = live[i];
        for (const merge of mergesOf(ctx, phase)) {
          for (const s of merge.services) {
            const original = before.services.get(s.key);
            s.ports.forEach((port, index) => {
              const target = port.targetPort ?? port.port;
              if (resolves(target, merge.created.podSpec)) return;
              // Pre-existing: the source Service's numeric target port reached no declared port of the pods it selected either.
              const old = original?.ports[index];
              const oldTarget = old ? (old.targetPort ?? old.port) : undefined;
              const oldPods = original ? [...before.workloads.values()].filter((w) => selects(original, w)) : [];
              const neverDeclared =
                typeof target === 'number' &&
                typeof oldTarget === 'number' &&
                oldPods.length > 0 &&
                !oldPods.some((w) => resolves(oldTarget, w.podSpec));
              if (!neverDeclared)
                failures.push(
                  `${phase.name}: Service ${s.name} port ${port.port} → targetPort ${JSON.stringify(target)} reaches no port of ${merge.created.name} (${JSON.stringify(portsOf(merge.created.podSpec).map((p) => `${p.container}:${p.name ?? ''}:${p.port}`))})`,
                );
            });
          }
        }
      });
      assert.deepEqual(failures, []);
    });

    it('no two containers of a merged pod share a port, a port name or a name', () => {
      const { ctx } = load();
      const failures: string[] = [];
      ctx.phases.forEach((phase) => {
        for (const merge of mergesOf(ctx, phase)) {
          const spec = merge.created.podSpec;
          const names = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map(
            (container: Obj) => container.name,
          );
          const dup = (list: string[]) => list.filter((x, j) => list.indexOf(x) !== j);
          const ports = portsOf(spec);
          for (const d of dup(names)) failures.push(`${phase.name}/${merge.created.name}: container name ${d} twice`);
          for (const d of dup(ports.map((p) => `${p.port}/${p.protocol}`)))
            failures.push(
              `${phase.name}/${merge.created.name}: port ${d} twice (${ports
                .filter((p) => `${p.port}/${p.protocol}` === d)
                .map((p) => p.container)
                .join(', ')})`,
            );
          for (const d of dup(ports.flatMap((p) => (p.name ? [p.name] : []))))
            failures.push(`${phase.name}/${merge.created.name}: port name ${d} twice`);
          if (merge.createdObject.metadata?.labels?.[MANAGED_BY] !== 'consolidation-plans')
            failures.push(`${merge.created.name} lacks the managed-by label`);
        }
      });
      assert.deepEqual(failures, []);
    });

    it('with spec.namespace, every rendered object names the namespace it lives in', () => {
      const { ctx } = load();
      if (!ctx.plan.namespace) return;
      const failures = ctx.phases.flatMap((phase) =>
        phase.objects
          .filter(({ object }) => typeof object.metadata?.namespace !== 'string')
          .map(({ object }) => `${phase.name}: ${object.kind} ${object.metadata?.name} names no namespace`),
      );
      assert.deepEqual(failures, []);
    });

    it("objects from the sources keep their own labels and annotations (another manager's included); only what a phase creates carries our managed-by", () => {
      const { ctx } = load();
      const ours = new Set([PLAN_ANNOTATION, PHASE_ANNOTATION, PREVIOUS]);
      const source = new Map(
        ctx.sources.objects.map(({ object }) => [
          `${object.kind}/${nsOf(object, ctx.plan)}/${object.metadata?.name}`,
          object,
        ]),
      );
      const failures: string[] = [];
      for (const phase of ctx.phases) {
        for (const { object, origin } of phase.objects) {
          const what = `${phase.name}: ${object.kind} ${object.metadata?.name}`;
          const original = source.get(`${object.kind}/${nsOf(object, ctx.plan)}/${object.metadata?.name}`);
          if (/^(pod|replace) merge of /.test(origin)) {
            if (original) failures.push(`${what} is created by the phase but has the name of a source object`);
            continue;
          }
          if (!original) continue; // created by an earlier phase, or converted from compose
          const labels = JSON.stringify(object.metadata?.labels ?? {});
          if (labels !== JSON.stringify(original.metadata?.labels ?? {}))
            failures.push(
              `${what}: labels ${labels}, the source's are ${JSON.stringify(original.metadata?.labels ?? {})}`,
            );
          const annotations = object.metadata?.annotations ?? {};
          for (const [k, v] of Object.entries((original.metadata?.annotations ?? {}) as Obj))
            if (annotations[k] !== v)
              failures.push(
                `${what}: annotation ${k} is ${JSON.stringify(annotations[k])}, the source's is ${JSON.stringify(v)}`,
              );
          for (const k of Object.keys(annotations))
            if (!ours.has(k) && !(k in (original.metadata?.annotations ?? {})))
              failures.push(`${what}: annotation ${k} added`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('the totals of the rendered objects plus the untouched sources equal `consolidate report` after each phase', () => {
      const { ctx } = load();
      const live = states(ctx);
      assert.equal(ctx.report.states.length, ctx.phases.length + 1);
      const rows = live.map((state, i) => {
        const mine = totals(state.workloads.values(), ctx.plan);
        const theirs = ctx.report.states[i];
        return {
          phase: theirs.phase ?? '(current)',
          independent: mine,
          report: { pods: theirs.pods, cpu: theirs.requests.cpu ?? 0, memory: theirs.requests.memory ?? 0 },
        };
      });
      assert.deepEqual(
        rows.map((r) => ({ phase: r.phase, ...r.independent })),
        rows.map((r) => ({ phase: r.phase, ...r.report })),
      );
    });
  });
}
