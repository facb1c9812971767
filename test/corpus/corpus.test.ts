// Real-world manifests (the read-only corpus described by ../shared/corpus/SOURCES.md) through the engine and the CLI.
//
// The expected numbers are computed here, independently of the engine: the YAML is parsed with the `yaml` package,
// quantities with the small parsers below, and Kubernetes defaulting (a limit without a request requests the limit;
// init containers count by the max rule) is applied by this file's own code. They are then tied to SOURCES.md's tables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { parseAllDocuments } from 'yaml';
import { parseDotEnv } from '../../server/src/engine/manifests/compose';
import { readManifestFile } from '../../server/src/engine/manifests/readManifestFile';
import type { Finding } from '../../server/src/engine/rules/types';
import type { StateReport } from '../../server/src/engine/report/report';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');
const PLANS = path.join(__dirname, 'plans');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const PRESENT = existsSync(path.join(CORPUS, 'SOURCES.md'));
const SKIP = PRESENT
  ? false
  : `corpus not found at ${CORPUS} (expected ../shared/corpus beside the repository): skipped`;

const Mi = 2 ** 20;
const Gi = 2 ** 30;

// ---- quantities (an independent, deliberately small implementation: it throws on anything the corpus does not use) ----

/** Kubernetes CPU quantity → integer millicores ("100m" → 100, "1.57" → 1570, 2 → 2000). */
function cpuMillis(raw: string | number): number {
  const text = String(raw).trim();
  const m = /^(\d+)(?:\.(\d+))?(m?)$/.exec(text);
  if (!m) throw new Error(`unexpected CPU quantity ${JSON.stringify(raw)}`);
  const [, whole, fraction = '', milli] = m;
  if (milli) {
    if (fraction.replace(/0+$/, '') !== '') throw new Error(`fractional millicores ${text}`);
    return Number(whole);
  }
  if (fraction.length > 3 && /[^0]/.test(fraction.slice(3))) throw new Error(`sub-millicore CPU ${text}`);
  return Number(whole) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
}

const BYTE_SUFFIX: Record<string, bigint> = {
  '': 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
  Ei: 2n ** 60n,
};

/** Kubernetes byte quantity (memory, ephemeral-storage) → integer bytes ("64Mi", "1Gi", "129e6" is not used). */
function bytes(raw: string | number): number {
  const text = String(raw).trim();
  const m = /^(\d+)(?:\.(\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(text);
  if (!m) throw new Error(`unexpected byte quantity ${JSON.stringify(raw)}`);
  const [, whole, fraction = '', suffix = ''] = m;
  const scale = 10n ** BigInt(fraction.length);
  const numerator = (BigInt(whole) * scale + BigInt(fraction || '0')) * BYTE_SUFFIX[suffix];
  if (numerator % scale !== 0n) throw new Error(`fractional bytes ${text}`);
  return Number(numerator / scale);
}

function quantity(resource: string, raw: string | number): number {
  return resource === 'cpu' ? cpuMillis(raw) : bytes(raw);
}

/** Docker memory size as compose writes it: b, k, m, g (binary, case-insensitive, optional trailing b). */
function dockerBytes(raw: string | number): number {
  const m = /^(\d+)\s*([bkmg]?)b?$/i.exec(String(raw).trim());
  if (!m) throw new Error(`unexpected Docker memory ${JSON.stringify(raw)}`);
  const unit = { '': 1, b: 1, k: 1024, m: Mi, g: Gi }[m[2].toLowerCase()]!;
  return Number(m[1]) * unit;
}

// ---- SOURCES.md ----

const SOURCES = PRESENT ? readFileSync(path.join(CORPUS, 'SOURCES.md'), 'utf8') : '';

interface TableRow {
  [column: string]: string;
}

/** The markdown table whose header row starts with `| firstHeader |`, as objects keyed by header. */
function markdownTable(firstHeader: string): Map<string, TableRow> {
  const lines = SOURCES.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  assert.notEqual(start, -1, `SOURCES.md has a table starting with "| ${firstHeader} |"`);
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const headers = cells(lines[start]);
  const rows = new Map<string, TableRow>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const values = cells(line);
    rows.set(values[0], Object.fromEntries(headers.map((h, i) => [h, values[i]])));
  }
  return rows;
}

// ---- the apps ----

interface App {
  key: string;
  /** Row name in SOURCES.md's first table and in its "Deployment resource sums" table. */
  sourcesRow: string;
  sumsRow: string;
  /** The primary Kubernetes set, as globs relative to the corpus. */
  primary: string[];
  /** The plan under test/corpus/plans reading exactly that set. */
  plan: string;
}

const APPS: App[] = [
  {
    key: 'online-boutique',
    sourcesRow: 'online-boutique',
    sumsRow: 'online-boutique',
    primary: ['online-boutique/release/kubernetes-manifests.yaml'],
    plan: 'online-boutique.plan.yaml',
  },
  {
    key: 'sock-shop',
    sourcesRow: 'sock-shop',
    sumsRow: 'sock-shop',
    primary: ['sock-shop/deploy/kubernetes/manifests/*'],
    plan: 'sock-shop.plan.yaml',
  },
  {
    key: 'dsb-socialNetwork',
    sourcesRow: 'deathstarbench (socialNetwork)',
    sumsRow: 'dsb-socialNetwork',
    primary: ['deathstarbench/socialNetwork/openshift/*.yaml'],
    plan: 'dsb-social-network.plan.yaml',
  },
  {
    key: 'dsb-hotelReservation',
    sourcesRow: 'deathstarbench (hotelReservation)',
    sumsRow: 'dsb-hotelReservation',
    primary: ['deathstarbench/hotelReservation/kubernetes/**'],
    plan: 'dsb-hotel-reservation.plan.yaml',
  },
  {
    key: 'bookinfo',
    sourcesRow: 'bookinfo',
    sumsRow: 'bookinfo',
    primary: ['bookinfo/samples/bookinfo/platform/kube/bookinfo.yaml'],
    plan: 'bookinfo.plan.yaml',
  },
  {
    key: 'aks-store-demo',
    sourcesRow: 'aks-store-demo',
    sumsRow: 'aks-store-demo',
    primary: ['aks-store-demo/aks-store-all-in-one.yaml'],
    plan: 'aks-store-demo.plan.yaml',
  },
  {
    key: 'otel-demo',
    sourcesRow: 'otel-demo',
    sumsRow: 'otel-demo',
    primary: ['otel-demo/kubernetes/opentelemetry-demo.yaml'],
    plan: 'otel-demo.plan.yaml',
  },
];

/** Compose files and the service count SOURCES.md's "compose svcs" column gives for them (one file each). */
const COMPOSE_FILES: { file: string; sourcesRow: string; services: number }[] = [
  { file: 'sock-shop/deploy/docker-compose/docker-compose.yml', sourcesRow: 'sock-shop', services: 15 },
  {
    file: 'deathstarbench/socialNetwork/docker-compose.yml',
    sourcesRow: 'deathstarbench (socialNetwork)',
    services: 27,
  },
  {
    file: 'deathstarbench/hotelReservation/docker-compose.yml',
    sourcesRow: 'deathstarbench (hotelReservation)',
    services: 24,
  },
  { file: 'aks-store-demo/docker-compose.yml', sourcesRow: 'aks-store-demo', services: 10 },
  { file: 'eshoponcontainers/src/docker-compose.yml', sourcesRow: 'eshoponcontainers', services: 21 },
];

const OTEL_COMPOSE = ['otel-demo/compose.yaml', 'otel-demo/compose.full.yaml', 'otel-demo/compose.observability.yaml'];

function primaryFiles(app: App): string[] {
  const files = globSync(app.primary, { cwd: CORPUS, absolute: true, dot: false })
    .map((f) => path.resolve(f))
    .sort();
  assert.ok(files.length > 0, `${app.key}: primary globs ${app.primary.join(', ')} match files`);
  return files;
}

// ---- an independent model of the Kubernetes objects ----

type Resources = Record<string, string | number>;
interface Ctr {
  name: string;
  requests: Resources;
  limits: Resources;
  declaresNothing: boolean;
}
interface Workload {
  kind: string;
  name: string;
  namespace?: string;
  replicas: number;
  containers: Ctr[];
  init: Ctr[];
  podLabels: Record<string, string>;
}
interface Service {
  name: string;
  namespace?: string;
  selector: Record<string, string>;
  file: string;
}
interface KubeSet {
  kinds: Record<string, number>;
  workloads: Workload[];
  services: Service[];
}

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
type Obj = Record<string, any>;

function containersOf(list: unknown): Ctr[] {
  return (Array.isArray(list) ? list : []).map((c: Obj) => ({
    name: String(c.name),
    requests: { ...(c.resources?.requests ?? {}) },
    limits: { ...(c.resources?.limits ?? {}) },
    declaresNothing:
      Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0,
  }));
}

function readKubeSet(files: string[]): KubeSet {
  const set: KubeSet = { kinds: {}, workloads: [], services: [] };
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file} parses with the yaml package`);
      const obj = doc.toJS({ maxAliasCount: -1 }) as Obj | null;
      if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string' || obj.apiVersion === undefined) continue;
      set.kinds[obj.kind] = (set.kinds[obj.kind] ?? 0) + 1;
      const namespace: string | undefined = obj.metadata?.namespace;
      if (obj.kind === 'Service') {
        set.services.push({ name: obj.metadata.name, namespace, selector: obj.spec?.selector ?? {}, file });
        continue;
      }
      let template: Obj | undefined;
      if (POD_TEMPLATE_KINDS.has(obj.kind)) template = obj.spec?.template;
      else if (obj.kind === 'CronJob') template = obj.spec?.jobTemplate?.spec?.template;
      else if (obj.kind === 'Pod') template = obj;
      if (!template) continue;
      const replicas =
        obj.kind === 'Deployment' || obj.kind === 'StatefulSet' || obj.kind === 'ReplicaSet'
          ? (obj.spec?.replicas ?? 1)
          : 1;
      set.workloads.push({
        kind: obj.kind,
        name: obj.metadata.name,
        namespace,
        replicas,
        containers: containersOf(template.spec?.containers),
        init: containersOf(template.spec?.initContainers),
        podLabels: template.metadata?.labels ?? {},
      });
    }
  }
  return set;
}

function addTo(target: Record<string, number>, resources: Resources, times = 1): void {
  for (const [name, raw] of Object.entries(resources)) target[name] = (target[name] ?? 0) + quantity(name, raw) * times;
}

/** SOURCES.md's "Deployment resource sums": declared values only, Deployments' app containers, no defaulting. */
function declaredDeploymentSums(set: KubeSet) {
  const deployments = set.workloads.filter((w) => w.kind === 'Deployment');
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  const lacking = { reqCpu: 0, reqMem: 0, limCpu: 0, limMem: 0 };
  let pods = 0;
  for (const w of deployments) {
    pods += w.replicas;
    for (const c of w.containers) {
      addTo(requests, c.requests, w.replicas);
      addTo(limits, c.limits, w.replicas);
      if (c.requests.cpu === undefined) lacking.reqCpu++;
      if (c.requests.memory === undefined) lacking.reqMem++;
      if (c.limits.cpu === undefined) lacking.limCpu++;
      if (c.limits.memory === undefined) lacking.limMem++;
    }
  }
  return { deployments: deployments.length, pods, requests, limits, lacking };
}

/** What Kubernetes would count for one container: a limit without a request requests the limit. */
function effective(c: Ctr): { requests: Record<string, number>; limits: Record<string, number> } {
  const limits: Record<string, number> = {};
  addTo(limits, c.limits);
  const requests: Record<string, number> = { ...limits };
  for (const [name, raw] of Object.entries(c.requests)) requests[name] = quantity(name, raw);
  return { requests, limits };
}

/** The current state `consolidate report` must print for a plan reading exactly this set (no budget, so a DaemonSet runs on 1 node). */
function expectedCurrentState(set: KubeSet) {
  const totals = {
    workloads: 0,
    pods: 0,
    jobs: 0,
    requests: {} as Record<string, number>,
    limits: {} as Record<string, number>,
    unlimitedContainers: { cpu: 0, memory: 0 },
  };
  for (const w of set.workloads) {
    if (w.kind === 'Job' || w.kind === 'CronJob') {
      totals.jobs++;
      continue;
    }
    const pods = w.kind === 'DaemonSet' ? 1 : w.replicas;
    const app = { requests: {} as Record<string, number>, limits: {} as Record<string, number> };
    for (const c of w.containers) {
      const e = effective(c);
      for (const [k, v] of Object.entries(e.requests)) app.requests[k] = (app.requests[k] ?? 0) + v;
      for (const [k, v] of Object.entries(e.limits)) app.limits[k] = (app.limits[k] ?? 0) + v;
      if (e.limits.cpu === undefined) totals.unlimitedContainers.cpu += pods;
      if (e.limits.memory === undefined) totals.unlimitedContainers.memory += pods;
    }
    // Init containers run one at a time before the app containers: the pod needs the larger of the two.
    for (const c of w.init) {
      const e = effective(c);
      for (const [k, v] of Object.entries(e.requests)) app.requests[k] = Math.max(app.requests[k] ?? 0, v);
      for (const [k, v] of Object.entries(e.limits)) app.limits[k] = Math.max(app.limits[k] ?? 0, v);
    }
    totals.workloads++;
    totals.pods += pods;
    for (const [k, v] of Object.entries(app.requests)) totals.requests[k] = (totals.requests[k] ?? 0) + v * pods;
    for (const [k, v] of Object.entries(app.limits)) totals.limits[k] = (totals.limits[k] ?? 0) + v * pods;
  }
  const withCpuMemory = ({ cpu = 0, memory = 0, ...rest }: Record<string, number>) => ({ cpu, memory, ...rest });
  return { ...totals, requests: withCpuMemory(totals.requests), limits: withCpuMemory(totals.limits) };
}

/** Limits of Deployment app containers that set the limit but not the request (Kubernetes requests the limit for them). */
function defaultedRequests(set: KubeSet): { cpu: number; memory: number } {
  const out = { cpu: 0, memory: 0 };
  for (const w of set.workloads.filter((x) => x.kind === 'Deployment')) {
    for (const c of w.containers) {
      for (const r of ['cpu', 'memory'] as const) {
        if (c.requests[r] === undefined && c.limits[r] !== undefined) out[r] += quantity(r, c.limits[r]) * w.replicas;
      }
    }
  }
  return out;
}

/** Services whose selector matches no pod template in their namespace, by this file's own reading. */
function servicesSelectingNothing(set: KubeSet): string[] {
  const ns = (n: string | undefined) => n ?? 'default';
  return set.services
    .filter((s) => Object.keys(s.selector).length > 0)
    .filter(
      (s) =>
        !set.workloads.some(
          (w) =>
            ns(w.namespace) === ns(s.namespace) && Object.entries(s.selector).every(([k, v]) => w.podLabels[k] === v),
        ),
    )
    .map((s) => s.name)
    .sort();
}

// ---- the CLI ----

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), `${CLI} exists (run \`npm run build\` first)`);
  // The corpus plans read the shared corpus, outside this repository: --workspace / lets them.
  const run = spawnSync(process.execPath, [CLI, ...args, '--workspace', '/'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

type ReportState = StateReport;

function reportCurrentState(planFile: string): ReportState {
  const run = cli(['report', path.relative(REPO_ROOT, planFile), '--format', 'json']);
  assert.equal(run.status, 0, `report ${planFile} exits 0; stderr: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { states: ReportState[] };
  assert.equal(report.states[0].phase, null);
  return report.states[0];
}

interface CheckDiagnostic {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

function check(paths: string[]): { status: number | null; diagnostics: CheckDiagnostic[] } {
  const run = cli(['check', ...paths, '--format', 'json']);
  assert.ok(run.status === 0 || run.status === 1, `check exits 0 or 1, not ${run.status}; stderr: ${run.stderr}`);
  return {
    status: run.status,
    diagnostics: (JSON.parse(run.stdout) as { diagnostics: CheckDiagnostic[] }).diagnostics,
  };
}

function assertRangesWithin(findings: Finding[], textOf: (file: string) => string | undefined): void {
  for (const f of findings) {
    for (const location of [f.location, ...(f.related ?? []).map((r) => r.location)]) {
      const text = textOf(location.file);
      assert.ok(text !== undefined, `${f.code}: file ${location.file} is known`);
      const { start, end } = location.range;
      assert.ok(
        Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length,
        `${f.code} range ${start}-${end} within ${text.length} chars of ${location.file}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------

describe('corpus: every YAML file loads', { skip: SKIP }, () => {
  it('readManifestFile and ConsolidationWorkspace.manifest read every file without throwing or a YAML syntax finding', () => {
    const files = globSync(['**/*.yaml', '**/*.yml'], { cwd: CORPUS, absolute: true, dot: true })
      .map((f) => path.resolve(f))
      .sort();
    assert.ok(files.length >= 120, `found ${files.length} YAML files`);
    const primary = new Set(APPS.flatMap(primaryFiles));
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // Every file of the corpus is valid YAML to the yaml package itself...
      for (const doc of parseAllDocuments(text))
        assert.deepEqual(
          doc.errors.map((e) => e.message),
          [],
          `${file} is valid YAML`,
        );
      const envFile = path.join(path.dirname(file), '.env');
      const composeEnv = existsSync(envFile) ? parseDotEnv(readFileSync(envFile, 'utf8')) : {};
      const direct = readManifestFile(file, text, { maxBytes: DEFAULT_OPTIONS.maxFileBytes, composeEnv });
      const manifest = workspace.manifest(file);
      assert.ok(manifest, `${file} is read by the workspace`);
      const findings = workspace.findings.manifest(file);
      assertRangesWithin(findings, (f) => (f === file ? text : undefined));
      // ...so the engine must not report a syntax problem in any of them, primary files first.
      const syntax = [...direct.syntaxProblems, ...manifest.syntaxProblems].map((p) => `${p.code}: ${p.message}`);
      assert.deepEqual(
        syntax,
        [],
        `${path.relative(CORPUS, file)}${primary.has(file) ? ' (primary)' : ''} has no syntax/too-large problem`,
      );
      assert.deepEqual(
        findings.filter((f) => f.code === 'manifest/yaml-syntax' || f.code === 'manifest/too-large'),
        [],
      );
      if (primary.has(file)) assert.equal(manifest.format, 'kubernetes', `${file} is read as Kubernetes`);
      assert.equal(direct.workloads.length, manifest.workloads.length);
      assert.equal(direct.services.length, manifest.services.length);
    }
  });

  it('compose files are read as compose with the service counts SOURCES.md gives', () => {
    const table = markdownTable('short-name');
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    for (const { file, sourcesRow, services } of COMPOSE_FILES) {
      assert.equal(
        table.get(sourcesRow)?.['compose svcs'],
        String(services),
        `SOURCES.md: ${sourcesRow} has ${services} compose services`,
      );
      const absolute = path.join(CORPUS, file);
      const independent = Object.keys(
        (parseAllDocuments(readFileSync(absolute, 'utf8'))[0].toJS() as Obj).services,
      ).length;
      assert.equal(independent, services, `${file}: ${services} services`);
      const manifest = workspace.manifest(absolute)!;
      assert.equal(manifest.format, 'compose');
      assert.equal(manifest.workloads.length, services, `${file}: the engine reads ${services} services`);
    }
  });
});

describe(
  'corpus: declared sums match SOURCES.md, and the report applies only Kubernetes defaulting',
  { skip: SKIP },
  () => {
    const sums = PRESENT ? markdownTable('app') : new Map<string, TableRow>();
    const main = PRESENT ? markdownTable('short-name') : new Map<string, TableRow>();

    /**
     * StatefulSets, from SOURCES.md's prose (checked to be still written there):
     * "aks-store has 2 STS with 15m/275m CPU and 203Mi/1280Mi memory. otel has 1 opensearch STS with a 1-core CPU
     * request, no CPU limit, and 100Mi/1100Mi memory."
     */
    const STATEFULSETS: Record<
      string,
      { count: number; requests: { cpu: number; memory: number }; limits: { cpu: number; memory: number } }
    > = {
      'aks-store-demo': { count: 2, requests: { cpu: 15, memory: 203 * Mi }, limits: { cpu: 275, memory: 1280 * Mi } },
      'otel-demo': { count: 1, requests: { cpu: 1000, memory: 100 * Mi }, limits: { cpu: 0, memory: 1100 * Mi } },
    };

    /** The report's current state, written out per app (and derived from SOURCES.md below). */
    const EXPECTED_REPORT: Record<
      string,
      {
        workloads: number;
        requests: { cpu: number; memory: number };
        limits: { cpu: number; memory: number };
        unlimited: { cpu: number; memory: number };
      }
    > = {
      'online-boutique': {
        workloads: 12,
        requests: { cpu: 1570, memory: 1368 * Mi },
        limits: { cpu: 2825, memory: 2542 * Mi },
        unlimited: { cpu: 0, memory: 0 },
      },
      'sock-shop': {
        workloads: 14,
        requests: { cpu: 799, memory: 1700 * Mi },
        limits: { cpu: 2400, memory: 3600 * Mi },
        unlimited: { cpu: 7, memory: 7 },
      },
      'dsb-socialNetwork': {
        workloads: 31,
        requests: { cpu: 0, memory: 0 },
        limits: { cpu: 0, memory: 0 },
        unlimited: { cpu: 31, memory: 31 },
      },
      'dsb-hotelReservation': {
        workloads: 19,
        requests: { cpu: 1900, memory: 0 },
        limits: { cpu: 19000, memory: 0 },
        unlimited: { cpu: 0, memory: 19 },
      },
      bookinfo: {
        workloads: 6,
        requests: { cpu: 0, memory: 0 },
        limits: { cpu: 0, memory: 0 },
        unlimited: { cpu: 6, memory: 6 },
      },
      // Deployments + the 2 StatefulSets.
      'aks-store-demo': {
        workloads: 9,
        requests: { cpu: 7 + 15, memory: (459 + 203) * Mi },
        limits: { cpu: 2111 + 275, memory: (1360 + 1280) * Mi },
        unlimited: { cpu: 0, memory: 0 },
      },
      // No Deployment container declares a request: each requests its limits (3 Grafana sidecars' 100m CPU; all 28
      // memory limits), plus the opensearch StatefulSet (1 core, 100Mi requested; 1100Mi memory limit, no CPU limit).
      'otel-demo': {
        workloads: 25,
        requests: { cpu: 300 + 1000, memory: (5980 + 100) * Mi },
        limits: { cpu: 300, memory: (5980 + 1100) * Mi },
        unlimited: { cpu: 25 + 1, memory: 0 },
      },
    };

    it('SOURCES.md still states the StatefulSet figures used here', () => {
      assert.match(SOURCES, /aks-store has 2 STS with 15m\/275m CPU and 203Mi\/1280Mi memory\./);
      assert.match(
        SOURCES,
        /otel has 1 opensearch STS with a 1-core CPU request, no CPU limit, and 100Mi\/1100Mi memory\./,
      );
    });

    for (const app of APPS) {
      it(`${app.key}: object counts and Deployment sums equal SOURCES.md's tables`, () => {
        const set = readKubeSet(primaryFiles(app));
        const row = sums.get(app.sumsRow);
        const mainRow = main.get(app.sourcesRow);
        assert.ok(row && mainRow, `SOURCES.md has rows for ${app.key}`);

        const [deploys, sts, ds, svc] = mainRow['Deploy/STS/DS/Svc'].split('/').map(Number);
        assert.deepEqual(
          {
            deploys: set.kinds.Deployment ?? 0,
            sts: set.kinds.StatefulSet ?? 0,
            ds: set.kinds.DaemonSet ?? 0,
            svc: set.kinds.Service ?? 0,
          },
          { deploys, sts, ds, svc },
        );
        const containers = set.workloads
          .filter((w) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(w.kind))
          .flatMap((w) => w.containers);
        const withCounts = /^(\d+)\/(\d+) of (\d+)/.exec(mainRow['containers w/ requests / w/ limits'])!;
        assert.deepEqual(
          [
            containers.filter((c) => Object.keys(c.requests).length > 0).length,
            containers.filter((c) => Object.keys(c.limits).length > 0).length,
            containers.length,
          ],
          withCounts.slice(1).map(Number),
          'containers with requests / with limits / all',
        );

        const declared = declaredDeploymentSums(set);
        const [tableDeploys, tablePods] = row['Deploys/pods'].split('/').map(Number);
        const lacking = row['containers lacking reqCPU/reqMem/limCPU/limMem'].split('/').map(Number);
        assert.deepEqual(
          {
            deployments: declared.deployments,
            pods: declared.pods,
            cpuRequests: declared.requests.cpu ?? 0,
            cpuLimits: declared.limits.cpu ?? 0,
            memoryRequests: declared.requests.memory ?? 0,
            memoryLimits: declared.limits.memory ?? 0,
            lacking: [
              declared.lacking.reqCpu,
              declared.lacking.reqMem,
              declared.lacking.limCpu,
              declared.lacking.limMem,
            ],
          },
          {
            deployments: tableDeploys,
            pods: tablePods,
            cpuRequests: cpuMillis(row['CPU req']),
            cpuLimits: cpuMillis(row['CPU lim']),
            memoryRequests: bytes(row['Mem req']),
            memoryLimits: bytes(row['Mem lim']),
            lacking,
          },
        );
        const statefulSets = STATEFULSETS[app.key];
        if (statefulSets) {
          const only: KubeSet = { ...set, workloads: set.workloads.filter((w) => w.kind === 'StatefulSet') };
          const state = expectedCurrentState(only);
          assert.equal(state.workloads, statefulSets.count);
          assert.deepEqual({ cpu: state.requests.cpu, memory: state.requests.memory }, statefulSets.requests);
          assert.deepEqual({ cpu: state.limits.cpu, memory: state.limits.memory }, statefulSets.limits);
        }
      });

      it(`${app.key}: consolidate report's current state is the declared sums plus only what Kubernetes defaulting adds`, () => {
        const set = readKubeSet(primaryFiles(app));
        const row = sums.get(app.sumsRow)!;
        const expected = expectedCurrentState(set);
        const got = reportCurrentState(path.join(PLANS, app.plan));

        // 1. Exactly the numbers computed here from the declared per-container values.
        assert.deepEqual(
          {
            workloads: got.workloads,
            pods: got.pods,
            jobs: got.jobs,
            requests: got.requests,
            limits: got.limits,
            unlimitedContainers: got.unlimitedContainers,
          },
          expected,
        );

        // 2. The arithmetic link to SOURCES.md: table sums + limits of containers that request their limit + StatefulSets.
        const defaulted = defaultedRequests(set);
        const statefulSets = STATEFULSETS[app.key] ?? {
          count: 0,
          requests: { cpu: 0, memory: 0 },
          limits: { cpu: 0, memory: 0 },
        };
        const [tableDeploys, tablePods] = row['Deploys/pods'].split('/').map(Number);
        assert.equal(got.workloads, tableDeploys + statefulSets.count);
        assert.equal(got.pods, tablePods + statefulSets.count);
        assert.deepEqual(got.requests, {
          cpu: cpuMillis(row['CPU req']) + defaulted.cpu + statefulSets.requests.cpu,
          memory: bytes(row['Mem req']) + defaulted.memory + statefulSets.requests.memory,
        });
        assert.deepEqual(got.limits, {
          cpu: cpuMillis(row['CPU lim']) + statefulSets.limits.cpu,
          memory: bytes(row['Mem lim']) + statefulSets.limits.memory,
        });

        // 3. The same numbers written out.
        const written = EXPECTED_REPORT[app.key];
        assert.deepEqual(
          { workloads: got.workloads, requests: got.requests, limits: got.limits, unlimited: got.unlimitedContainers },
          written,
        );
      });
    }

    it('where every container declares its requests, report requests equal SOURCES.md exactly (online-boutique, sock-shop, hotelReservation CPU)', () => {
      const boutique = reportCurrentState(path.join(PLANS, 'online-boutique.plan.yaml'));
      assert.deepEqual(boutique.requests, { cpu: 1570, memory: 1368 * Mi });
      assert.deepEqual(boutique.limits, { cpu: 2825, memory: 2542 * Mi });
      // sock-shop's 7 containers without requests have no limits either: nothing is defaulted.
      const sock = reportCurrentState(path.join(PLANS, 'sock-shop.plan.yaml'));
      assert.deepEqual(sock.requests, { cpu: 799, memory: 1700 * Mi });
      const hotel = reportCurrentState(path.join(PLANS, 'dsb-hotel-reservation.plan.yaml'));
      assert.deepEqual(hotel.requests, { cpu: 1900, memory: 0 });
    });
  },
);

describe('corpus: otel-demo compose layering', { skip: SKIP }, () => {
  it('compose.yaml + compose.full.yaml + compose.observability.yaml: 28 services, memory limits 6911Mi', () => {
    // Independently: later files override a service's deploy.resources.limits.memory.
    const limits = new Map<string, number | undefined>();
    for (const file of OTEL_COMPOSE) {
      const services = (
        parseAllDocuments(readFileSync(path.join(CORPUS, file), 'utf8'))[0].toJS({ maxAliasCount: -1 }) as Obj
      ).services as Record<string, Obj>;
      for (const [name, service] of Object.entries(services)) {
        const memory = service?.deploy?.resources?.limits?.memory;
        if (memory !== undefined) limits.set(name, dockerBytes(memory));
        else if (!limits.has(name)) limits.set(name, undefined);
      }
    }
    assert.equal(limits.size, 28);
    assert.ok(
      [...limits.values()].every((v) => v !== undefined),
      'all 28 services have memory limits',
    );
    const total = [...limits.values()].reduce<number>((sum, v) => sum + v!, 0);
    assert.equal(total, 6911 * Mi);
    assert.equal(total, 7246708736);
    assert.match(SOURCES, /28 services, 6911Mi in total when the 3 layered files are merged/);

    const got = reportCurrentState(path.join(PLANS, 'otel-demo-compose.plan.yaml'));
    assert.equal(got.workloads, 28);
    assert.equal(got.pods, 28);
    assert.equal(got.jobs, 0);
    assert.equal(got.limits.memory, 7246708736);
    assert.equal(got.limits.cpu, 0);
    // The same defaulting rule: a limit without a reservation requests the limit.
    assert.equal(got.requests.memory, 7246708736);
    assert.deepEqual(got.unlimitedContainers, { cpu: 28, memory: 0 });
  });
});

describe('corpus: no false positives', { skip: SKIP }, () => {
  /** Codes a reviewer would accept on this corpus: containers that declare nothing are worth a note. */
  const JUSTIFIED = new Set(['manifest/missing-resources']);

  for (const app of APPS) {
    it(`${app.key}: consolidate check on the primary set reports only justified findings`, () => {
      const files = primaryFiles(app);
      const set = readKubeSet(files);
      const { status, diagnostics } = check(files);
      const codes = new Set(diagnostics.map((d) => d.code));
      assert.deepEqual(
        [...codes].filter((c) => !JUSTIFIED.has(c)),
        [],
        `unexpected codes: ${JSON.stringify(
          diagnostics.filter((d) => !JUSTIFIED.has(d.code)),
          null,
          1,
        )}`,
      );
      assert.equal(status, 0);

      // One note per app container that declares neither requests nor limits, on that container.
      const bare = set.workloads
        .flatMap((w) => w.containers.filter((c) => c.declaresNothing).map((c) => `${w.name}/${c.name}`))
        .sort();
      const missing = diagnostics.filter((d) => d.code === 'manifest/missing-resources');
      assert.equal(missing.length, bare.length);
      for (const d of missing) {
        assert.equal(d.severity, 'information');
        const line = readFileSync(path.resolve(REPO_ROOT, d.file), 'utf8').split('\n')[d.range.start.line];
        assert.match(
          line,
          /\b(name|resources)\s*:/,
          `${d.file}:${d.range.start.line + 1} points at a container: ${line}`,
        );
      }
      assert.deepEqual(missing.map((d) => /^(\S+) declares no resource/.exec(d.message)?.[1]).sort(), bare);

      // Every Service selects a pod of its own file set (checked here by reading the objects, not by the engine).
      assert.deepEqual(servicesSelectingNothing(set), []);
      assert.deepEqual(
        diagnostics.filter((d) => d.code === 'manifest/service-selects-nothing'),
        [],
      );
    });

    it(`${app.key}: the corpus plan checks clean (sources resolve, nothing but justified notes)`, () => {
      const { status, diagnostics } = check([path.join(PLANS, app.plan)]);
      assert.equal(status, 0);
      assert.deepEqual(
        diagnostics.filter((d) => !JUSTIFIED.has(d.code)),
        [],
      );
    });
  }

  it('the SOURCES.md "lacking" counts of apps with bare containers equal the missing-resources notes', () => {
    const sums = markdownTable('app');
    for (const [app, rowName] of [
      ['sock-shop', 'sock-shop'],
      ['dsb-socialNetwork', 'dsb-socialNetwork'],
      ['bookinfo', 'bookinfo'],
    ] as const) {
      const lacking = sums.get(rowName)!['containers lacking reqCPU/reqMem/limCPU/limMem'].split('/').map(Number);
      const { diagnostics } = check(primaryFiles(APPS.find((a) => a.key === app)!));
      assert.deepEqual(
        lacking,
        Array(4).fill(diagnostics.filter((d) => d.code === 'manifest/missing-resources').length),
        app,
      );
    }
  });

  it('the whole corpus checked at once (all apps, duplicates and compose files together) has no error or warning', () => {
    const { status, diagnostics } = check([CORPUS]);
    assert.equal(status, 0);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'),
      [],
    );
    // Compose `environment` values that .env leaves to the shell (eShop's keys, sock-shop's MYSQL_ROOT_PASSWORD):
    // notes, each naming a variable that is used in that entry without a default and that no .env beside it sets.
    const variables = diagnostics.filter((d) => d.code === 'manifest/compose-variable');
    for (const d of variables) {
      assert.equal(d.severity, 'information', d.message);
      const [, field, name] =
        /^services\..+\.(environment\S*): variable (\w+) is not set in \.env;/.exec(d.message) ?? [];
      assert.ok(field && name, d.message);
      const line = readFileSync(path.resolve(REPO_ROOT, d.file), 'utf8').split('\n')[d.range.start.line];
      assert.ok(
        line.includes(`\${${name}}`) || line.includes(`$${name}`),
        `${d.file}:${d.range.start.line + 1} uses ${name}: ${line}`,
      );
      const envFile = path.join(path.dirname(path.resolve(REPO_ROOT, d.file)), '.env');
      assert.ok(
        !existsSync(envFile) || !Object.hasOwn(parseDotEnv(readFileSync(envFile, 'utf8')), name),
        `${name} is not in ${envFile}`,
      );
    }
    assert.deepEqual(
      [...new Set(diagnostics.map((d) => d.code))].filter(
        (c) => !JUSTIFIED.has(c) && c !== 'manifest/compose-variable',
      ),
      [],
    );
  });

  it('each manifest checked on its own, as an editor with one file open does, has no cross-file finding', () => {
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const files = globSync(['**/*.yaml', '**/*.yml'], { cwd: CORPUS, absolute: true }).map((f) => path.resolve(f));
    // manifest/missing-resources is read with the LimitRanges of the files checked together, so it is a set finding
    // too; on its own a file can only have the notes the whole corpus check gives it (no LimitRange in the corpus).
    for (const file of files)
      assert.deepEqual(
        workspace.findings.fileAlone(file).filter((f) => f.code !== 'manifest/missing-resources'),
        [],
        file,
      );
  });
});
