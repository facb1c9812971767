// The CLI as a process: exit codes, output formats (text, json, sarif), report, help and version,
// and complete output through a pipe.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { PlanReport } from '../../server/src/engine/report/report';
import { CHECK_FIXTURES, type CheckJson, type JsonDiagnostic } from '../helpers/checkFixtures';
import { parseJsonOutput, ROOT, runCli } from '../helpers/cli';
import { deploymentYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const caseDir = (name: string) => path.join(CHECK_FIXTURES, name);
const caseInput = (name: string) => path.join(CHECK_FIXTURES, name, 'input');

const SEVERITIES = ['error', 'warning', 'information', 'hint'];
const isPosition = (p: unknown) =>
  !!p &&
  typeof p === 'object' &&
  Object.keys(p).sort().join() === 'character,line' &&
  Number.isInteger((p as { line: number }).line) &&
  (p as { line: number }).line >= 0 &&
  Number.isInteger((p as { character: number }).character) &&
  (p as { character: number }).character >= 0;

const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));
function temp(files: Record<string, string>): TempWorkspace {
  const ws = tempWorkspace({ files });
  temps.push(ws);
  return ws;
}

describe('consolidate --help and --version', () => {
  for (const flag of ['--help', '-h', 'help']) {
    it(`${flag} prints the usage on stdout and exits 0`, async () => {
      const result = await runCli([flag], { cwd: ROOT });
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Usage: consolidate <command>/);
      assert.match(result.stdout, /^\s+check \[PATH\.\.\.\]/m);
      assert.match(result.stdout, /^\s+report PLAN/m);
      assert.match(result.stdout, /Exit status: 0 no error-severity finding, 1 some, 2 usage or I\/O error\./);
      assert.equal(result.stderr, '');
    });
  }

  it('--version prints the version of package.json', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag], { cwd: ROOT });
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${VERSION}\n`);
    }
  });
});

describe('consolidate: exit codes', () => {
  it('0 when no finding is an error (warnings and notes only)', async () => {
    const result = await runCli(['check', '.'], { cwd: caseInput('rule-settings') });
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /warning budget\/limits-overcommit/);
    assert.match(result.stdout, /information manifest\/missing-resources/);
  });

  it('0 with no finding at all', async () => {
    const ws = temp({
      'app.plan.yaml':
        'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: app}\nspec:\n  sources: [api.yaml]\n',
      'api.yaml': deploymentYaml('api', { resources: '{requests: {cpu: 100m, memory: 64Mi}}' }),
    });
    const result = await runCli(['check'], { cwd: ws.dir });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '0 errors, 0 warnings, 0 notes\n');
  });

  it('1 when some finding is an error', async () => {
    const result = await runCli(['check', '.'], { cwd: caseInput('plan-references') });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /error plan\/unknown-workload/);
  });

  it('follows --rule: raising a warning to an error exits 1, turning the error off exits 0 again', async () => {
    const cwd = caseInput('rule-settings');
    const raised = await runCli(['check', '.', '--rule', 'budget/limits-overcommit=error'], { cwd });
    assert.equal(raised.code, 1);
    assert.match(raised.stdout, /error budget\/limits-overcommit/);
    const off = await runCli(
      ['check', '.', '--rule', 'budget/limits-overcommit=error', '--rule', 'budget/limits-overcommit=off'],
      { cwd },
    );
    assert.equal(off.code, 0, 'the last --rule for a code wins');
    assert.doesNotMatch(off.stdout, /limits-overcommit/);
    const lowered = await runCli(
      ['check', '.', '--rule', 'plan/unknown-workload=warning', '--rule', 'plan/ambiguous-workload=hint'],
      { cwd: caseInput('plan-references') },
    );
    assert.equal(lowered.code, 1, 'other errors remain');
    assert.match(lowered.stdout, /warning plan\/unknown-workload/);
    assert.match(lowered.stdout, /hint plan\/ambiguous-workload/);
  });

  const usage: [string, string[], RegExp][] = [
    ['no command', [], /^Usage: consolidate/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['an unknown option', ['check', '--colour', '.'], /--colour/],
    ['a bad --format for check', ['check', '--format', 'xml', '.'], /--format must be text, json or sarif, not "xml"/],
    [
      'a bad --format for report',
      ['report', '--format', 'sarif', 'x.plan.yaml'],
      /--format must be text, json, html, markdown or svg, not "sarif"/,
    ],
    [
      '--rule without a severity',
      ['check', '--rule', 'manifest/missing-resources', '.'],
      /--rule expects CODE=SEVERITY/,
    ],
    [
      '--rule with an unknown severity',
      ['check', '--rule', 'manifest/missing-resources=loud', '.'],
      /--rule expects CODE=SEVERITY, not "manifest\/missing-resources=loud"/,
    ],
    [
      '--rule with an unknown code',
      ['check', '--rule', 'manifest/missing-resource=off', '.'],
      /unknown code "manifest\/missing-resource"/,
    ],
    [
      '--max-file-size-kb that is not a positive number',
      ['check', '--max-file-size-kb', '0', '.'],
      /--max-file-size-kb must be a positive number/,
    ],
    ['report without a plan', ['report'], /report takes exactly one plan file/],
    ['report with two plans', ['report', 'a.plan.yaml', 'b.plan.yaml'], /report takes exactly one plan file/],
    ['a path that does not exist', ['check', 'no-such-folder'], /no-such-folder: no such file or folder/],
    ['a plan that does not exist', ['report', 'no-such.plan.yaml'], /no-such\.plan\.yaml: cannot read the plan file/],
  ];
  for (const [what, args, message] of usage) {
    it(`2 on ${what}, with the reason on stderr and nothing on stdout`, async () => {
      const result = await runCli(args, { cwd: caseInput('plan-references') });
      assert.equal(result.code, 2, `exit code of consolidate ${args.join(' ')}`);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }
});

describe('consolidate check --format json', () => {
  it('prints {"diagnostics": [...]} with exactly the documented keys, files relative to the cwd and 0-based ranges', async () => {
    // Run from the case folder and name the input folder: paths are relative to the cwd, not to the input.
    const result = await runCli(['check', '--format', 'json', 'input'], { cwd: caseDir('plan-references') });
    assert.equal(result.code, 1);
    const output = parseJsonOutput<CheckJson>(result);
    assert.deepEqual(Object.keys(output), ['diagnostics']);
    assert.ok(output.diagnostics.length > 0);
    for (const d of output.diagnostics) {
      assert.deepEqual(Object.keys(d).sort(), ['code', 'file', 'message', 'range', 'severity']);
      assert.deepEqual(Object.keys(d.range).sort(), ['end', 'start']);
      assert.ok(isPosition(d.range.start) && isPosition(d.range.end), JSON.stringify(d.range));
      assert.ok(
        d.range.end.line > d.range.start.line ||
          (d.range.end.line === d.range.start.line && d.range.end.character >= d.range.start.character),
      );
      assert.ok(SEVERITIES.includes(d.severity), d.severity);
      assert.ok(d.file.startsWith('input/') && !d.file.includes('\\'), d.file);
    }
    // references.plan.yaml line 16 (1-based) is `        - cart-servce`: 0-based line 15, characters 10 to 21.
    const typo = output.diagnostics.find(
      (d) => d.code === 'plan/unknown-workload' && d.message.includes('cart-servce'),
    );
    assert.deepEqual(typo, {
      file: 'input/references.plan.yaml',
      range: { start: { line: 15, character: 10 }, end: { line: 15, character: 21 } },
      severity: 'error',
      code: 'plan/unknown-workload',
      message: 'Phase quick-wins: no workload "cart-servce" in the plan\'s sources. Did you mean "cart-service"?',
    });
  });

  it('uses ../ for files above the cwd', async () => {
    const result = await runCli(['check', '--format', 'json', '..'], {
      cwd: path.join(caseInput('manifests'), 'manifests'),
    });
    const files = new Set(parseJsonOutput<CheckJson>(result).diagnostics.map((d) => d.file));
    assert.ok(files.has('../docker-compose.yml'), [...files].join());
    assert.ok(files.has('api.yaml'), [...files].join());
  });

  it('checks a plan file given by name with the manifests it reads', async () => {
    const result = await runCli(['check', '--format', 'json', 'references.plan.yaml'], {
      cwd: caseInput('plan-references'),
    });
    const output = parseJsonOutput<CheckJson>(result);
    assert.ok(output.diagnostics.length > 0);
    assert.ok(output.diagnostics.every((d) => d.file === 'references.plan.yaml'));
  });
});

describe('consolidate check --format text', () => {
  it('prints file:line:column (1-based), the severity, the code and the message, then a summary', async () => {
    const json = parseJsonOutput<CheckJson>(
      await runCli(['check', '--format', 'json', '.'], { cwd: caseInput('manifests') }),
    );
    const text = await runCli(['check', '.'], { cwd: caseInput('manifests') });
    const lines = text.stdout.trimEnd().split('\n');
    const expectedLines = json.diagnostics.map(
      (d) =>
        `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`,
    );
    assert.deepEqual(lines.slice(0, -1), expectedLines);
    const count = (s: string) => json.diagnostics.filter((d) => d.severity === s).length;
    assert.equal(
      lines.at(-1),
      `${count('error')} errors, ${count('warning')} warnings, ${count('information') + count('hint')} notes`,
    );
    assert.ok(
      lines.includes(
        'manifests/uploads.yaml:21:23: warning manifest/invalid-quantity: memory: 3500m is 3.5 bytes (m means milli); did you mean 3500Mi?',
      ),
    );
  });
});

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
    };
  }[];
}
interface SarifLog {
  $schema?: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version?: string;
        rules: { id: string; shortDescription?: { text: string }; defaultConfiguration?: { level: string } }[];
      };
    };
    results: SarifResult[];
  }[];
}
const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

describe('consolidate check --format sarif', () => {
  it('is a SARIF 2.1.0 log: one run, the tool and its rules, one result per diagnostic with 1-based regions', async () => {
    const cwd = caseInput('manifests');
    const json = parseJsonOutput<CheckJson>(await runCli(['check', '--format', 'json', '.'], { cwd }));
    const result = await runCli(['check', '--format', 'sarif', '.'], { cwd });
    assert.equal(result.code, 1, 'the exit code does not depend on the format');
    const sarif = parseJsonOutput<SarifLog>(result);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema ?? '', /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const [run] = sarif.runs;
    assert.equal(run.tool.driver.name, 'consolidate');
    assert.equal(run.tool.driver.version, VERSION);
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    assert.deepEqual([...ruleIds].sort(), ALL_RULES.map((r) => r.code).sort(), 'one rule per diagnostic code');
    for (const rule of run.tool.driver.rules) {
      assert.ok(rule.shortDescription?.text, `${rule.id} has a description`);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration?.level ?? ''), `${rule.id} level`);
    }
    assert.equal(run.results.length, json.diagnostics.length);
    run.results.forEach((r, i) => {
      const d: JsonDiagnostic = json.diagnostics[i];
      assert.equal(r.ruleId, d.code);
      if (r.ruleIndex !== undefined) assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      assert.equal(r.level, SARIF_LEVEL[d.severity]);
      assert.equal(r.message.text, d.message);
      assert.equal(r.locations.length, 1);
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      assert.equal(artifactLocation.uri, d.file);
      assert.deepEqual(region, {
        startLine: d.range.start.line + 1,
        startColumn: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
      });
    });
    assert.ok(
      run.results.some((r) => r.level === 'note'),
      'information findings are SARIF notes',
    );
  });

  it('gives artifact locations as URI references (a space is %20)', async () => {
    const ws = temp({ 'team a/worker.yaml': deploymentYaml('worker') });
    const sarif = parseJsonOutput<SarifLog>(await runCli(['check', '--format', 'sarif', '.'], { cwd: ws.dir }));
    const uris = sarif.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
    assert.deepEqual(uris, ['team%20a/worker.yaml']);
  });
});

/** What `consolidate report --format json` prints: the engine's report type. */
type ReportJson = PlanReport;

describe('consolidate report', () => {
  it('--format json has the documented shape', async () => {
    const result = await runCli(['report', 'civic.plan.yaml', '--format', 'json'], {
      cwd: caseInput('budget-openpolicy-8gi'),
    });
    assert.equal(result.code, 0);
    const report = parseJsonOutput<ReportJson>(result);
    assert.deepEqual(Object.keys(report), ['plan', 'name', 'budget', 'states']);
    assert.equal(report.plan, 'civic.plan.yaml');
    assert.equal(report.name, 'civic-platform');
    assert.deepEqual(report.budget, {
      cpu: 6000,
      memory: 8 * 2 ** 30,
      pods: 28,
      extended: {},
      limitsOvercommitPercent: 150,
    });
    assert.deepEqual(
      report.states.map((s) => s.phase),
      [null, 'shed-replicas', 'merge-operations'],
    );
    for (const state of report.states) {
      assert.deepEqual(Object.keys(state).sort(), [
        'composition',
        'jobs',
        'limits',
        'location',
        'phase',
        'pods',
        'requests',
        'schedule',
        'targets',
        'unlimitedContainers',
        'unschedulable',
        'workloads',
      ]);
      for (const list of [state.requests, state.limits]) {
        assert.ok(Number.isInteger(list.cpu) && Number.isInteger(list.memory), JSON.stringify(list));
        for (const value of Object.values(list)) assert.ok(Number.isSafeInteger(value) && value >= 0);
      }
      assert.deepEqual(Object.keys(state.unlimitedContainers).sort(), ['cpu', 'memory']);
      assert.equal(state.unschedulable, null, 'no budget.nodes: no scheduling');
    }
  });

  it('--format json gives the plan path relative to the cwd, and unschedulable counts with budget.nodes', async () => {
    const result = await runCli(['report', '--format', 'json', 'input/scheduling.plan.yaml'], {
      cwd: caseDir('scheduling'),
    });
    const report = parseJsonOutput<ReportJson>(result);
    assert.equal(report.plan, 'input/scheduling.plan.yaml');
    assert.deepEqual(report.budget, { pods: 30, extended: {}, limitsOvercommitPercent: 100 });
    assert.deepEqual(
      report.states.map((s) => s.unschedulable),
      [2, 3],
    );
  });

  it('prints a table with a header and one row per state (text, the default)', async () => {
    const result = await runCli(['report', 'civic.plan.yaml'], { cwd: caseInput('budget-openpolicy-8gi') });
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Plan civic-platform (civic.plan.yaml)');
    assert.equal(lines[1], 'Budget: cpu 6, memory 8Gi, 28 pods');
    const header = lines.findIndex((line) =>
      /^state\s+workloads\s+pods\s+jobs\s+cpu req\s+cpu lim\s+mem req\s+mem lim/.test(line),
    );
    assert.ok(header > 0, result.stdout);
    assert.match(lines[header + 1], /^-+(\s+-+)+$/);
    const rows = lines.slice(header + 2);
    assert.deepEqual(
      rows.map((row) => row.split(/\s+/)[0]),
      ['current', 'shed-replicas', 'merge-operations'],
    );
    assert.deepEqual(rows[0].split(/\s{2,}/), [
      'current',
      '26',
      '29 (104%)',
      '0',
      '3,050m (51%)',
      '7,500m (125%)',
      '8,448Mi (103%)',
      '15,238Mi (186%)',
      '0',
      '0',
      '-',
    ]);
  });
});

describe('large output through a pipe', () => {
  // ~1,600 findings: several hundred KiB of JSON, far above a pipe's 64 KiB buffer.
  const COUNT = 1600;
  let ws: TempWorkspace | undefined;
  const workspace = () =>
    (ws ??= temp({
      'many.yaml': Array.from({ length: COUNT }, (_, i) =>
        deploymentYaml(`service-${String(i).padStart(4, '0')}`),
      ).join('---\n'),
    }));

  it('check --format json is complete and parses', async () => {
    const result = await runCli(['check', '--format', 'json', '.'], { cwd: workspace().dir });
    assert.equal(result.code, 0);
    assert.ok(result.stdout.length > 256 * 1024, `only ${result.stdout.length} characters`);
    const output = parseJsonOutput<CheckJson>(result);
    assert.equal(output.diagnostics.length, COUNT);
    assert.ok(output.diagnostics.every((d) => d.code === 'manifest/missing-resources'));
    assert.equal(output.diagnostics.at(-1)?.message.startsWith('service-1599/service-1599 '), true);
  });

  it('check --format sarif is complete and parses', async () => {
    const result = await runCli(['check', '--format', 'sarif', '.'], { cwd: workspace().dir });
    assert.equal(parseJsonOutput<SarifLog>(result).runs[0].results.length, COUNT);
  });

  it('check (text) ends with its summary line', async () => {
    const result = await runCli(['check', '.'], { cwd: workspace().dir });
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, COUNT + 1);
    assert.equal(lines.at(-1), `0 errors, 0 warnings, ${COUNT} notes`);
  });
});
