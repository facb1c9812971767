// Robustness: seeded mutations of corpus and example files, hostile texts (alias bombs, 10,000-deep nesting, long
// lines, NUL bytes, lone surrogates, BOM, CRLF, files over the size cap, random bytes) through the engine, the CLI
// process and the language server process. Nothing may throw, hang or crash; every finding must point into its text.
//
// Deterministic: one seed, a fixed number of cases. The only time bounds detect hangs and are generous (a busy shared
// machine); they are not performance assertions.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EngineCase, EngineResult } from './engineWorker';
import {
  aliasBomb,
  deepNesting,
  DEFAULT_MAX_FILE_BYTES,
  generatePlan,
  kubernetesAliasBomb,
  loadProjects,
  mapAliasBomb,
  MUTATORS,
  mutate,
  namesIn,
  oversized,
  planAliasBomb,
  type Project,
  REPO_ROOT,
  Rng,
} from '../helpers/fuzzInputs';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, messageText } from '../helpers/lspClient';

const SEED = 0x5eed_2026;
const ENGINE_CASES = 300;
/** Per case (one plan and its files through every engine entry point): far above the ~0.1 s a case takes. */
const CASE_BOUND_MS = 10_000;
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const SERVER = path.join(REPO_ROOT, 'dist', 'server.js');
const REPRO_ROOT = path.join(os.tmpdir(), 'consolidation-fuzz-repro');
const projects = loadProjects();
const temporaryFolders: string[] = [];

after(() => {
  for (const dir of temporaryFolders) rmSync(dir, { recursive: true, force: true });
});

function temporaryFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consolidation-fuzz-'));
  temporaryFolders.push(dir);
  return dir;
}

/** Writes a failing input where it can be looked at, and says where. */
function saveRepro(name: string, files: [string, string][]): string {
  const dir = path.join(REPRO_ROOT, name.replace(/[^\w.-]+/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const WEIGHT: Record<string, number> = { 'corpus/otel-k8s': 0.15, 'corpus/dsb-hotel': 0.6, 'corpus/dsb-social': 0.6 };

function pickProject(rng: Rng): Project {
  return rng.weighted(projects.map((p) => [p, WEIGHT[p.name] ?? 1] as const));
}

/** A plan, some of the project's files (mutated or not), sometimes a generated plan, sometimes a file over a small cap. */
function randomCase(rng: Rng, id: number): EngineCase {
  const project = pickProject(rng);
  const all = [...project.files.entries()];
  const planEntry = all.find(([rel]) => rel === project.plan);
  let others = all.filter(([rel]) => rel !== project.plan);
  if (others.length > 3) others = others.filter(([rel]) => rel.endsWith('.env') || rng.chance(3 / others.length));
  const notes: string[] = [project.name];
  const files: [string, string][] = [];
  const direct: string[] = [];
  let maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  const small = rng.chance(0.06);
  for (const [rel, text] of others) {
    if (rel.endsWith('.env') || !rng.chance(0.5)) files.push([rel, text]);
    else {
      const m = mutate(text, rng);
      notes.push(`${rel}: ${m.applied.join('+')}`);
      files.push([rel, m.text]);
      direct.push(rel);
    }
  }
  if (small && files.length > 0) {
    maxFileBytes = 64 * 1024;
    const at = rng.int(files.length);
    files[at] = [files[at][0], oversized(files[at][1], maxFileBytes)];
    notes.push(`${files[at][0]}: oversized (cap 64 KiB)`);
    direct.push(files[at][0]);
  }
  let planText = planEntry?.[1] ?? '';
  if (!planEntry || rng.chance(0.4)) {
    planText = generatePlan(rng, `fuzz-${id}`, ['**/*.y*ml'], namesIn(project));
    notes.push('generated plan');
  }
  if (rng.chance(0.5)) {
    const m = mutate(planText, rng);
    planText = m.text;
    notes.push(`plan: ${m.applied.join('+')}`);
  }
  const plan = project.plan ?? 'fuzz.plan.yaml';
  files.push([plan, planText]);
  direct.push(plan);
  return {
    id,
    label: notes.join('; '),
    files,
    plan,
    maxFileBytes,
    direct,
    probes: [rng.next(), rng.next(), rng.next(), rng.next()],
    finiteReport: true,
  };
}

/** Runs cases on a worker thread; a case that overruns its bound is stopped and reported as a hang. */
class EngineRunner {
  private worker: Worker | undefined;
  private readonly tsx = require.resolve('tsx/cjs/api');
  private readonly script = path.join(__dirname, 'engineWorker.ts');

  private start(): Worker {
    this.worker ??= new Worker(
      `require(${JSON.stringify(this.tsx)}).register(); require(${JSON.stringify(this.script)});`,
      {
        eval: true,
        // Close to a main thread's stack (the CLI and the server parse on one), and a heap cap so a blow-up is reported.
        resourceLimits: { maxOldGenerationSizeMb: 1536, stackSizeMb: 1 },
      },
    );
    return this.worker;
  }

  async run(c: EngineCase, boundMs: number): Promise<{ violations: string[]; ms: number }> {
    const worker = this.start();
    const started = Date.now();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'consolidation-fuzz-'));
    return new Promise((resolve) => {
      const done = (violations: string[]) => {
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve({ violations, ms: Date.now() - started });
      };
      const onMessage = (result: EngineResult) => {
        if (result.id === c.id) done(result.violations);
      };
      const onError = (error: Error) => {
        this.worker = undefined;
        done([`the engine worker died: ${error.stack ?? error}`]);
      };
      const onExit = (code: number) => {
        this.worker = undefined;
        done([`the engine worker exited with ${code}`]);
      };
      const timer = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        done([`hang: not finished after ${boundMs} ms (stopped)`]);
      }, boundMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ c, dir });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

/** Runs cases on up to two worker threads (each case on its own is deterministic); failures in case order. */
async function runEngineCases(name: string, cases: EngineCase[], boundMs: number): Promise<string[]> {
  const lanes = Math.max(1, Math.min(2, os.availableParallelism()));
  const failures: [number, string][] = [];
  const times: [number, number][] = [];
  let next = 0;
  const lane = async () => {
    const runner = new EngineRunner();
    try {
      while (next < cases.length) {
        const c = cases[next++];
        const { violations, ms } = await runner.run(c, boundMs);
        times.push([ms, c.id]);
        const all = [...violations, ...(ms > boundMs ? [`took ${ms} ms (bound ${boundMs} ms)`] : [])];
        if (all.length === 0) continue;
        const repro = saveRepro(`${name}-${c.id}`, c.files);
        failures.push([
          c.id,
          `case ${c.id} [${c.label}] (input saved in ${repro}):\n  ${all.slice(0, 5).join('\n  ')}${all.length > 5 ? `\n  ... ${all.length - 5} more` : ''}`,
        ]);
      }
    } finally {
      await runner.close();
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  times.sort((a, b) => b[0] - a[0]);
  console.log(
    `${name}: ${cases.length} cases on ${lanes} worker(s); slowest ${times
      .slice(0, 3)
      .map(([ms, id]) => `#${id} ${ms} ms`)
      .join(', ')}`,
  );
  return failures.sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}

const K8S_DEPLOYMENT = (name: string, replicas: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  replicas: ${replicas}`,
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    '          image: registry.example/app:1',
    '          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}',
    '',
  ].join('\n');

const SERVICE = (name: string) =>
  `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: 8080}]\n`;

const SIMPLE_PLAN = (extra = '') =>
  [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata:',
    '  name: simple',
    'spec:',
    '  sources:',
    '    - manifests/*.yaml',
    '  budget:',
    '    cpu: "4"',
    '    memory: 8Gi',
    '    pods: 20',
    extra,
    '  phases:',
    '    - name: one',
    '      merge:',
    '        - name: both',
    '          from: [api, worker]',
    '      targets: {pods: 50%}',
    '',
  ].join('\n');

/** Hostile texts, each as a manifest beside a working plan and as a plan of its own. */
function specialTexts(): [string, string][] {
  const manifest = K8S_DEPLOYMENT('api', '2') + SERVICE('api');
  const rng = new Rng(SEED ^ 0xbad);
  const randomBytes = (n: number, encoding: BufferEncoding) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = rng.int(256);
    return b.toString(encoding);
  };
  return [
    ['alias bomb (sequences)', aliasBomb()],
    ['alias bomb (mappings, merge key)', mapAliasBomb()],
    ['alias bomb inside a Deployment', kubernetesAliasBomb()],
    ['alias bomb inside a plan', planAliasBomb()],
    ['[ x 10,000', deepNesting('[')],
    ['{a: x 10,000', deepNesting('{')],
    ['- x 10,000', deepNesting('- ')],
    ['1,500 nested block mappings', deepNesting('block')],
    ['[{ x 5,000 unbalanced', deepNesting('mixed')],
    ['manifest then [ x 10,000', manifest + deepNesting('[')],
    ['a 1 MB line', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${'n'.repeat(1_000_000)}\n`],
    ['a 300 KB key', `${'k'.repeat(300_000)}: v\n`],
    ['NUL bytes', '\u0000'.repeat(1000)],
    ['NUL inside a manifest', manifest.replace(/name: api/g, 'name: a\u0000pi')],
    [
      'lone surrogates',
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\ud800\nspec:\n  containers: [{name: "\udfff", resources: {requests: {cpu: "1\ud800m"}}}]\n`,
    ],
    ['BOM + manifest', '\ufeff' + manifest],
    ['BOM + plan', '\ufeff' + SIMPLE_PLAN()],
    ['CRLF manifest', manifest.replace(/\n/g, '\r\n')],
    ['CRLF plan', SIMPLE_PLAN().replace(/\n/g, '\r\n')],
    ['CR-only manifest', manifest.replace(/\n/g, '\r')],
    ['random bytes (utf8)', randomBytes(8192, 'utf8')],
    ['random bytes (latin1)', randomBytes(8192, 'latin1')],
    ['empty', ''],
    ['whitespace', ' \n\t\n   '],
    ['document markers only', '---\n...\n---\n'],
    ['comments only', '# a\n# b\n'],
    [
      '1,000 documents',
      Array.from({ length: 1000 }, (_, i) => `---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: c${i}}\n`).join(
        '',
      ),
    ],
    ['duplicate keys', 'apiVersion: v1\napiVersion: v2\nkind: Pod\nkind: Pod\nmetadata: {name: p, name: q}\n'],
    [
      'prototype names (workload, labels, container)',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: __proto__, labels: {__proto__: x, constructor: y}}\nspec:\n  containers: [{name: constructor, resources: {requests: {cpu: 1}}}]\n',
    ],
    [
      'compose with prototype names',
      'services:\n  __proto__: {image: x, deploy: {resources: {limits: {memory: 1G}}}}\n  constructor: {image: y, mem_limit: "${__proto__:-1G}"}\n',
    ],
  ];
}

/** Resource names that are Object.prototype keys (reported separately: see the dedicated tests). */
const PROTOTYPE_RESOURCES =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        requests: {toString: 2, __proto__: 1, constructor: 3}\n        limits: {hasOwnProperty: 3}\n';

describe('fuzz: engine', () => {
  it(
    `${ENGINE_CASES} seeded mutations of corpus and example projects: no throw, no hang, ranges within the text`,
    { timeout: 600_000 },
    async () => {
      assert.ok(projects.length > 0, 'there are example or corpus files to mutate');
      const rng = new Rng(SEED);
      const cases = Array.from({ length: ENGINE_CASES }, (_, i) => randomCase(rng, i));
      const failures = await runEngineCases('engine', cases, CASE_BOUND_MS);
      assert.deepEqual(failures, [], `${failures.length} of ${ENGINE_CASES} cases failed:\n${failures.join('\n')}`);
    },
  );

  it(
    'hostile texts as manifests and as plans; over the size cap exactly one manifest/too-large',
    { timeout: 600_000 },
    async () => {
      const cases: EngineCase[] = [];
      let id = 0;
      for (const [label, text] of specialTexts()) {
        cases.push({
          id: id++,
          label: `${label} as a manifest`,
          files: [
            ['manifests/special.yaml', text],
            ['manifests/ok.yaml', K8S_DEPLOYMENT('api', '2') + '---\n' + K8S_DEPLOYMENT('worker', '1')],
            ['simple.plan.yaml', SIMPLE_PLAN()],
          ],
          plan: 'simple.plan.yaml',
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
          probes: [0, 0.25, 0.5, 0.75, 1],
          finiteReport: true,
        });
        cases.push({
          id: id++,
          label: `${label} as a plan`,
          files: [
            ['manifests/ok.yaml', K8S_DEPLOYMENT('api', '2') + '---\n' + K8S_DEPLOYMENT('worker', '1')],
            ['special.plan.yaml', text],
          ],
          plan: 'special.plan.yaml',
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
          probes: [0, 0.5, 1],
          finiteReport: true,
        });
      }
      // Over the real default cap (2 MiB), and over a small one: exactly one too-large finding, nothing else from that file.
      cases.push({
        id: id++,
        label: 'a manifest over the default 2 MiB cap',
        files: [
          [
            'manifests/huge.yaml',
            oversized(K8S_DEPLOYMENT('huge', '1') + SERVICE('nothing-selected'), DEFAULT_MAX_FILE_BYTES),
          ],
          ['manifests/ok.yaml', K8S_DEPLOYMENT('api', '2') + '---\n' + K8S_DEPLOYMENT('worker', '1')],
          ['simple.plan.yaml', SIMPLE_PLAN()],
        ],
        plan: 'simple.plan.yaml',
        maxFileBytes: DEFAULT_MAX_FILE_BYTES,
        probes: [0.5],
        finiteReport: true,
      });
      cases.push({
        id,
        label: 'every file over a 1 KiB cap',
        files: [
          ['manifests/a.yaml', oversized(K8S_DEPLOYMENT('api', '2'), 1024)],
          ['manifests/b.yaml', oversized('services:\n  web: {image: x, mem_limit: 1x}\n', 1024)],
          ['simple.plan.yaml', SIMPLE_PLAN()],
        ],
        plan: 'simple.plan.yaml',
        maxFileBytes: 1024,
        probes: [0.5],
        finiteReport: true,
      });
      const failures = await runEngineCases('special', cases, CASE_BOUND_MS);
      assert.deepEqual(
        failures,
        [],
        `${failures.length} of ${cases.length} hostile inputs failed:\n${failures.join('\n')}`,
      );
    },
  );

  it(
    'large numbers (replicas, scale, node counts): no throw, no hang, and a report without Infinity/null',
    { timeout: 600_000 },
    async () => {
      const plan = (budget: string, phases = '') =>
        `apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata:\n  name: big\nspec:\n  sources: [manifests/*.yaml]\n  budget:\n${budget}${phases}`;
      const nodes = (count: string) =>
        `    cpu: "4"\n    memory: 8Gi\n    nodes:\n      - {name: pool, count: ${count}, cpu: "2", memory: 4Gi}\n`;
      const bound = 5_000;
      const cases: EngineCase[] = [
        ['replicas: 1e308 with node pools', '1e308', plan(nodes('2'))],
        ['replicas: 20000000 with node pools', '20000000', plan(nodes('2'))],
        [
          'scale to 1e308 with node pools',
          '1',
          plan(nodes('2'), '  phases:\n    - name: up\n      scale: {api: 1e308}\n'),
        ],
        ['a node pool of 1e9 nodes', '1', plan(nodes('1000000000'))],
        ['replicas: 1e308 without node pools', '1e308', plan('    cpu: "4"\n    memory: 8Gi\n    pods: 10\n')],
      ].map(([label, replicas, planText], id) => ({
        id,
        label: label!,
        files: [
          ['manifests/api.yaml', K8S_DEPLOYMENT('api', replicas!)],
          ['big.plan.yaml', planText!],
        ] as [string, string][],
        plan: 'big.plan.yaml',
        maxFileBytes: DEFAULT_MAX_FILE_BYTES,
        probes: [0.5],
        finiteReport: true,
      }));
      const failures = await runEngineCases('numbers', cases, bound);
      assert.deepEqual(
        failures,
        [],
        `${failures.length} of ${cases.length} large-number inputs failed:\n${failures.join('\n')}`,
      );
    },
  );

  it(
    'resource names that are Object.prototype keys (toString, __proto__, constructor, hasOwnProperty)',
    { timeout: 120_000 },
    async () => {
      const cases: EngineCase[] = [
        {
          id: 0,
          label: 'prototype-named resources in a Pod',
          files: [
            ['manifests/proto.yaml', PROTOTYPE_RESOURCES],
            ['simple.plan.yaml', SIMPLE_PLAN()],
          ],
          plan: 'simple.plan.yaml',
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
          probes: [0.5],
          finiteReport: true,
        },
      ];
      const failures = await runEngineCases('prototype', cases, CASE_BOUND_MS);
      // `requests: {toString: 2}` without limits: there is no limit to exceed.
      const dir = temporaryFolder();
      writeFileSync(path.join(dir, 'proto.yaml'), PROTOTYPE_RESOURCES);
      const run = runCli(['check', 'proto.yaml', '--format', 'json'], dir);
      const output = assertCheckRun(run, 'check proto.yaml');
      const bogus = output.diagnostics
        .filter((d) => d.code === 'manifest/request-exceeds-limit')
        .map((d) => `${d.code}: ${d.message}`);
      assert.deepEqual(
        [...failures, ...bogus],
        [],
        `prototype-named resources:\n${[...failures, ...bogus].join('\n')}`,
      );
    },
  );
});

// ---- the CLI process ----

interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, timeoutMs = 60_000): CliRun {
  assert.ok(existsSync(CLI), `${CLI} exists (run \`npm run build\` first)`);
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: run.status, signal: run.signal, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

interface CheckOutput {
  diagnostics: {
    file: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: string;
    code: string;
    message: string;
  }[];
}

/** Exit 0 or 1, JSON on stdout, well-formed diagnostics. */
function assertCheckRun(run: CliRun, what: string): CheckOutput {
  assert.ok(
    run.status === 0 || run.status === 1,
    `${what}: exit ${run.status}${run.signal ? ` (killed: ${run.signal}, a hang)` : ''}; stderr:\n${run.stderr.slice(0, 3000)}`,
  );
  let output: CheckOutput;
  try {
    output = JSON.parse(run.stdout) as CheckOutput;
  } catch (error) {
    assert.fail(`${what}: stdout is not JSON (${(error as Error).message}): ${run.stdout.slice(0, 500)}`);
  }
  assert.ok(Array.isArray(output.diagnostics), `${what}: has diagnostics`);
  for (const d of output.diagnostics) {
    assert.equal(typeof d.file, 'string');
    assert.equal(typeof d.code, 'string');
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity), `${what}: severity ${d.severity}`);
    for (const p of [d.range.start, d.range.end])
      assert.ok(
        Number.isInteger(p.line) && p.line >= 0 && Number.isInteger(p.character) && p.character >= 0,
        `${what}: position ${JSON.stringify(p)}`,
      );
  }
  assert.equal(
    run.status,
    output.diagnostics.some((d) => d.severity === 'error') ? 1 : 0,
    `${what}: exit status matches the errors`,
  );
  return output;
}

/** A folder of several mutated projects (and the hostile texts) on disk. */
function writeFuzzFolder(rng: Rng, projectsCount: number): { dir: string; plans: string[] } {
  const dir = temporaryFolder();
  const plans: string[] = [];
  for (let p = 0; p < projectsCount; p++) {
    const c = randomCase(rng, p);
    if (c.maxFileBytes !== DEFAULT_MAX_FILE_BYTES) continue; // the CLI runs with the default cap here
    for (const [rel, text] of c.files) {
      const file = path.join(dir, `p${p}`, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    if (c.plan) plans.push(path.join(dir, `p${p}`, c.plan));
  }
  const special = path.join(dir, 'special');
  mkdirSync(special, { recursive: true });
  specialTexts().forEach(([, text], i) =>
    writeFileSync(path.join(special, i % 3 === 0 ? `s${i}.plan.yaml` : `s${i}.yaml`), text),
  );
  // Raw bytes on disk (not valid UTF-8), as a manifest and as a plan.
  for (const name of ['raw.yaml', 'raw.plan.yaml']) {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    writeFileSync(path.join(special, name), bytes);
  }
  return { dir, plans };
}

describe('fuzz: the CLI process', () => {
  it('consolidate check on folders of mutated files: exit 0 or 1, JSON output', { timeout: 600_000 }, () => {
    const rng = new Rng(SEED ^ 0xc11);
    for (let round = 0; round < 2; round++) {
      const { dir, plans } = writeFuzzFolder(rng, 4);
      assertCheckRun(
        runCli(['check', '.', '--format', 'json'], dir),
        `round ${round}: check . --format json in ${dir}`,
      );
      if (round === 0) {
        const sarif = runCli(['check', '.', '--format', 'sarif'], dir);
        assert.ok(
          sarif.status === 0 || sarif.status === 1,
          `check --format sarif: exit ${sarif.status}; ${sarif.stderr.slice(0, 2000)}`,
        );
        assert.equal((JSON.parse(sarif.stdout) as { version: string }).version, '2.1.0');
      }
      for (const plan of plans.slice(0, round === 0 ? 2 : 1)) {
        const report = runCli(['report', plan, '--format', 'json'], dir);
        assert.equal(
          report.status,
          0,
          `report ${plan}: exit ${report.status}; stderr:\n${report.stderr.slice(0, 3000)}`,
        );
        JSON.parse(report.stdout);
      }
    }
  });

  it('--max-file-size-kb: a file over the cap gives exactly one manifest/too-large and nothing else', () => {
    const dir = temporaryFolder();
    writeFileSync(
      path.join(dir, 'big.yaml'),
      oversized(K8S_DEPLOYMENT('big', '1') + SERVICE('selects-nothing') + 'x: [\n', 16 * 1024),
    );
    writeFileSync(path.join(dir, 'ok.yaml'), K8S_DEPLOYMENT('ok', '1'));
    const output = assertCheckRun(
      runCli(['check', '.', '--format', 'json', '--max-file-size-kb', '16'], dir),
      'check with a 16 KiB cap',
    );
    assert.deepEqual(
      output.diagnostics.filter((d) => d.file === 'big.yaml').map((d) => d.code),
      ['manifest/too-large'],
    );
  });

  it('the size cap counts bytes: a file of 12 KiB of UTF-8 but 4,000 characters is over an 8 KiB cap', () => {
    // consolidation.maxFileSizeKb / --max-file-size-kb: "Files over N KiB are not analysed". A file's size is its bytes.
    const dir = temporaryFolder();
    const text = K8S_DEPLOYMENT('wide', '1') + `# ${'€'.repeat(4000)}\n`;
    assert.ok(Buffer.byteLength(text) > 8 * 1024 && text.length < 8 * 1024);
    writeFileSync(path.join(dir, 'wide.yaml'), text);
    const output = assertCheckRun(
      runCli(['check', '.', '--format', 'json', '--max-file-size-kb', '8'], dir),
      'check with an 8 KiB cap',
    );
    assert.deepEqual(
      output.diagnostics.filter((d) => d.file === 'wide.yaml').map((d) => d.code),
      ['manifest/too-large'],
      `wide.yaml is ${Buffer.byteLength(text)} bytes on disk, over the 8192-byte cap`,
    );
  });

  it('large replicas with node pools: check exits 0 or 1 (not 2 with a RangeError)', () => {
    const dir = temporaryFolder();
    mkdirSync(path.join(dir, 'manifests'));
    writeFileSync(path.join(dir, 'manifests', 'api.yaml'), K8S_DEPLOYMENT('api', '1e308'));
    writeFileSync(
      path.join(dir, 'big.plan.yaml'),
      'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata:\n  name: big\nspec:\n  sources: [manifests/*.yaml]\n  budget:\n    cpu: "4"\n    memory: 8Gi\n    nodes:\n      - {name: pool, count: 2, cpu: "2", memory: 4Gi}\n',
    );
    assertCheckRun(runCli(['check', '.', '--format', 'json'], dir, 30_000), 'check on replicas: 1e308 with node pools');
    const report = runCli(['report', 'big.plan.yaml', '--format', 'json'], dir, 30_000);
    assert.equal(report.status, 0, `report: exit ${report.status}; stderr:\n${report.stderr.slice(0, 2000)}`);
  });
});

// ---- the language server process ----

const REQUEST_TIMEOUT_MS = 15_000;
const DIAGNOSTICS_TIMEOUT_MS = 30_000;

interface OpenDocument {
  uri: string;
  languageId: string;
  doc: TextDocument;
  /** Text of every version sent, to check the diagnostics published for it. */
  versions: Map<number, string>;
}

/** LSP lines: split on \r\n, \r and \n (the protocol's end-of-line sequences). */
function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i])) return items[i];
  return undefined;
}

function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

/**
 * Diagnostics outside their document, as messages. Lines are the protocol's (split on \r\n, \r and \n); a range may
 * end on the \r of a CRLF pair (clients clamp it to the line end).
 */
function diagnosticsOutside(p: PublishDiagnosticsParams, text: string, what: string): string[] {
  const lines = text.split(/(?<=\r\n|\r(?!\n)|\n)/);
  const lengths = lines.map((l) => l.replace(/\r\n$|\r$|\n$/, '').length + (l.endsWith('\r\n') ? 1 : 0));
  if (lines.length === 0 || /\r\n$|\r$|\n$/.test(text)) lengths.push(0);
  const problems: string[] = [];
  for (const d of p.diagnostics) {
    const { start, end } = d.range;
    const inside = (pos: { line: number; character: number }) =>
      pos.line >= 0 && pos.line < lengths.length && pos.character >= 0 && pos.character <= lengths[pos.line];
    if (
      !inside(start) ||
      !inside(end) ||
      start.line > end.line ||
      (start.line === end.line && start.character > end.character)
    ) {
      const line = Math.min(Math.max(start.line, 0), lengths.length - 1);
      const cr = /\r(?!\n)/.test(text) ? ' [the text has a lone \\r line break]' : '';
      problems.push(
        `${what}${cr}: ${d.code} at ${JSON.stringify(d.range)} is outside the document (${lengths.length} lines; line ${line} has ${lengths[line]} characters): ${messageText(d.message).slice(0, 160)}`,
      );
    }
  }
  return problems;
}

async function startSession(root: string, maxFileSizeKb: number): Promise<LspClient> {
  assert.ok(existsSync(SERVER), `${SERVER} exists (run \`npm run build\` first)`);
  const session = await LspClient.start({
    folder: root,
    folderName: 'fuzz',
    cwd: root,
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
    initializationOptions: { settings: { maxFileSizeKb } },
    timeoutMs: REQUEST_TIMEOUT_MS,
    keepPublished: true,
    maxStderrChars: 100_000,
  });
  assert.ok(session.initializeResult?.capabilities, 'initialize answered');
  return session;
}

function open(session: LspClient, docs: Map<string, OpenDocument>, file: string, text: string): OpenDocument {
  const uri = pathToFileURL(file).href;
  const languageId = /\.plan\.ya?ml$/.test(file) ? 'consolidation-plan' : 'yaml';
  const entry: OpenDocument = {
    uri,
    languageId,
    doc: TextDocument.create(uri, languageId, 1, text),
    versions: new Map([[1, text]]),
  };
  docs.set(uri, entry);
  session.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  return entry;
}

/**
 * Waits until every open document has diagnostics for its latest version; returns the diagnostics (of any version
 * published so far) that do not fit the text of their version.
 */
async function awaitCurrentDiagnostics(
  session: LspClient,
  docs: Map<string, OpenDocument>,
  options: { skipLoneCr?: boolean } = {},
): Promise<string[]> {
  const latest = (d: OpenDocument) =>
    findLast(session.published, (p) => p.uri === d.uri && p.version === d.doc.version);
  const started = Date.now();
  await session.waitFor(
    () => [...docs.values()].every((d) => latest(d)),
    DIAGNOSTICS_TIMEOUT_MS,
    () =>
      `diagnostics for ${[...docs.values()]
        .filter((d) => !latest(d))
        .map((d) => `${path.basename(d.uri)}@v${d.doc.version}`)
        .join(', ')}`,
    // A failed pass stops publishing; give a following pass a few seconds, then stop waiting.
    () => {
      const failed = findLast(session.logs, (l) => l.at >= started && /diagnostics failed/.test(l.message));
      return failed && Date.now() - failed.at > 5_000
        ? `the server logged: ${failed.message.slice(0, 1500)}`
        : undefined;
    },
  );
  const problems = new Set<string>();
  for (const p of session.published) {
    const d = p.version === undefined ? undefined : docs.get(p.uri);
    const text = d?.versions.get(p.version!);
    if (text === undefined || (options.skipLoneCr && /\r(?!\n)/.test(text))) continue;
    for (const problem of diagnosticsOutside(p, text, `${path.basename(p.uri)}@v${p.version}`)) problems.add(problem);
  }
  return [...problems];
}

/** Runs an LSP scenario; a failure carries the server's log and stderr, and the server is always killed. */
async function withServer(
  root: string,
  maxFileSizeKb: number,
  scenario: (session: LspClient) => Promise<void>,
): Promise<void> {
  let session: LspClient | undefined;
  try {
    session = await startSession(root, maxFileSizeKb);
    await scenario(session);
  } catch (error) {
    if (!session) throw error;
    const log = session.logs.map((l) => l.message).join('\n');
    const context = `\n--- server log ---\n${log.slice(0, 6000)}\n--- server stderr ---\n${session.stderr.slice(-3000)}`;
    if (error instanceof Error) error.message += context;
    throw error;
  } finally {
    session?.kill();
  }
}

function assertNoServerErrors(session: LspClient): void {
  const bad = session.logs.filter((l) => /uncaught|unhandled rejection|diagnostics failed/i.test(l.message));
  assert.deepEqual(
    bad.map((l) => l.message.slice(0, 2000)),
    [],
    'the server logged no uncaught error and no failed diagnostics pass',
  );
}

describe('fuzz: the language server process', () => {
  it(
    'didOpen/didChange of mutated texts and requests at random positions: every request answered, diagnostics for every document, clean exit',
    { timeout: 300_000 },
    async () => {
      const rng = new Rng(SEED ^ 0x15b);
      const root = temporaryFolder();
      const maxFileSizeKb = 256;
      // Projects on disk (the server finds their plans and parses their sources on workers), some files then opened.
      const candidates: [string, string][] = [];
      for (let p = 0; p < 4; p++) {
        const c = randomCase(rng, 1000 + p);
        for (const [rel, text] of c.files) {
          const file = path.join(root, `p${p}`, rel);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, text);
          if (!rel.endsWith('.env')) candidates.push([file, text]);
        }
      }
      await withServer(root, maxFileSizeKb, async (session) => {
        const docs = new Map<string, OpenDocument>();
        for (let i = 0; i < 14 && candidates.length > 0; i++) {
          const [file, text] = candidates.splice(rng.int(candidates.length), 1)[0];
          open(session, docs, file, rng.chance(0.5) ? mutate(text, rng).text : text);
        }
        const special = path.join(root, 'special');
        specialTexts().forEach(([, text], i) =>
          open(session, docs, path.join(special, i % 3 === 0 ? `s${i}.plan.yaml` : `s${i}.yaml`), text),
        );
        const huge = open(
          session,
          docs,
          path.join(root, 'special', 'huge.yaml'),
          oversized(K8S_DEPLOYMENT('huge', '1'), maxFileSizeKb * 1024),
        );
        // Texts with a lone \r are left to the dedicated test below (one known problem, not one per mutation).
        const outside = await awaitCurrentDiagnostics(session, docs, { skipLoneCr: true });
        const hugeDiagnostics = findLast(session.published, (p) => p.uri === huge.uri)!.diagnostics;
        assert.deepEqual(
          hugeDiagnostics.map((d) => d.code),
          ['manifest/too-large'],
          'a document over the cap has exactly one diagnostic',
        );

        // Edits and requests, interleaved.
        const list = [...docs.values()].filter((d) => d !== huge);
        let changes = 0;
        let requests = 0;
        for (let step = 0; step < 120; step++) {
          const d = rng.pick(list);
          const text = d.doc.getText();
          const position = () =>
            rng.chance(0.85)
              ? d.doc.positionAt(rng.int(text.length + 1))
              : { line: rng.int(lineLengths(text).length + 3), character: rng.int(300) };
          const op = rng.weighted([
            ['change', 5],
            ['hover', 3],
            ['completion', 3],
            ['definition', 2],
            ['codeLens', 1],
            ['documentSymbol', 1],
            ['codeAction', 2],
            ['report', 1],
          ] as const);
          if (op === 'change') {
            changes++;
            const version = d.doc.version + 1;
            let change: {
              range?: { start: { line: number; character: number }; end: { line: number; character: number } };
              text: string;
            };
            if (rng.chance(0.15)) change = { text: mutate(text, rng).text };
            else {
              const a = rng.int(text.length + 1);
              const b = Math.min(text.length, a + rng.int(40));
              const insert = rng.chance(0.5)
                ? rng.pick([
                    '',
                    ': ',
                    '- ',
                    '\n',
                    '  ',
                    'x',
                    '[',
                    '{',
                    '*a',
                    '&a ',
                    '#',
                    '\r\n',
                    '\ud800',
                    '\u0000',
                    'replicas: 3\n',
                    'cpu: 1e308\n',
                  ])
                : MUTATORS.insertToken('', rng);
              change = { range: { start: d.doc.positionAt(a), end: d.doc.positionAt(b) }, text: insert };
            }
            d.doc = TextDocument.update(d.doc, [change], version);
            d.versions.set(version, d.doc.getText());
            session.notify('textDocument/didChange', {
              textDocument: { uri: d.uri, version },
              contentChanges: [change],
            });
            continue;
          }
          requests++;
          if (op === 'report') {
            await session.tryRequest('consolidation/report', { uri: d.uri }, REQUEST_TIMEOUT_MS);
            continue;
          }
          const textDocument = { uri: d.uri };
          const params =
            op === 'codeLens' || op === 'documentSymbol'
              ? { textDocument }
              : op === 'codeAction'
                ? {
                    textDocument,
                    range: { start: position(), end: position() },
                    context: {
                      diagnostics: [
                        ...(findLast(session.published, (p) => p.uri === d.uri)?.diagnostics ?? []).slice(0, 5),
                        {
                          range: { start: position(), end: position() },
                          message: 'x',
                          source: 'consolidation',
                          data: rng.pick([
                            { fix: 'replace', replacement: 'y', title: 't' },
                            { fix: 'choose', replacements: ['a', 'b'], title: 't' },
                            { fix: 'choose' },
                            null,
                            'junk',
                            { fix: 'replace', replacement: 1 },
                          ]),
                        },
                      ],
                    },
                  }
                : { textDocument, position: position() };
          await session.tryRequest(`textDocument/${op}`, params, REQUEST_TIMEOUT_MS);
        }

        outside.push(...(await awaitCurrentDiagnostics(session, docs, { skipLoneCr: true })));
        const plan = list.find((d) => d.languageId === 'consolidation-plan');
        if (plan)
          await session.tryRequest(
            'textDocument/hover',
            { textDocument: { uri: plan.uri }, position: { line: 0, character: 0 } },
            REQUEST_TIMEOUT_MS,
          );
        await session.tryRequest('consolidation/listPlans', {}, REQUEST_TIMEOUT_MS);
        console.log(
          `lsp: ${docs.size} documents, ${changes} changes, ${requests} requests, ${session.published.length} publishDiagnostics, ${session.responseErrors.length} JSON-RPC errors`,
        );
        if (session.responseErrors.length > 0)
          console.log(
            `JSON-RPC errors answered by the server (allowed):\n${session.responseErrors.slice(0, 20).join('\n')}`,
          );
        const exitCode = await session.shutdown(REQUEST_TIMEOUT_MS);
        assertNoServerErrors(session);
        assert.deepEqual(
          [...new Set(outside)],
          [],
          'every diagnostic lies within the text of the version it was published for',
        );
        assert.equal(exitCode, 0, 'the server exits with 0 after shutdown/exit');
      });
    },
  );

  it(
    'large replicas with node pools: diagnostics are still published and requests answered',
    { timeout: 120_000 },
    async () => {
      const root = temporaryFolder();
      mkdirSync(path.join(root, 'manifests'));
      const manifestFile = path.join(root, 'manifests', 'api.yaml');
      writeFileSync(manifestFile, K8S_DEPLOYMENT('api', '1e308'));
      const planFile = path.join(root, 'big.plan.yaml');
      const planText =
        'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata:\n  name: big\nspec:\n  sources: [manifests/*.yaml]\n  budget:\n    cpu: "4"\n    memory: 8Gi\n    nodes:\n      - {name: pool, count: 2, cpu: "2", memory: 4Gi}\n';
      writeFileSync(planFile, planText);
      await withServer(root, 2048, async (session) => {
        const docs = new Map<string, OpenDocument>();
        open(session, docs, planFile, planText);
        open(session, docs, manifestFile, K8S_DEPLOYMENT('api', '1e308'));
        await session.tryRequest(
          'textDocument/hover',
          { textDocument: { uri: pathToFileURL(planFile).href }, position: { line: 8, character: 5 } },
          REQUEST_TIMEOUT_MS,
        );
        assert.deepEqual(await awaitCurrentDiagnostics(session, docs), []);
        assertNoServerErrors(session);
        assert.equal(await session.shutdown(REQUEST_TIMEOUT_MS), 0);
      });
    },
  );

  it(
    'a resource named toString (an Object.prototype key): diagnostics are still published',
    { timeout: 120_000 },
    async () => {
      const root = temporaryFolder();
      await withServer(root, 2048, async (session) => {
        const docs = new Map<string, OpenDocument>();
        open(session, docs, path.join(root, 'proto.yaml'), PROTOTYPE_RESOURCES);
        open(session, docs, path.join(root, 'ok.yaml'), K8S_DEPLOYMENT('ok', '1'));
        assert.deepEqual(await awaitCurrentDiagnostics(session, docs), []);
        assertNoServerErrors(session);
        assert.equal(await session.shutdown(REQUEST_TIMEOUT_MS), 0);
      });
    },
  );

  it(
    "diagnostic positions follow the protocol's line breaks (\\r\\n and a lone \\r)",
    { timeout: 120_000 },
    async () => {
      const root = temporaryFolder();
      // Each has a YAML syntax error near its end, so a diagnostic is placed on a later line.
      const broken = K8S_DEPLOYMENT('api', '1') + 'bad: [\n';
      await withServer(root, 2048, async (session) => {
        const docs = new Map<string, OpenDocument>();
        open(session, docs, path.join(root, 'crlf.yaml'), broken.replace(/\n/g, '\r\n'));
        open(session, docs, path.join(root, 'cr.yaml'), broken.replace(/\n/g, '\r'));
        open(session, docs, path.join(root, 'lf.yaml'), broken);
        const outside = await awaitCurrentDiagnostics(session, docs);
        const positions = (name: string) =>
          findLast(session.published, (p) => p.uri.endsWith(name))!.diagnostics.map((d) =>
            JSON.stringify(d.range.start),
          );
        assert.ok(positions('lf.yaml').length > 0, 'the LF file has a syntax diagnostic');
        assert.deepEqual(positions('crlf.yaml'), positions('lf.yaml'), 'CRLF: the same positions as LF');
        assert.deepEqual(
          positions('cr.yaml'),
          positions('lf.yaml'),
          'lone CR: the same positions as LF (the protocol counts \\r as a line break)',
        );
        assert.deepEqual(outside, []);
        assert.equal(await session.shutdown(REQUEST_TIMEOUT_MS), 0);
      });
    },
  );
});
