// Rollback, against the test API server through the real client-node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { applyPhase, laterRecordStores, recordStoreFor } from '../../server/src/cluster/applyPhase';
import { parseRecord } from '../../server/src/cluster/applyRecord';
import { rollbackPhase } from '../../server/src/cluster/rollback';
import { clusterFixture, specOf, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

function snapshot(fixture: ClusterFixture): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of fixture.server.objects('Deployment', 'shop'))
    out[`Deployment/${(d.metadata as JsonObject).name}`] = specOf(d);
  for (const s of fixture.server.objects('Service', 'shop'))
    out[`Service/${(s.metadata as JsonObject).name}`] = specOf(s);
  return out;
}

function containers(fixture: ClusterFixture, name: string): JsonObject[] {
  return (
    ((fixture.server.object('Deployment', 'shop', name)!.spec as JsonObject).template as JsonObject).spec as JsonObject
  ).containers as JsonObject[];
}

describe('rollback', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('restores exactly the recorded state (replicas, resources, Service selectors and ports) and deletes only what the apply created', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    // The live search has no memory limit: the phase adds one, and rollback must take it away again.
    fixture.server.edit('Deployment', 'shop', 'search', (o) => {
      delete ((((o.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0]
        .resources!['limits' as never];
    });
    // Made by this tool for another plan: carries the label, is not in this phase's record.
    fixture.server.seed(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'other-merge',
          namespace: 'shop',
          labels: { app: 'other', 'app.kubernetes.io/managed-by': 'consolidation-plans' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'other' } },
          template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'o', image: 'x:1' }] } },
        },
      },
      { manager: 'consolidation-plans', operation: 'Apply' },
    );
    const before = snapshot(fixture);
    const loaded = fixture.load('merge-backend');
    const applied = await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5 });
    assert.equal(applied.status, 'applied', applied.message);
    assert.deepEqual(containers(fixture, 'search')[0].resources, {
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });

    const outcome = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(outcome.status, 'rolled-back', outcome.message);
    assert.equal(fixture.server.object('Deployment', 'shop', 'backend'), undefined, 'the merged workload is deleted');
    const after = snapshot(fixture);
    assert.deepEqual(after, Object.fromEntries(Object.entries(before)));
    assert.ok(fixture.server.object('Deployment', 'shop', 'other-merge'), 'not in the record: kept');
    const deletes = fixture.server.writes({ dryRun: false }).filter((r) => r.verb === 'delete');
    assert.deepEqual(
      deletes.map((d) => `${d.resource}/${d.name}`),
      ['deployments/backend'],
    );
    assert.ok(JSON.stringify(deletes[0].body).includes('"uid"'), 'deleted with a uid precondition');
    const record = parseRecord(
      fs.readFileSync(fixture.workspace.file('.consolidation/shop-merge-backend.json'), 'utf8'),
      'file',
    );
    assert.equal(record.status, 'rolled-back');
    // Old pods are ready again before the Services point back at them.
    const writes = fixture.server.writes({ dryRun: false });
    const scaleUp = writes.findIndex(
      (r) => r.subresource === 'scale' && r.name === 'cart' && JSON.stringify(r.body).includes('"replicas":2'),
    );
    const repoint = writes.findIndex(
      (r) => r.resource === 'services' && r.name === 'cart' && writes.indexOf(r) > scaleUp,
    );
    assert.ok(scaleUp >= 0 && repoint > scaleUp);
  });

  it('works from another machine: the record comes from the ConfigMap when the file is gone', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const before = snapshot(fixture);
    const loaded = fixture.load('merge-backend');
    assert.equal((await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5 })).status, 'applied');
    fs.rmSync(fixture.workspace.file('.consolidation'), { recursive: true });
    const outcome = await rollbackPhase({
      api: await fixture.connect(),
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(outcome.status, 'rolled-back', outcome.message);
    assert.equal(outcome.from, 'cluster');
    assert.deepEqual(snapshot(fixture), before);
  });

  it('undoes a failed apply (a rollout that never got ready): deletes the new workload, the rest is as it was', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.rollout('shop', 'backend', 'never-ready');
    const before = snapshot(fixture);
    const loaded = fixture.load('merge-backend');
    const failed = await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5, timeoutMs: 50 });
    assert.equal(failed.status, 'failed');
    const outcome = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(outcome.status, 'rolled-back', outcome.message);
    assert.deepEqual(snapshot(fixture), before);
  });

  it('does not delete an object that lost the managed-by label, nor one re-created under the same name', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const loaded = fixture.load('merge-backend');
    assert.equal((await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5 })).status, 'applied');
    fixture.server.edit(
      'Deployment',
      'shop',
      'backend',
      (o) => {
        delete ((o.metadata as JsonObject).labels as JsonObject)['app.kubernetes.io/managed-by'];
      },
      'helm',
    );
    const outcome = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.ok(fixture.server.object('Deployment', 'shop', 'backend'), 'kept');
    assert.ok(
      outcome.warnings.some((w) =>
        /Not deleted: Deployment shop\/backend: it does not carry app.kubernetes.io\/managed-by=consolidation-plans/.test(
          w,
        ),
      ),
    );
    assert.ok(outcome.notDone.some((n) => n.startsWith('delete Deployment shop/backend')));

    // Same name, another object (another uid): not the one the apply created.
    const f2 = await clusterFixture({ readyDelayMs: 1 });
    try {
      const loaded2 = f2.load('merge-backend');
      assert.equal((await applyPhase({ api: f2.api, loaded: loaded2, pollIntervalMs: 5 })).status, 'applied');
      const backend = f2.server.object('Deployment', 'shop', 'backend')!;
      await f2.api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'backend' });
      delete (backend.metadata as JsonObject).uid;
      delete (backend.metadata as JsonObject).resourceVersion;
      delete (backend.metadata as JsonObject).managedFields;
      f2.server.seed(backend, { manager: 'someone-else' });
      const second = await rollbackPhase({ api: f2.api, store: recordStoreFor(f2.api, loaded2), pollIntervalMs: 5 });
      assert.ok(f2.server.object('Deployment', 'shop', 'backend'), 'kept');
      assert.ok(second.warnings.some((w) => /is not the object the apply created/.test(w)));
    } finally {
      await f2.dispose();
    }
  });

  it('restores the resources of a later phase exactly, keeping the merged workload', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(
      (await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 })).status,
      'applied',
    );
    const before = specOf(fixture.server.object('Deployment', 'shop', 'backend'));
    const loaded = fixture.load('resize-backend');
    assert.equal((await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5 })).status, 'applied');
    assert.notDeepEqual(specOf(fixture.server.object('Deployment', 'shop', 'backend')), before);
    const outcome = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(outcome.status, 'rolled-back', outcome.message);
    assert.deepEqual(specOf(fixture.server.object('Deployment', 'shop', 'backend')), before);
  });

  it('refuses to roll back a phase while a later phase is still applied', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const before = snapshot(fixture);
    const first = fixture.load('merge-backend');
    const second = fixture.load('resize-backend');
    assert.equal((await applyPhase({ api: fixture.api, loaded: first, pollIntervalMs: 5 })).status, 'applied');
    assert.equal((await applyPhase({ api: fixture.api, loaded: second, pollIntervalMs: 5 })).status, 'applied');
    const writes = fixture.server.writes().length;
    const refused = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, first),
      later: laterRecordStores(fixture.api, first),
      pollIntervalMs: 5,
    });
    assert.equal(refused.status, 'refused');
    assert.match(
      refused.message,
      /Phase resize-backend, which comes after merge-backend, is applied on this cluster.*roll it back first/,
    );
    assert.equal(fixture.server.writes().length, writes, 'no write request');
    assert.equal(
      (
        await rollbackPhase({
          api: fixture.api,
          store: recordStoreFor(fixture.api, second),
          later: laterRecordStores(fixture.api, second),
          pollIntervalMs: 5,
        })
      ).status,
      'rolled-back',
    );
    assert.equal(
      (
        await rollbackPhase({
          api: fixture.api,
          store: recordStoreFor(fixture.api, first),
          later: laterRecordStores(fixture.api, first),
          pollIntervalMs: 5,
        })
      ).status,
      'rolled-back',
    );
    assert.deepEqual(snapshot(fixture), before);
  });

  it('without a record: refuses and changes nothing', async () => {
    fixture = await clusterFixture();
    const rv = fixture.server.resourceVersion;
    const outcome = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, fixture.load('merge-backend')),
    });
    assert.equal(outcome.status, 'refused');
    assert.match(outcome.message, /There is no apply record of phase merge-backend/);
    assert.equal(fixture.server.resourceVersion, rv);
  });

  it('a failure during rollback says what was and was not restored, and running it again finishes', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const before = snapshot(fixture);
    const loaded = fixture.load('merge-backend');
    assert.equal((await applyPhase({ api: fixture.api, loaded, pollIntervalMs: 5 })).status, 'applied');
    fixture.server.forbid({ verb: 'delete', resource: 'deployments' });
    const first = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(first.status, 'failed');
    assert.match(first.message, /RBAC refused to let you delete "deployments"/);
    assert.ok(first.notDone.some((n) => n.startsWith('delete Deployment shop/backend')));
    assert.ok(first.done.some((d) => d.startsWith('Restored the selector of Service shop/cart')));
    fixture.server.clearFaults();
    const second = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, loaded),
      pollIntervalMs: 5,
    });
    assert.equal(second.status, 'rolled-back', second.message);
    assert.deepEqual(snapshot(fixture), before);
  });
});
