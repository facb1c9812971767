// The property-based fuzz harness, bounded: a fixed seed, a few hundred generated and corpus cases through the
// engine in-process, a few through the CLI process and one language server session (propertyRun.ts runs the same
// properties at length: `npm run fuzz -- --runs 100000`). The properties are listed in propertyChecks.ts and
// propertyProcesses.ts. The whole no-crash pass over mutated corpus files is fuzz.test.ts's (300 seeded cases).
//
// Known product bugs these properties found are tolerated here, by name (propertyChecks.ts KNOWN_BUGS), and have
// their minimal reproduction below as a `todo` test; `npm run fuzz -- --strict` fails on them.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildReport } from '../../server/src/engine/report/report';
import { toYaml } from '../../server/src/engine/render/toYaml';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { CLI, SERVER } from '../helpers/cli';
import { checkCase, describeCase, engineProperty, newStats } from './propertyEngine';
import { isKnownBug, reReadViolations, sumOfParts, writeCase } from './propertyChecks';
import type { PropertyCase } from './propertyInputs';
import { cliProperty, lspProperty } from './propertyProcesses';

const SEED = 0x14_f022;
const ENGINE_RUNS = 200;
const built = existsSync(CLI) && existsSync(SERVER);

/** fast-check's report with the shrunk case as files and the command that replays it. */
function failureText(details: fc.RunDetails<[PropertyCase]>): string {
  const c = details.counterexample?.[0];
  return `${(details.errorInstance as Error)?.message}\n${c ? describeCase(c) : ''}\nreplay: npm run fuzz -- --seed ${details.seed} --path "${details.counterexamplePath}"`;
}

const deployment = (
  name: string,
  replicas: number,
  resources = '{requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}',
) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers: [{name: ${name}, image: x, resources: ${resources}}]\n`;
const plan = (phases: string) =>
  `apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: t}\nspec:\n  sources: [manifests/*.yaml]\n  phases:\n${phases}`;
const manual = (files: [string, string][]): PropertyCase => ({
  files,
  plan: 'fuzz.plan.yaml',
  origin: 'grammar',
  label: 'fixed case',
});

describe('property fuzz: the engine in-process', () => {
  it(
    `${ENGINE_RUNS} generated and corpus cases: no throw, no hang, exact, report = sum of its parts, render re-reads to the report`,
    { timeout: 600_000 },
    () => {
      const stats = newStats();
      const details = fc.check(engineProperty(stats, { tolerateKnownBugs: true, arithmeticOnly: true }), {
        seed: SEED,
        numRuns: ENGINE_RUNS,
      });
      if (stats.known.size)
        console.log(
          `known bugs met (tolerated, see KNOWN_BUGS): ${[...stats.known].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
        );
      assert.ok(!details.failed, failureText(details));
      assert.equal(stats.runs, ENGINE_RUNS);
    },
  );

  it('the properties can fail: a report that is not the sum of its parts, a render that does not re-read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'consolidation-property-'));
    try {
      writeCase(
        manual([
          ['manifests/a.yaml', deployment('api', 2) + '---\n' + deployment('worker', 3)],
          ['fuzz.plan.yaml', plan('    - name: one\n      merge: [{name: both, from: [api, worker]}]\n')],
        ]),
        dir,
      );
      const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
      const result = workspace.plan(path.join(dir, 'fuzz.plan.yaml'))!;
      const report = buildReport(result, dir);
      assert.deepEqual(sumOfParts(result, report), []);
      const phases = workspace
        .render(path.join(dir, 'fuzz.plan.yaml'))!
        .phases.map((p) => ({ name: p.phase.name, yaml: toYaml(p.objects) }));
      assert.deepEqual(reReadViolations(workspace, result, report, phases, path.join(dir, '.a')), []);

      const tampered = structuredClone(report);
      tampered.states[1].requests.cpu += 1;
      assert.match(sumOfParts(result, tampered).join('\n'), /state 1 \(one\): requests cpu: 601, expected 600/);
      // The merged Deployment with one replica more than the plan says: the re-read state has 100m and 64Mi more.
      const more = phases.map((p) => ({ ...p, yaml: p.yaml.replace(/replicas: 3\n/, 'replicas: 4\n') }));
      assert.notEqual(more[0].yaml, phases[0].yaml);
      assert.match(
        reReadViolations(workspace, result, report, more, path.join(dir, '.b')).join('\n'),
        /pods 4 re-read, 3 in the report/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Minimal reproductions of the product bugs the properties found (shrunk by fast-check, then by hand), fixed
  // since: a removed Pod/DaemonSet/Job is no longer given spec.replicas, one-shot compose work renders as a Job.
  it('a removed DaemonSet or bare Pod is not in the re-read state', () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: queue}\nspec:\n  containers: [{name: q, image: x, resources: {requests: {cpu: 100m}}}]\n';
    const violations = checkCase(
      manual([
        ['manifests/m.yaml', pod],
        ['fuzz.plan.yaml', plan('    - name: one\n      remove: [queue]\n')],
      ]),
      { arithmeticOnly: true },
    );
    assert.deepEqual(violations, []);
  });

  it('a one-shot compose service touched by a phase is not rendered as a Deployment', () => {
    const compose = 'services:\n  migrate:\n    image: app:1\n    restart: "no"\n';
    const planText =
      'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: t}\nspec:\n  sources: [docker-compose.yml]\n  phases:\n    - name: one\n      scale: {migrate: 1}\n';
    const violations = checkCase(
      manual([
        ['docker-compose.yml', compose],
        ['fuzz.plan.yaml', planText],
      ]),
      { arithmeticOnly: true },
    );
    assert.deepEqual(violations, []);
  });

  it('a kind without replicas rendered with spec.replicas is a violation (no tolerance left for the bug it once was)', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: queue}\nspec:\n  containers: [{name: q, image: x}]\n';
    const violations = checkCase(
      manual([
        ['manifests/m.yaml', pod],
        ['fuzz.plan.yaml', plan('    - name: one\n      remove: [queue]\n')],
      ]),
      { arithmeticOnly: true },
    );
    assert.deepEqual(violations, []);
    assert.equal(violations.filter(isKnownBug).length, 0);
  });
});

describe(
  'property fuzz: the processes',
  { skip: built ? false : 'dist/cli.js and dist/server.js are not built (npm run build)' },
  () => {
    it(
      'the CLI: check exit and JSON, report JSON = the engine = the sum of its parts, render stdout re-reads',
      { timeout: 300_000 },
      async () => {
        const details = await fc.check(cliProperty({ tolerateKnownBugs: true }), { seed: SEED, numRuns: 2 });
        assert.ok(!details.failed, failureText(details));
      },
    );

    it(
      'the language server: after edits, its diagnostics for each file equal `consolidate check`',
      { timeout: 300_000 },
      async () => {
        const details = await fc.check(lspProperty(), { seed: SEED, numRuns: 1 });
        assert.ok(
          !details.failed,
          `${(details.errorInstance as Error)?.message}\n${JSON.stringify(details.counterexample, null, 1).slice(0, 8000)}`,
        );
      },
    );
  },
);
