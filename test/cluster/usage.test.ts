// `consolidate usage --from metrics-server`, in-process, against the test API server's metrics.k8s.io.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { usage } from '../../server/src/cli/usage';
import { readUsageSnapshot } from '../../server/src/engine/usage/snapshot';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { clusterFixture, cliIo, type ClusterFixture } from '../helpers/clusterFixture';

const MI = 2 ** 20;

/** The CLI's io (test/helpers/clusterFixture.ts), and a hook after each usage sample. */
function io(fixture: ClusterFixture, onSample?: (index: number) => void) {
  return cliIo(fixture, { onSample });
}

/** Pods of the fixture's workloads, owned the way controllers own them. */
function seedPods(fixture: ClusterFixture): void {
  const s = fixture.server;
  for (const pod of ['cart-5d8f7c9b6-aaaaa', 'cart-5d8f7c9b6-bbbbb'])
    s.addPod('shop', pod, { owner: { kind: 'Deployment', name: 'cart' }, containers: [{ name: 'cart' }] });
  s.addPod('shop', 'checkout-5d8f7c9b6-ccccc', {
    owner: { kind: 'Deployment', name: 'checkout' },
    containers: [{ name: 'checkout' }],
  });
  // A pod whose name says nothing of its owner: only its owner references lead to search.
  s.addPod('shop', 'renamed-by-hand', {
    owner: { kind: 'Deployment', name: 'search' },
    containers: [{ name: 'search' }],
  });
}

/** Three samples: cart's pods at 100m/110m/300m and 150Mi/160Mi/200Mi; checkout constant; search's one pod. */
function metricsAt(fixture: ClusterFixture, index: number): void {
  const cpu = [100, 110, 300][index];
  const memory = [150, 160, 200][index];
  fixture.server.setPodMetrics('shop', 'cart-5d8f7c9b6-aaaaa', [
    { name: 'cart', cpu: `${cpu * 1_000_000}n`, memory: `${memory * 1024}Ki` },
  ]);
  fixture.server.setPodMetrics('shop', 'cart-5d8f7c9b6-bbbbb', [
    { name: 'cart', cpu: `${cpu}m`, memory: `${memory}Mi` },
  ]);
  fixture.server.setPodMetrics('shop', 'checkout-5d8f7c9b6-ccccc', [{ name: 'checkout', cpu: '20m', memory: '64Mi' }]);
  fixture.server.setPodMetrics('shop', 'renamed-by-hand', [{ name: 'search', cpu: '5m', memory: '32Mi' }]);
}

describe('consolidate usage --from metrics-server', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('samples PodMetrics, maps pods to workloads through owner references, writes the snapshot the plan then reads', async () => {
    fixture = await clusterFixture({ metrics: true });
    seedPods(fixture);
    metricsAt(fixture, 0);
    const run = io(fixture, (index) => {
      if (index < 2) metricsAt(fixture!, index + 1);
    });
    const code = await usage(
      ['shop.plan.yaml', '--from', 'metrics-server', '--interval', '1ms', '--duration', '2ms'],
      run,
    );
    assert.equal(code, 0, run.err.text);
    assert.match(
      run.out.text,
      /Wrote usage\.yaml: 3 workloads, 3 containers\.\nNo usage for 1 of the plan's workloads \(not running, or not measured\): legacy\./,
    );
    assert.match(run.out.text, /Add `usage: usage\.yaml` to the plan's spec/);
    const file = fixture.workspace.file('usage.yaml');
    const snapshot = readUsageSnapshot(file, fs.readFileSync(file, 'utf8'));
    assert.deepEqual(snapshot.problems, []);
    assert.equal(snapshot.source, 'metrics-server');
    const cart = snapshot.workloads.find((w) => w.name === 'cart')!;
    assert.equal(cart.pods, 2);
    // Six samples (two pods × three times): 100,100,110,110,300,300 → p50 110, p95 300, max 300.
    assert.deepEqual(cart.containers[0].cpu, { p50: 110, p95: 300, max: 300 });
    assert.deepEqual(cart.containers[0].memory, { p50: 160 * MI, p95: 200 * MI, max: 200 * MI });
    assert.equal(cart.containers[0].samples, 6);
    assert.equal(snapshot.workloads.find((w) => w.name === 'search')?.kind, 'Deployment');
    assert.deepEqual(snapshot.workloads.map((w) => w.name).sort(), ['cart', 'checkout', 'search']);

    // The plan with the snapshot: cart requests 128Mi against a max of 200Mi, in the merged pod.
    const planText = fs
      .readFileSync(fixture.planFile, 'utf8')
      .replace('  namespace: shop\n', '  namespace: shop\n  usage: usage.yaml\n');
    fs.writeFileSync(fixture.planFile, planText);
    const findings = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS).findings.plan(fixture.planFile);
    assert.match(
      findings.find((f) => f.code === 'usage/request-below-usage')?.message ?? '',
      /after phase merge-backend: backend\/cart: memory request 128Mi is below its observed max 200Mi/,
    );
    assert.match(findings.find((f) => f.code === 'usage/no-data')?.message ?? '', /no usage for 1 workload: legacy/);
  });

  it('without metrics-server: exit 1, says so, writes nothing', async () => {
    fixture = await clusterFixture({ metrics: false });
    const run = io(fixture);
    assert.equal(
      await usage(['shop.plan.yaml', '--from', 'metrics-server', '--interval', '1ms', '--duration', '0s'], run),
      1,
    );
    assert.match(
      run.err.text,
      /The metrics API \(metrics\.k8s\.io\) is not available in context .*: is metrics-server installed\?/,
    );
    assert.ok(!fs.existsSync(fixture.workspace.file('usage.yaml')));
  });

  it('when pods may not be listed, pods are matched to the plan by the names controllers give them', async () => {
    fixture = await clusterFixture({ metrics: true });
    seedPods(fixture);
    metricsAt(fixture, 0);
    fixture.server.forbid({ verb: 'list', resource: 'pods', group: '' });
    const run = io(fixture);
    assert.equal(
      await usage(
        [
          'shop.plan.yaml',
          '--from',
          'metrics-server',
          '--interval',
          '1ms',
          '--duration',
          '0s',
          '--out',
          'measured.yaml',
        ],
        run,
      ),
      0,
      run.err.text,
    );
    const text = fs.readFileSync(fixture.workspace.file('measured.yaml'), 'utf8');
    const snapshot = readUsageSnapshot('measured.yaml', text);
    assert.deepEqual(snapshot.workloads.map((w) => w.name).sort(), ['cart', 'checkout']);
    assert.match(run.err.text, /Pod shop\/renamed-by-hand: its workload could not be found: left out\./);
  });

  it('a snapshot named *.json (spec.usage: usage.json) is written as JSON, and re-recorded over itself', async () => {
    fixture = await clusterFixture({ metrics: true });
    seedPods(fixture);
    metricsAt(fixture, 0);
    fs.writeFileSync(
      fixture.planFile,
      fs
        .readFileSync(fixture.planFile, 'utf8')
        .replace('  namespace: shop\n', '  namespace: shop\n  usage: usage.json\n'),
    );
    for (const round of [1, 2]) {
      const run = io(fixture);
      assert.equal(
        await usage(['shop.plan.yaml', '--from', 'metrics-server', '--interval', '1ms', '--duration', '0s'], run),
        0,
        `round ${round}: ${run.err.text}`,
      );
      const text: string = fs.readFileSync(fixture.workspace.file('usage.json'), 'utf8');
      const json = JSON.parse(text) as { kind: string; workloads: { name: string; containers: { cpu: unknown }[] }[] };
      assert.equal(json.kind, 'UsageSnapshot');
      assert.deepEqual(json.workloads.find((w) => w.name === 'cart')?.containers[0].cpu, {
        p50: 100,
        p95: 100,
        max: 100,
      });
      assert.deepEqual(readUsageSnapshot('usage.json', text).problems, []);
    }
    assert.ok(!fs.existsSync(fixture.workspace.file('usage.yaml')));
  });

  it('never overwrites a file that is not a usage snapshot', async () => {
    fixture = await clusterFixture({ metrics: true });
    seedPods(fixture);
    metricsAt(fixture, 0);
    fs.writeFileSync(fixture.workspace.file('notes.yaml'), 'my: notes\n');
    const run = io(fixture);
    assert.equal(
      await usage(
        ['shop.plan.yaml', '--from', 'metrics-server', '--interval', '1ms', '--duration', '0s', '--out', 'notes.yaml'],
        run,
      ),
      1,
    );
    assert.match(run.err.text, /notes\.yaml exists and is not a usage snapshot: not overwritten/);
    assert.equal(fs.readFileSync(fixture.workspace.file('notes.yaml'), 'utf8'), 'my: notes\n');
  });
});
