// Kustomize and Helm sources rendered with the user's own tools: the real `kubectl kustomize` on the
// online-boutique tree and on small overlays, positions mapped back to the files, the cache, and the
// security limits (untrusted workspace, paths outside it, tools that hang or print without end).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../../../server/src/engine/report/report';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../../../server/src/engine/workspace/diagnose';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import type {
  RenderOutcome,
  RenderRequest,
  SourceRenderer,
} from '../../../server/src/engine/workspace/renderedSources';
import { findExecutable, ToolRenderer, type ToolOptions } from '../../../server/src/tools/toolRenderer';
import { takeOriginAnnotations } from '../../../server/src/engine/workspace/originAnnotations';
import type { Finding } from '../../../server/src/engine/rules/types';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';

const BOUTIQUE = '/work/shared/templated/online-boutique-kustomize';
const HELM_GOLDEN = '/work/shared/templated/helm-golden';
const MI = 1024 * 1024;

const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));
function temp(files: Record<string, string> = {}, copyFrom?: string): TempWorkspace {
  const ws = tempWorkspace({ files, copyFrom });
  temps.push(ws);
  return ws;
}

function plan(sources: string[]): string {
  return [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata:',
    '  name: t',
    'spec:',
    '  sources:',
    ...sources.map((s) => `    - ${s}`),
    '  phases: []',
    '',
  ].join('\n');
}

/** A workspace rooted at `dir` that renders with the given renderer (the real tools by default). */
function workspaceAt(dir: string, renderer: SourceRenderer | 'untrusted' = new ToolRenderer()): ConsolidationWorkspace {
  const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  ws.setSourceRenderer(renderer === 'untrusted' ? undefined : renderer, () => [dir]);
  return ws;
}

/** The plan once its sources are rendered (renders run as child processes: awaited, as the CLI does). */
async function settledPlan(ws: ConsolidationWorkspace, planFile: string) {
  await ws.renderSourcesOf([planFile]);
  return ws.plan(planFile)!;
}

async function current(ws: ConsolidationWorkspace, planFile: string) {
  return buildReport(await settledPlan(ws, planFile), path.dirname(planFile)).states[0];
}

async function findings(ws: ConsolidationWorkspace, planFile: string): Promise<Finding[]> {
  await ws.renderSourcesOf([planFile]);
  return [...diagnose(ws, { plans: [planFile], manifests: [], orphanScope: 'together' }).values()].flatMap(
    flattenParts,
  );
}

function lineOf(file: string, offset: number): string {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end === -1 ? undefined : end);
}

describe('Kustomize tool on this machine', () => {
  it('finds kustomize or kubectl (these tests need the real one)', async () => {
    const tool = findExecutable('kustomize') ?? findExecutable('kubectl');
    assert.ok(
      tool,
      'neither kustomize nor kubectl is on PATH: the Kustomize tests cannot run (install kubectl 1.32+ or kustomize 5)',
    );
  });
});

describe('online-boutique Kustomize builds through the engine (totals of SOURCES.md)', () => {
  const ws = temp({}, BOUTIQUE);
  const components = fs.readdirSync(path.join(ws.dir, 'kustomize/components'));
  assert.equal(components.length, 15);
  // Each component applied alone onto the base, as SOURCES.md built it.
  for (const component of components) {
    ws.write(
      `kustomize/alone/${component}/kustomization.yaml`,
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\ncomponents:\n  - ../../components/${component}\n`,
    );
  }
  type Totals = [
    workloads: number,
    cpu: number,
    cpuLimit: number,
    memMi: number,
    memLimitMi: number,
    unlimited: number,
  ];
  const BASE: Totals = [12, 1570, 2825, 1368, 2542, 0];
  const expected: Record<string, Totals> = {
    kustomize: BASE,
    'kustomize/base': BASE,
    'kustomize/tests/memorystore-with-all-components': [12, 1500, 2700, 1168, 2286, 1],
    'kustomize/tests/spanner-with-all-components': [12, 1500, 2700, 1168, 2286, 1],
    'kustomize/tests/service-mesh-istio-with-all-components': [13, 1570, 2825, 1368, 2542, 1],
  };
  for (const component of components) {
    expected[`kustomize/alone/${component}`] =
      component === 'without-loadgenerator'
        ? [11, 1270, 2325, 1112, 2030, 0]
        : ['memorystore', 'spanner', 'alloydb'].includes(component)
          ? [11, 1500, 2700, 1168, 2286, 0]
          : component === 'shopping-assistant'
            ? [13, 1670, 3025, 1432, 2670, 0]
            : component === 'google-cloud-operations'
              ? [13, 1570, 2825, 1368, 2542, 1]
              : BASE;
  }
  const renderer = new ToolRenderer();
  const workspace = workspaceAt(ws.dir, renderer);
  for (const [dir, [workloads, cpu, cpuLimit, memMi, memLimitMi, unlimited]] of Object.entries(expected)) {
    it(`${dir}: ${workloads} workloads, ${cpu}m / ${cpuLimit}m CPU, ${memMi}Mi / ${memLimitMi}Mi`, async () => {
      const planFile = ws.write(`plans/${dir.replace(/\//g, '_')}.plan.yaml`, plan([`kustomize: ../${dir}`]));
      assert.deepEqual(
        (await findings(workspace, planFile)).filter((f) => f.code === 'plan/source-render'),
        [],
      );
      const state = await current(workspace, planFile);
      assert.deepEqual(
        [
          state.workloads,
          state.pods,
          state.requests.cpu,
          state.limits.cpu,
          state.requests.memory,
          state.limits.memory,
          state.unlimitedContainers.cpu,
          state.unlimitedContainers.memory,
        ],
        [workloads, workloads, cpu, cpuLimit, memMi * MI, memLimitMi * MI, unlimited, unlimited],
      );
    });
  }
});

/** A small Kustomize tree: a base and an overlay using every common transformer. */
function overlayTree(): TempWorkspace {
  return temp({
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
    'base/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  replicas: 1',
      '  selector:',
      '    matchLabels: {app: api}',
      '  template:',
      '    metadata:',
      '      labels: {app: api}',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          image: example/api:1',
      '          resources:',
      '            requests: {cpu: 100m, memory: 128Mi}',
      '            limits: {cpu: 200m, memory: 256Mi}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: worker',
      'spec:',
      '  replicas: 1',
      '  selector:',
      '    matchLabels: {app: worker}',
      '  template:',
      '    metadata:',
      '      labels: {app: worker}',
      '    spec:',
      '      containers:',
      '        - name: worker',
      '          image: example/worker:1',
      '          resources:',
      '            requests: {cpu: 50m, memory: 64Mi}',
      '            limits: {cpu: 100m, memory: 128Mi}',
      '',
    ].join('\n'),
    'base/service.yaml':
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n',
    'overlays/prod/kustomization.yaml': [
      'resources:',
      '  - ../../base',
      'namePrefix: prod-',
      'commonLabels:',
      '  env: prod',
      'images:',
      '  - name: example/api',
      '    newTag: "2"',
      'replicas:',
      '  - name: worker',
      '    count: 4',
      'patches:',
      '  - path: api-resources.yaml',
      '  - path: worker-json.yaml',
      '    target: {kind: Deployment, name: worker}',
      '',
    ].join('\n'),
    // Strategic merge: 3 replicas, and a memory request over its limit (a finding the patch caused).
    'overlays/prod/api-resources.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  replicas: 3',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          resources:',
      '            requests: {memory: 512Mi}',
      '',
    ].join('\n'),
    // JSON 6902: the worker's CPU request.
    'overlays/prod/worker-json.yaml':
      '- op: replace\n  path: /spec/template/spec/containers/0/resources/requests/cpu\n  value: 75m\n',
    'consolidation.plan.yaml': plan(['kustomize: overlays/prod']),
  });
}

describe('Kustomize overlays: patches, replicas, namePrefix, commonLabels, images', () => {
  it('counts what the overlay builds, not what the base says', async () => {
    const ws = overlayTree();
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const state = await current(workspace, planFile);
    // api: 3 × 100m, 3 × 512Mi; worker: 4 × 75m, 4 × 64Mi.
    assert.deepEqual(
      [state.workloads, state.pods, state.requests.cpu, state.requests.memory],
      [2, 7, 3 * 100 + 4 * 75, 3 * 512 * MI + 4 * 64 * MI],
    );
    const names = (await settledPlan(workspace, planFile)).workloads.map((w) => w.name).sort();
    assert.deepEqual(names, ['prod-api', 'prod-worker']);
    assert.equal(
      (await settledPlan(workspace, planFile)).workloads.find((w) => w.name === 'prod-api')!.podLabels.env,
      'prod',
    );
  });

  it('puts a finding on a value the patch set in the patch file', async () => {
    const ws = overlayTree();
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const exceeds = (await findings(workspace, planFile)).filter((f) => f.code === 'manifest/request-exceeds-limit');
    assert.equal(
      exceeds.length,
      1,
      JSON.stringify((await findings(workspace, planFile)).map((f) => [f.code, f.location.file, f.message])),
    );
    assert.equal(exceeds[0].location.file, ws.file('overlays/prod/api-resources.yaml'));
    assert.match(lineOf(exceeds[0].location.file, exceeds[0].location.range.start), /memory: 512Mi/);
  });

  it('puts a finding on a value of the base in the base file', async () => {
    const ws = overlayTree();
    // A limit below the request in the base, which no patch touches.
    ws.write(
      'base/deployment.yaml',
      fs
        .readFileSync(ws.file('base/deployment.yaml'), 'utf8')
        .replace('limits: {cpu: 100m, memory: 128Mi}', 'limits: {cpu: 10m, memory: 128Mi}'),
    );
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const cpu = (await findings(workspace, planFile)).filter(
      (f) => f.code === 'manifest/request-exceeds-limit' && /cpu|CPU/.test(f.message),
    );
    assert.equal(cpu.length, 1);
    assert.equal(cpu[0].location.file, ws.file('base/deployment.yaml'));
  });

  it('a rendered workload is defined where its base declares it (go to definition, hover)', async () => {
    const ws = overlayTree();
    const workspace = workspaceAt(ws.dir);
    const api = (await settledPlan(workspace, ws.file('consolidation.plan.yaml'))).workloads.find(
      (w) => w.name === 'prod-api',
    )!;
    assert.match(api.nameLocation.file, /#sources\[0\]$/);
    const real = workspace.realLocation(api.nameLocation);
    assert.equal(real.file, ws.file('base/deployment.yaml'));
    assert.equal(lineOf(real.file, real.range.start), '  name: api');
  });

  it('renders once and re-renders when an input file changes', async () => {
    const ws = overlayTree();
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    assert.equal((await current(workspace, planFile)).pods, 7);
    // An unrelated change: the plan is analysed again, the tool is not run again.
    workspace.fileChanged(planFile);
    assert.equal((await current(workspace, planFile)).pods, 7);
    assert.equal(workspace.renderStats!.renders, 1);
    assert.ok(workspace.renderStats!.cacheHits >= 1);
    // The overlay's patch changes: rendered again, new numbers.
    const patch = ws.write(
      'overlays/prod/api-resources.yaml',
      fs.readFileSync(ws.file('overlays/prod/api-resources.yaml'), 'utf8').replace('replicas: 3', 'replicas: 5'),
    );
    workspace.fileChanged(patch);
    assert.equal((await current(workspace, planFile)).pods, 9);
    assert.equal(workspace.renderStats!.renders, 2);
  });
});

describe('rendered sources that cannot be rendered', () => {
  function withGlob(): TempWorkspace {
    const ws = overlayTree();
    ws.write(
      'plain/db.yaml',
      fs
        .readFileSync(ws.file('base/deployment.yaml'), 'utf8')
        .replace(/name: api/g, 'name: db')
        .replace(/name: worker/g, 'name: cache'),
    );
    ws.write('consolidation.plan.yaml', plan(['kustomize: overlays/prod', '"plain/*.yaml"']));
    return ws;
  }

  it('an untrusted workspace: one warning on the entry, the other sources still checked', async () => {
    const ws = withGlob();
    const workspace = workspaceAt(ws.dir, 'untrusted');
    const planFile = ws.file('consolidation.plan.yaml');
    const render = (await findings(workspace, planFile)).filter((f) => f.code === 'plan/source-render');
    assert.equal(render.length, 1);
    assert.equal(render[0].severity, 'warning');
    assert.match(render[0].message, /not trusted/);
    assert.equal(
      fs.readFileSync(planFile, 'utf8').slice(render[0].location.range.start, render[0].location.range.end),
      'kustomize: overlays/prod',
    );
    assert.equal((await current(workspace, planFile)).workloads, 2);
  });

  it('a missing tool: one error with the reason, never zeros in silence', async () => {
    const ws = withGlob();
    const workspace = workspaceAt(ws.dir, new ToolRenderer({ kustomize: path.join(ws.dir, 'no-such-kustomize') }));
    const planFile = ws.file('consolidation.plan.yaml');
    const render = (await findings(workspace, planFile)).filter((f) => f.code === 'plan/source-render');
    assert.equal(render.length, 1);
    assert.equal(render[0].severity, 'error');
    assert.match(render[0].message, /no-such-kustomize" was not found/);
  });

  it("a failing build: one error with the tool's own error output", async () => {
    const ws = withGlob();
    ws.write('overlays/prod/kustomization.yaml', 'resources:\n  - ../../base\n  - missing.yaml\n');
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const render = (await findings(workspace, planFile)).filter((f) => f.code === 'plan/source-render');
    assert.equal(render.length, 1);
    assert.match(
      render[0].message,
      /could not be rendered: kubectl kustomize exited with 1: .*missing\.yaml: no such file or directory/s,
    );
  });

  it('a kustomization that reads outside the workspace is not rendered', async () => {
    const outside = temp({
      'secret/kustomization.yaml': 'resources: [d.yaml]\n',
      'secret/d.yaml': 'kind: ConfigMap\n',
    });
    const ws = withGlob();
    ws.write(
      'overlays/prod/kustomization.yaml',
      `resources:\n  - ${path.relative(ws.file('overlays/prod'), outside.file('secret'))}\n`,
    );
    const calls: RenderRequest[] = [];
    const counting: SourceRenderer = { render: (r, signal) => (calls.push(r), new ToolRenderer().render(r, signal)) };
    const workspace = workspaceAt(ws.dir, counting);
    const render = (await findings(workspace, ws.file('consolidation.plan.yaml'))).filter(
      (f) => f.code === 'plan/source-render',
    );
    assert.equal(render.length, 1);
    assert.match(render[0].message, /points outside the workspace/);
    assert.equal(calls.length, 0);
  });

  it('a remote resource is not fetched', async () => {
    const ws = withGlob();
    ws.write(
      'overlays/prod/kustomization.yaml',
      'resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0\n',
    );
    const render = (await findings(workspaceAt(ws.dir), ws.file('consolidation.plan.yaml'))).filter(
      (f) => f.code === 'plan/source-render',
    );
    assert.match(render[0]?.message ?? '', /remote resource/);
  });
});

describe('a large render', () => {
  it('is read whole, although it is over the size limit of one file', async () => {
    const ws = overlayTree();
    const workspace = new ConsolidationWorkspace(nodeFileHost, { ...DEFAULT_OPTIONS, maxFileBytes: 1024 });
    workspace.setSourceRenderer(new ToolRenderer(), () => [ws.dir]);
    const planFile = ws.file('consolidation.plan.yaml');
    assert.equal((await current(workspace, planFile)).pods, 7);
    assert.deepEqual(
      (await findings(workspace, planFile)).filter((f) => f.code === 'manifest/too-large'),
      [],
    );
  });
});

describe('tools that never end or print without end (fake tool scripts as the tool path)', () => {
  function fakeTool(ws: TempWorkspace, body: string): string {
    const file = ws.write('bin/fake-kustomize', `#!${process.execPath}\n${body}\n`);
    fs.chmodSync(file, 0o755);
    return file;
  }

  it('a render that never ends is stopped by the timeout', async () => {
    const ws = overlayTree();
    const tool = fakeTool(ws, 'setInterval(() => {}, 1000);');
    const options: ToolOptions = { kustomize: tool, timeoutMs: 1_500 };
    const render = (
      await findings(workspaceAt(ws.dir, new ToolRenderer(options)), ws.file('consolidation.plan.yaml'))
    ).filter((f) => f.code === 'plan/source-render');
    assert.equal(render.length, 1);
    assert.match(render[0].message, /did not finish in 2 s: stopped|did not finish in 1 s: stopped/);
  });

  it('a render that is cancelled (inputs changed, server shutting down) is killed at once', async () => {
    const ws = overlayTree();
    const pidFile = ws.file('bin/pid');
    const tool = fakeTool(
      ws,
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => {
      const watcher = fs.watch(path.dirname(pidFile), () => {
        if (fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8')) {
          watcher.close();
          resolve();
        }
      });
    });
    const outcome = new ToolRenderer({ kustomize: tool, timeoutMs: 600_000 }).render(
      { tool: 'kustomize', dir: ws.file('overlays/prod') },
      controller.signal,
    );
    await started;
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    controller.abort();
    assert.deepEqual(await outcome, { ok: false, reason: 'cancelled', message: 'fake-kustomize build: cancelled' });
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  it('a render that prints gigabytes is stopped at the output limit', async () => {
    const ws = overlayTree();
    const tool = fakeTool(
      ws,
      "const chunk = 'x'.repeat(65536) + '\\n'; const write = () => { while (process.stdout.write(chunk)); process.stdout.once('drain', write); }; write();",
    );
    const render = (
      await findings(
        workspaceAt(ws.dir, new ToolRenderer({ kustomize: tool, maxOutputBytes: 4 * MI, timeoutMs: 60_000 })),
        ws.file('consolidation.plan.yaml'),
      )
    ).filter((f) => f.code === 'plan/source-render');
    assert.equal(render.length, 1);
    assert.match(render[0].message, /printed over 4 MiB: stopped/);
  });
});

describe('Helm sources (golden `helm template` output of helm/helm)', () => {
  /** A fake `helm` that prints the golden output: the chart files and the rendered text are real. */
  function goldenHelm(ws: TempWorkspace, golden: string): string {
    const file = ws.write(
      'bin/helm',
      `#!${process.execPath}\nprocess.stdout.write(require('fs').readFileSync(${JSON.stringify(golden)}, 'utf8'));\n`,
    );
    fs.chmodSync(file, 0o755);
    return file;
  }

  it('chart-with-template-lib-dep: the Deployment is counted and its finding lands in the template', async () => {
    const ws = temp({}, path.join(HELM_GOLDEN, 'chart-with-template-lib-dep'));
    ws.write('app.plan.yaml', plan(['helm: {chart: chart, releaseName: release-name}']));
    const calls: RenderRequest[] = [];
    const tools = new ToolRenderer({ helm: goldenHelm(ws, ws.file('rendered.yaml')) });
    const workspace = workspaceAt(ws.dir, {
      render: (r, signal): Promise<RenderOutcome> => (calls.push(r), tools.render(r, signal)),
    });
    const planFile = ws.file('app.plan.yaml');
    const state = await current(workspace, planFile);
    assert.deepEqual([state.workloads, state.pods], [1, 1]);
    assert.deepEqual(
      calls.map((c) => c.tool === 'helm' && [c.releaseName, path.relative(ws.dir, c.chart)]),
      [['release-name', 'chart']],
    );
    const missing = (await findings(workspace, planFile)).filter((f) => f.code === 'manifest/missing-resources');
    assert.ok(missing.length > 0);
    for (const f of missing) {
      assert.equal(f.location.file, ws.file('chart/templates/deployment.yaml'));
      assert.match(lineOf(f.location.file, f.location.range.start), /resources:/);
    }
  });

  it('subchart: `# Source:` paths with chart names map to the folders (subchartA)', async () => {
    const ws = temp({}, path.join(HELM_GOLDEN, 'subchart'));
    ws.write('app.plan.yaml', plan(['helm: {chart: chart}']));
    const workspace = workspaceAt(ws.dir, new ToolRenderer({ helm: goldenHelm(ws, ws.file('rendered.yaml')) }));
    const planFile = ws.file('app.plan.yaml');
    const result = await settledPlan(workspace, planFile);
    assert.deepEqual(result.renderProblems, []);
    const all = await findings(workspace, planFile);
    for (const f of all) assert.ok(!f.location.file.includes('#sources['), `${f.code} left on the rendered output`);
    const sources = fs.readFileSync(ws.file('rendered.yaml'), 'utf8').match(/^# Source: .*$/gm) ?? [];
    assert.equal(sources.length, 8);
  });

  it('runs the real `helm template` when helm is on PATH', async (t) => {
    if (!findExecutable('helm')) {
      t.skip('helm is not on PATH: the real `helm template` test is skipped');
      return;
    }
    const ws = temp({}, path.join(HELM_GOLDEN, 'chart-with-template-lib-dep'));
    ws.write('app.plan.yaml', plan(['helm: {chart: chart, releaseName: release-name}']));
    const state = await current(workspaceAt(ws.dir), ws.file('app.plan.yaml'));
    assert.deepEqual([state.workloads, state.pods], [1, 1]);
  });
});

describe('plan/owned-by-controller: objects Helm, Argo CD or Flux manage', () => {
  const deployment = (name: string, metadata: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${metadata}spec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: ${name}, image: x, resources: {requests: {cpu: 10m, memory: 8Mi}, limits: {cpu: 10m, memory: 8Mi}}}]\n`;
  const MANIFESTS = [
    deployment(
      'argo-app',
      '  labels: {app.kubernetes.io/instance: shop}\n  annotations: {argocd.argoproj.io/tracking-id: "shop:apps/Deployment:default/argo-app"}\n',
    ),
    deployment(
      'flux-app',
      '  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}\n',
    ),
    deployment(
      'helm-app',
      '  labels: {app.kubernetes.io/managed-by: Helm}\n  annotations: {meta.helm.sh/release-name: shop}\n',
    ),
    deployment('plain-app', '  labels: {app.kubernetes.io/instance: shop}\n'),
  ].join('---\n');
  const planWith = (phases: string) =>
    [
      'apiVersion: consolidation.dev/v1alpha1',
      'kind: ConsolidationPlan',
      'metadata:',
      '  name: t',
      'spec:',
      '  sources:',
      '    - app.yaml',
      '  phases:',
      phases,
    ].join('\n');

  it('says which controller owns what each phase touches, on the phase', async () => {
    const ws = temp({
      'app.yaml': MANIFESTS,
      'p.plan.yaml': planWith(
        '    - name: one\n      scale: {argo-app: 1, flux-app: 1}\n    - name: two\n      remove: [helm-app]\n    - name: three\n      remove: [plain-app]\n',
      ),
    });
    const planFile = ws.file('p.plan.yaml');
    const owned = (await findings(workspaceAt(ws.dir), planFile)).filter((f) => f.code === 'plan/owned-by-controller');
    assert.deepEqual(
      owned.map((f) => f.severity),
      ['information', 'information'],
    );
    assert.match(
      owned[0].message,
      /^Phase "one" touches objects another controller manages: Argo CD \(shop\) owns argo-app; Flux \(Kustomization flux-system\/apps\) owns flux-app\. .*self-heal/,
    );
    assert.match(owned[1].message, /^Phase "two" .*Helm \(release shop\) owns helm-app/);
    assert.equal(
      fs.readFileSync(planFile, 'utf8').slice(owned[0].location.range.start, owned[0].location.range.end),
      'one',
    );
  });
});

describe("Kustomize origin annotations, switched on by us (the user's files untouched)", () => {
  /** Two bases declaring the same Deployment name, each put in its own namespace by its kustomization. */
  function twoBases(): TempWorkspace {
    const deployment = (cpuLimit: string) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: api',
        'spec:',
        '  replicas: 1',
        '  selector:',
        '    matchLabels: {app: api}',
        '  template:',
        '    metadata:',
        '      labels: {app: api}',
        '    spec:',
        '      containers:',
        '        - name: api',
        '          image: example/api:1',
        '          resources:',
        '            requests: {cpu: 100m, memory: 64Mi}',
        `            limits: {cpu: ${cpuLimit}, memory: 64Mi}`,
        '',
      ].join('\n');
    return temp({
      'team-a/kustomization.yaml': 'namespace: team-a\nresources: [deployment.yaml]\n',
      'team-a/deployment.yaml': deployment('100m'),
      // Only team-b's limit is below its request: the finding belongs in team-b's file.
      'team-b/kustomization.yaml': 'namespace: team-b\nresources: [deployment.yaml]\n',
      'team-b/deployment.yaml': deployment('50m'),
      'prod/kustomization.yaml': 'resources:\n  - ../team-a\n  - ../team-b\n',
      'consolidation.plan.yaml': plan(['kustomize: prod']),
    });
  }

  it('a finding lands in the base file the object came from, not the first file declaring that name', async () => {
    const ws = twoBases();
    const before = fs.readdirSync(ws.dir, { recursive: true }).map(String).sort();
    const userFiles = Object.fromEntries(
      before.filter((f) => f.endsWith('.yaml')).map((f) => [f, fs.readFileSync(path.join(ws.dir, f), 'utf8')]),
    );
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const cpu = (await findings(workspace, planFile)).filter((f) => f.code === 'manifest/request-exceeds-limit');
    assert.equal(cpu.length, 1, JSON.stringify(cpu));
    assert.equal(cpu[0].location.file, ws.file('team-b/deployment.yaml'));
    assert.match(lineOf(cpu[0].location.file, cpu[0].location.range.start), /(requests|limits): \{cpu: /);
    // Nothing written into the user's tree, nothing changed in it.
    assert.deepEqual(fs.readdirSync(ws.dir, { recursive: true }).map(String).sort(), before);
    for (const [file, text] of Object.entries(userFiles))
      assert.equal(fs.readFileSync(path.join(ws.dir, file), 'utf8'), text, file);
  });

  it('the annotations are not in what is read, rendered or applied', async () => {
    const ws = twoBases();
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const result = await settledPlan(workspace, planFile);
    assert.equal(result.workloads.length, 2);
    const virtual = result.manifests.find((m) => m.path.endsWith('#sources[0]'))!;
    assert.doesNotMatch(workspace.text(virtual.path)!, /config\.kubernetes\.io\/origin|annotations:/);
    // Exactly what the user's own build gives.
    const own = spawnSync(
      findExecutable('kubectl') ? 'kubectl' : 'kustomize',
      findExecutable('kubectl') ? ['kustomize', ws.file('prod')] : ['build', ws.file('prod')],
      { encoding: 'utf8' },
    );
    assert.equal(workspace.text(virtual.path), own.stdout);
  });

  it('a kustomization that asks for them itself keeps them, and they still lead to the file', async () => {
    const ws = twoBases();
    ws.write(
      'prod/kustomization.yaml',
      'resources:\n  - ../team-a\n  - ../team-b\nbuildMetadata: [originAnnotations]\n',
    );
    const workspace = workspaceAt(ws.dir);
    const planFile = ws.file('consolidation.plan.yaml');
    const cpu = (await findings(workspace, planFile)).filter((f) => f.code === 'manifest/request-exceeds-limit');
    assert.equal(cpu[0]?.location.file, ws.file('team-b/deployment.yaml'));
    const virtual = (await settledPlan(workspace, planFile)).manifests.find((m) => m.path.endsWith('#sources[0]'))!;
    assert.match(workspace.text(virtual.path)!, /config\.kubernetes\.io\/origin/);
  });
});

describe('takeOriginAnnotations', () => {
  it('takes the annotation out (and an emptied annotations map), keeping the others, origins by document', () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  annotations:',
      '    a.example/keep: "1"',
      '    config.kubernetes.io/origin: |',
      '      path: ../ws/base/svc.yaml',
      '  name: s',
      'spec: {}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  annotations:',
      '    config.kubernetes.io/origin: |',
      '      path: ../ws/base/d.yaml',
      '  name: d',
      'spec: {}',
      '',
    ].join('\n');
    const taken = takeOriginAnnotations(text, '/tmp/wrap');
    assert.deepEqual(taken.origins, ['/tmp/ws/base/svc.yaml', '/tmp/ws/base/d.yaml']);
    assert.equal(
      taken.yaml,
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  annotations:',
        '    a.example/keep: "1"',
        '  name: s',
        'spec: {}',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: d',
        'spec: {}',
        '',
      ].join('\n'),
    );
  });
});
