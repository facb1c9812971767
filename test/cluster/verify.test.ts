// `consolidate verify`: each line of the checklist failing on its own, and all holding on a good apply.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { applyPhase } from '../../server/src/cluster/applyPhase';
import { verifyPhase, type VerifyResult } from '../../server/src/cluster/verifyPhase';
import { verify } from '../../server/src/cli/verify';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';
import { Capture } from '../helpers/capture';

const AUDIT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: audit
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: audit}
  template:
    metadata:
      labels: {app.kubernetes.io/name: audit}
    spec:
      containers:
        - name: audit
          image: registry.k8s.io/pause:3.9
          resources:
            requests: {cpu: 10m, memory: 16Mi}
`;

const BACKEND_LABELS = { 'consolidation.dev/merge': 'backend', 'app.kubernetes.io/name': 'backend' };

/**
 * The fixture with an untouched workload (audit) and usage targets on merge-backend, applied for
 * real, then the pods the controllers would start: `pods` changes them for one test.
 */
async function applied(options: { backendReady?: boolean } = {}): Promise<ClusterFixture> {
  const fixture = await clusterFixture({ metrics: true });
  fixture.workspace.write('manifests/audit.yaml', AUDIT);
  fixture.server.seed(JSON.parse(JSON.stringify((await import('yaml')).parse(AUDIT))) as JsonObject);
  const plan = fs
    .readFileSync(fixture.planFile, 'utf8')
    .replace(
      '    - name: merge-backend\n',
      '    - name: merge-backend\n      targets: {cpuUsage: "1", memoryUsage: 1Gi}\n',
    );
  fs.writeFileSync(fixture.planFile, plan);
  const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
  assert.equal(outcome.status, 'applied', outcome.message);
  const s = fixture.server;
  for (const id of ['aaaaa', 'bbbbb']) {
    s.addPod('shop', `backend-5d8f7c9b6-${id}`, {
      owner: { kind: 'Deployment', name: 'backend' },
      labels: BACKEND_LABELS,
      containers: [
        { name: 'cart', ready: options.backendReady },
        { name: 'checkout', ready: options.backendReady },
      ],
    });
    s.setPodMetrics('shop', `backend-5d8f7c9b6-${id}`, [
      { name: 'cart', cpu: '50m', memory: '100Mi' },
      { name: 'checkout', cpu: '30m', memory: '80Mi' },
    ]);
  }
  for (const id of ['ccccc', 'ddddd']) {
    s.addPod('shop', `search-5d8f7c9b6-${id}`, {
      owner: { kind: 'Deployment', name: 'search' },
      labels: { 'app.kubernetes.io/name': 'search' },
      containers: [{ name: 'search' }],
    });
    s.setPodMetrics('shop', `search-5d8f7c9b6-${id}`, [{ name: 'search', cpu: '20m', memory: '64Mi' }]);
  }
  s.addPod('shop', 'audit-5d8f7c9b6-eeeee', {
    owner: { kind: 'Deployment', name: 'audit' },
    labels: { 'app.kubernetes.io/name': 'audit' },
    containers: [{ name: 'audit' }],
  });
  s.setPodMetrics('shop', 'audit-5d8f7c9b6-eeeee', [{ name: 'audit', cpu: '10m', memory: '16Mi' }]);
  return fixture;
}

function failing(result: VerifyResult): string[] {
  return [...new Set(result.lines.filter((l) => l.status === 'fail').map((l) => l.check))].sort();
}

async function run(fixture: ClusterFixture): Promise<VerifyResult> {
  return verifyPhase({ api: fixture.api, loaded: fixture.load('merge-backend') });
}

describe('consolidate verify', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('a good apply: every line holds, with its numbers; exit 0, text and JSON', async () => {
    fixture = await applied();
    const out = new Capture();
    const err = new Capture();
    const io = {
      cwd: fixture.workspace.dir,
      out,
      err,
      env: { KUBECONFIG: fixture.kubeconfig },
      connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 }, requestTimeoutMs: 5000 },
    };
    assert.equal(await verify(['shop.plan.yaml', '--phase', 'merge-backend'], io), 0, out.text + err.text);
    const text = out.text;
    assert.match(
      text,
      /^Verify phase merge-backend of plan shop on context test \(applied \d{4}-\d\d-\d\dT[\d:.]+Z\):\n/,
    );
    assert.match(
      text,
      /✓ Deployment shop\/backend: 2\/2 available, replicas and resources as planned \(cart 100m cpu, 128Mi memory; checkout 100m cpu, 128Mi memory\)\./,
    );
    assert.match(text, /✓ Deployment shop\/search: 2\/2 available/);
    assert.match(text, /✓ Deployment shop\/cart: replicas 0 \(planned 0\), 0 pods running\./);
    assert.match(
      text,
      /✓ Service shop\/cart: 2 ready endpoints of 2 selected pods \(consolidation\.dev\/merge=backend\)\./,
    );
    assert.match(text, /✓ No restarts and no OOMKilled since the apply at .* in the 4 pods of the phase's workloads\./);
    assert.match(text, /✓ No Pending pods in shop \(5 pods\)\./);
    assert.match(
      text,
      /✓ Live totals equal the plan's: pods 5, CPU requests 810m, memory requests 1,040Mi, CPU limits 4,000m, memory limits 2,048Mi\./,
    );
    assert.match(text, /✓ CPU usage now \(metrics-server, 5 pods\): 210m = 3% of budget 8, target at most 1\./);
    assert.match(
      text,
      /✓ Memory usage now \(metrics-server, 5 pods\): 504Mi = 3% of budget 16Gi, target at most 1Gi\./,
    );
    assert.match(text, /All 12 checks hold\.\n$/);
    const json = new Capture();
    assert.equal(
      await verify(['shop.plan.yaml', '--phase', 'merge-backend', '--format', 'json'], { ...io, out: json }),
      0,
    );
    const result = JSON.parse(json.text) as VerifyResult;
    assert.equal(result.passed, true);
    assert.deepEqual([...new Set(result.lines.map((l) => l.check))].sort(), [
      'endpoints',
      'pending',
      'restarts',
      'scaled-down',
      'totals',
      'usage',
      'workload',
    ]);
  });

  it('an OOMKilled merged container fails the restarts line, and only it', async () => {
    fixture = await applied();
    fixture.server.addPod('shop', 'backend-5d8f7c9b6-fffff', {
      owner: { kind: 'Deployment', name: 'backend' },
      labels: BACKEND_LABELS,
      containers: [{ name: 'cart', restarts: 1, oomKilledAt: new Date().toISOString() }, { name: 'checkout' }],
    });
    fixture.server.setPodMetrics('shop', 'backend-5d8f7c9b6-fffff', [
      { name: 'cart', cpu: '50m', memory: '100Mi' },
      { name: 'checkout', cpu: '30m', memory: '80Mi' },
    ]);
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['restarts']);
    assert.match(
      result.lines.find((l) => l.check === 'restarts')!.message,
      /1 container restarted or OOMKilled since the apply at .*: shop\/backend-5d8f7c9b6-fffff\/cart: OOMKilled at .* \(1 restart\)\./,
    );
  });

  it('a Pending pod fails the pending line, and only it', async () => {
    fixture = await applied();
    fixture.server.addPod('shop', 'backend-5d8f7c9b6-ggggg', {
      owner: { kind: 'Deployment', name: 'backend' },
      labels: BACKEND_LABELS,
      phase: 'Pending',
      containers: [{ name: 'cart' }, { name: 'checkout' }],
    });
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['pending']);
    assert.match(
      result.lines.find((l) => l.check === 'pending')!.message,
      /1 Pending pod in shop: shop\/backend-5d8f7c9b6-ggggg \(0\/1 nodes are available: 1 Insufficient memory\.\)\./,
    );
  });

  it('a Service without ready endpoints fails the endpoints lines, and only them', async () => {
    fixture = await applied({ backendReady: false });
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['endpoints']);
    assert.match(
      result.lines.find((l) => l.subject === 'Service shop/cart')!.message,
      /no ready endpoints: 2 pods selected by consolidation\.dev\/merge=backend, none Ready\./,
    );
  });

  it('a total off by one replica (of a workload the phase does not touch) fails the totals line, and only it', async () => {
    fixture = await applied();
    fixture.server.edit('Deployment', 'shop', 'audit', (o) => {
      (o.spec as JsonObject).replicas = 2;
    });
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['totals']);
    assert.match(
      result.lines.find((l) => l.check === 'totals')!.message,
      /Live totals differ from the plan's: pods 6 \(plan 5\), CPU requests 820m \(plan 810m\), memory requests 1,056Mi \(plan 1,040Mi\), .*; shop\/audit: 2 pods, planned 1\./,
    );
  });

  it('a running pod metrics-server reports nothing for makes the usage targets unconfirmed, naming it (never counted as zero)', async () => {
    fixture = await applied();
    // A third backend pod, running, not yet scraped by metrics-server.
    fixture.server.addPod('shop', 'backend-5d8f7c9b6-hhhhh', {
      owner: { kind: 'Deployment', name: 'backend' },
      labels: BACKEND_LABELS,
      containers: [{ name: 'cart' }, { name: 'checkout' }],
    });
    const result = await run(fixture);
    assert.ok(failing(result).includes('usage'), JSON.stringify(result.lines));
    assert.match(
      result.lines.find((l) => l.subject === 'cpuUsage')!.message,
      /^CPU usage now \(metrics-server, 5 pods\): 210m = 3% of budget 8 without the usage of the rest: no metrics for 1 pod \(shop\/backend-5d8f7c9b6-hhhhh\); target 1 cannot be confirmed/,
    );
    assert.equal(result.lines.find((l) => l.subject === 'memoryUsage')!.status, 'fail');
  });

  it('observed usage over a target fails the usage line, and only it', async () => {
    fixture = await applied();
    fixture.server.setPodMetrics('shop', 'backend-5d8f7c9b6-aaaaa', [
      { name: 'cart', cpu: '900m', memory: '100Mi' },
      { name: 'checkout', cpu: '30m', memory: '80Mi' },
    ]);
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['usage']);
    assert.match(
      result.lines.find((l) => l.subject === 'cpuUsage')!.message,
      /CPU usage now \(metrics-server, 5 pods\): 1060m = 13% of budget 8, target at most 1\./,
    );
  });

  it('a phase without usage targets: one skipped usage line, whatever the usage', async () => {
    fixture = await applied();
    fixture.server.setPodMetrics('shop', 'backend-5d8f7c9b6-aaaaa', [
      { name: 'cart', cpu: '900m', memory: '100Mi' },
      { name: 'checkout', cpu: '30m', memory: '80Mi' },
    ]);
    const planText = fs.readFileSync(fixture.planFile, 'utf8');
    fs.writeFileSync(fixture.planFile, planText.replace('      targets: {cpuUsage: "1", memoryUsage: 1Gi}\n', ''));
    const result = await run(fixture);
    assert.deepEqual(failing(result), []);
    const usage = result.lines.filter((l) => l.check === 'usage');
    assert.deepEqual(
      usage.map((l) => [l.status, l.message]),
      [['skip', 'No usage targets (cpuUsage, memoryUsage) in this phase.']],
    );
  });

  it('a source still running fails the scale-down line (and the totals that count it)', async () => {
    fixture = await applied();
    fixture.server.edit('Deployment', 'shop', 'cart', (o) => {
      (o.spec as JsonObject).replicas = 1;
    });
    const result = await run(fixture);
    assert.deepEqual(failing(result), ['scaled-down', 'totals']);
    assert.match(result.lines.find((l) => l.subject === 'Deployment shop/cart')!.message, /replicas 1 \(planned 0\)/);
  });
});
