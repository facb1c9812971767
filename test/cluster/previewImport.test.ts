// Preview (dry-run diffs) and Import Cluster State, against the test API server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { importCluster } from '../../server/src/cluster/importCluster';
import { previewPhase, stripForDiff, unifiedDiff } from '../../server/src/cluster/preview';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

describe('preview', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('shows each object live and as the API server would make it (dryRun=All), without managed fields or status; changes nothing', async () => {
    fixture = await clusterFixture();
    const rv = fixture.server.resourceVersion;
    const { entries, problems, budget } = await previewPhase(fixture.api, fixture.load('merge-backend'));
    assert.deepEqual(problems, []);
    // The budget of the state after the phase, against before: one legacy pod gone, cart and checkout in one pod.
    assert.ok(
      budget.some((line) => /^pods \d+ = \d+% → \d+ = \d+% of budget 40 \(better\)$/.test(line)),
      budget.join('\n'),
    );
    assert.equal(fixture.server.resourceVersion, rv);
    assert.deepEqual(fixture.server.writes({ dryRun: false }), []);
    assert.deepEqual(
      entries.map((e) => `${e.role} ${e.ref.kind}/${e.ref.name}`),
      [
        'created Deployment/backend',
        'service Service/cart',
        'service Service/checkout',
        'changed Deployment/search',
        'scaled-down Deployment/legacy',
        'scaled-down Deployment/cart',
        'scaled-down Deployment/checkout',
      ],
    );
    for (const entry of entries) {
      for (const text of [entry.liveYaml, entry.resultYaml]) {
        for (const field of ['managedFields', 'resourceVersion', 'uid:', 'creationTimestamp', 'generation', 'status:'])
          assert.ok(!text.includes(field), `${entry.ref.name}: ${field}`);
      }
    }
    const backend = entries[0];
    assert.equal(backend.live, undefined);
    assert.match(backend.resultYaml, /progressDeadlineSeconds: 600/, 'defaulted by the API server');
    const cart = entries.find((e) => e.ref.kind === 'Deployment' && e.ref.name === 'cart')!;
    const diff = unifiedDiff(cart.liveYaml, cart.resultYaml, { before: 'live', after: 'result' });
    assert.match(diff, /^- {2}replicas: 2$/m);
    assert.match(diff, /^\+ {2}replicas: 0$/m);
    assert.match(diff, /^\+ {4}consolidation\.dev\/previous-replicas: "2"$/m);
    // Only what the phase changes differs.
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    assert.equal(changed.length, 6, diff);
    const service = entries.find((e) => e.ref.kind === 'Service' && e.ref.name === 'checkout')!;
    assert.equal(((service.result.spec as JsonObject).selector as JsonObject)['consolidation.dev/merge'], 'backend');
    assert.equal(
      (service.result.spec as JsonObject).clusterIP,
      (service.live!.spec as JsonObject).clusterIP,
      'the cluster-assigned fields are kept',
    );
  });

  it('reports what stops a phase instead of previewing it', async () => {
    fixture = await clusterFixture();
    const result = await previewPhase(fixture.api, fixture.load('resize-backend'));
    assert.equal(result.entries.length, 0);
    assert.match(result.problems[0], /Deployment shop\/backend, which phase resize-backend changes, does not exist/);
  });

  it('strips what the server maintains', () => {
    const stripped = stripForDiff({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'a', uid: 'u', resourceVersion: '1', managedFields: [], generation: 2, creationTimestamp: 't' },
      spec: {},
      status: {},
    });
    assert.deepEqual(stripped, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: {} });
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', { before: 'x', after: 'y' }), '');
  });
});

describe('import cluster state', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('writes the namespace as manifests and a plan whose budget is the nodes’ allocatable, with usage when metrics exist', async () => {
    fixture = await clusterFixture({ metrics: true });
    fixture.server.addNode(
      'node-a',
      { cpu: '3920m', memory: '15Gi', pods: '110' },
      { 'node.kubernetes.io/instance-type': 'm5.xlarge' },
    );
    fixture.server.addNode(
      'node-b',
      { cpu: '3920m', memory: '15Gi', pods: '110' },
      { 'node.kubernetes.io/instance-type': 'm5.xlarge' },
    );
    fixture.server.addNode('gpu-1', { cpu: '8', memory: '30Gi', pods: '58' });
    fixture.server.addPodMetrics('shop', 'cart-abc', { 'app.kubernetes.io/name': 'cart' }, [
      { name: 'cart', cpu: '12m', memory: '40Mi' },
    ]);
    fixture.server.addPodMetrics('shop', 'cart-def', { 'app.kubernetes.io/name': 'cart' }, [
      { name: 'cart', cpu: '8m', memory: '44Mi' },
    ]);
    const out = fixture.workspace.file('imported');
    const result = await importCluster({ api: fixture.api, namespace: 'shop', outDir: out });
    assert.equal(result.workloads, 4);
    assert.equal(result.services, 2);
    assert.equal(result.nodes, 3);
    assert.equal(result.metrics, true);
    assert.deepEqual(result.warnings, []);
    const plan = fs.readFileSync(result.planFile, 'utf8');
    assert.equal(path.basename(result.planFile), 'shop.plan.yaml');
    const value = parse(plan) as JsonObject;
    const budget = (value.spec as JsonObject).budget as JsonObject;
    assert.deepEqual(
      { cpu: budget.cpu, memory: budget.memory, pods: budget.pods },
      { cpu: '15840m', memory: '60Gi', pods: 278 },
    );
    assert.deepEqual(
      (budget.nodes as JsonObject[]).map((n) => [n.name, n.count]),
      [
        ['m5-xlarge', 2],
        ['pool-2', 1],
      ],
    );
    assert.match(plan, /# {3}Deployment cart: cpu 20m, memory 84Mi \(2 pods\)/);
    const manifest = fs.readFileSync(path.join(out, 'manifests', 'service-cart.yaml'), 'utf8');
    for (const field of ['managedFields', 'resourceVersion', 'uid:', 'clusterIP', 'status:'])
      assert.ok(!manifest.includes(field), field);
    // The skeleton is a valid plan over the imported manifests.
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const errors = workspace.findings.plan(result.planFile).filter((f) => f.severity === 'error');
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
    );
    const analysis = workspace.plan(result.planFile)!;
    assert.equal(analysis.workloads.length, 4);
    // It never reads Secrets or ConfigMaps.
    assert.ok(!fixture.server.requests.some((r) => r.resource === 'secrets' || r.resource === 'configmaps'));
    await assert.rejects(importCluster({ api: fixture.api, namespace: 'shop', outDir: out }), /already exists/);
  });

  it("writes the namespace's ResourceQuotas into manifests/, and the plan checks them", async () => {
    fixture = await clusterFixture();
    fixture.server.addNode('node-a', { cpu: '4', memory: '16Gi', pods: '110' });
    fixture.server.seed({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: 'shop' },
      spec: { hard: { pods: '1', 'requests.memory': '64Mi' } },
      status: { hard: { pods: '1' }, used: { pods: '0' } },
    });
    fixture.server.seed({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'not-ours', namespace: 'other' },
      spec: { hard: { pods: '1' } },
    });
    const result = await importCluster({
      api: fixture.api,
      namespace: 'shop',
      outDir: fixture.workspace.file('imported'),
    });
    assert.deepEqual(
      result.warnings.filter((w) => /ResourceQuota/.test(w)),
      [],
    );
    const quotaFile = result.manifestFiles.find((f) => path.basename(f) === 'resourcequota-compute.yaml');
    assert.ok(
      quotaFile,
      `no resourcequota-compute.yaml among ${result.manifestFiles.map((f) => path.basename(f)).join(', ')}`,
    );
    assert.ok(!result.manifestFiles.some((f) => f.includes('not-ours')));
    const quota = parse(fs.readFileSync(quotaFile, 'utf8')) as JsonObject;
    assert.deepEqual(quota.spec, { hard: { pods: '1', 'requests.memory': '64Mi' } });
    assert.equal(quota.status, undefined);
    assert.match(
      fs.readFileSync(result.planFile, 'utf8'),
      /# ResourceQuota compute is in manifests\/: every state is checked against it \(budget\/quota-exceeded\)\./,
    );
    // The fixture's namespace runs more than one pod: the imported plan reports the quota.
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const findings = workspace.findings.plan(result.planFile).filter((f) => f.code === 'budget/quota-exceeded');
    assert.equal(findings.length, 1);
    assert.match(
      findings[0].message,
      /^current state: namespace shop goes over ResourceQuota compute: pods \d+ > 1, requests\.memory [\d,.]+\w+ > 64Mi\.$/,
    );
  });

  it('without the metrics API or the right to list nodes: says so and leaves the budget to fill in', async () => {
    fixture = await clusterFixture();
    fixture.server.forbid({ verb: 'list', resource: 'nodes' });
    const result = await importCluster({
      api: fixture.api,
      namespace: 'shop',
      outDir: fixture.workspace.file('imported'),
    });
    assert.equal(result.metrics, false);
    assert.ok(result.warnings.some((w) => /metrics API/.test(w)));
    assert.ok(result.warnings.some((w) => /Nodes could not be read/.test(w)));
    assert.match(fs.readFileSync(result.planFile, 'utf8'), /# budget: /);
  });
});
