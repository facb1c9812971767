// Issue 14: rollback deletes only what the record proves the apply created; the record never stands
// between the user and a rollback; a hung record write is bounded; a second apply keeps the log.
// Through the real CLI (dist/cli.js as a process) where the issue saw it, against the test API server.
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { apply } from '../../server/src/cli/apply';
import { applyPhase, recordStoreFor } from '../../server/src/cluster/applyPhase';
import { parseRecord, type ApplyRecord } from '../../server/src/cluster/applyRecord';
import { rollbackPhase } from '../../server/src/cluster/rollback';
import { assertBuilt, runCli } from '../helpers/cli';
import { cliIo as io, clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

const RECORD_FILE = '.consolidation/shop-merge-backend.json';
const CONFIG_MAP = 'consolidation-record-shop-merge-backend';

function replicas(fixture: ClusterFixture, name: string): unknown {
  return (fixture.server.object('Deployment', 'shop', name)?.spec as JsonObject | undefined)?.replicas;
}

function configMapRecord(fixture: ClusterFixture): ApplyRecord {
  const data = fixture.server.object('ConfigMap', 'shop', CONFIG_MAP)!.data as JsonObject;
  return parseRecord(String(data['record.json']), 'ConfigMap');
}

function userDeployment(name: string): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name, 'app.kubernetes.io/managed-by': 'consolidation-plans' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'registry.k8s.io/pause:3.9' }] },
      },
    },
  };
}

async function rollbackCli(fixture: ClusterFixture) {
  return runCli(['rollback', 'shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '1m'], {
    cwd: fixture.workspace.dir,
    env: { KUBECONFIG: fixture.kubeconfig },
    timeoutMs: 60_000,
  });
}

describe('rollback records: what rollback deletes, and records that never block it', () => {
  let fixture: ClusterFixture | undefined;
  before(() => assertBuilt());
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it("keeps a user's Deployment that an edited record lists as created (no uid, or older than the apply), and says why", async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    // The user's own, labelled as `kubectl apply` of rendered output leaves it.
    const userGen = fixture.server.seed(userDeployment('user-gen'));
    const userOld = fixture.server.seed(userDeployment('user-old'), { createdAt: '2026-01-02T03:04:05Z' });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    // The record edited, its ConfigMap gone: rollback reads the file.
    const record = JSON.parse(fixture.workspace.read(RECORD_FILE)) as ApplyRecord;
    const created = (name: string, uid?: string) => ({
      ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
      role: 'created',
      origin: 'edited',
      existed: false,
      ...(uid ? { uid } : {}),
      annotations: {},
      state: 'done',
    });
    record.objects.push(
      created('user-gen') as never,
      created('user-old', (userOld.metadata as JsonObject).uid as string) as never,
    );
    fixture.workspace.write(RECORD_FILE, JSON.stringify(record, null, 2));
    await fixture.api.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: CONFIG_MAP });

    const result = await rollbackCli(fixture);
    assert.ok(fixture.server.object('Deployment', 'shop', 'user-gen'), 'no uid in the record: kept');
    assert.equal(
      (fixture.server.object('Deployment', 'shop', 'user-gen')!.metadata as JsonObject).uid,
      (userGen.metadata as JsonObject).uid,
    );
    assert.ok(fixture.server.object('Deployment', 'shop', 'user-old'), 'older than the apply: kept');
    assert.equal(
      fixture.server.object('Deployment', 'shop', 'backend'),
      undefined,
      'what the apply created is deleted',
    );
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.match(
      result.stdout,
      /Not deleted: Deployment shop\/user-gen: the record holds no uid for it, so nothing proves the apply created it/,
    );
    assert.match(
      result.stdout,
      /Not deleted: Deployment shop\/user-old: it was created at 2026-01-02T03:04:05(\.000)?Z, before the apply started/,
    );
    assert.match(result.stdout, /Deleted Deployment shop\/backend, which the apply created/);
    assert.doesNotMatch(result.stdout, /Deleted Deployment shop\/user-/);
    assert.equal(result.code, 1, 'something was not done: the exit status says so');
  });

  it('another field manager rewrote the record ConfigMap: rollback reads it, restores the workloads and updates the record without forcing', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    // `kubectl edit` of the ConfigMap: the same record, written again (now owned by kubectl-edit).
    fixture.server.edit('ConfigMap', 'shop', CONFIG_MAP, (o) => {
      const data = o.data as JsonObject;
      data['record.json'] = JSON.stringify(JSON.parse(String(data['record.json'])));
    });
    const result = await rollbackCli(fixture);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.equal(replicas(fixture, 'checkout'), 1);
    assert.equal(fixture.server.object('Deployment', 'shop', 'backend'), undefined);
    assert.equal(configMapRecord(fixture).status, 'rolled-back');
    assert.ok(
      !fixture.server.writes().some((w) => w.resource === 'configmaps' && w.query.get('force') === 'true'),
      'never forced',
    );
  });

  it('a record ConfigMap whose copy was broken: rollback works from the file beside the plan', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    fixture.server.edit(
      'ConfigMap',
      'shop',
      CONFIG_MAP,
      (o) => ((o.data as JsonObject)['record.json'] = '{"truncated'),
    );
    const back = await rollbackPhase({
      api: fixture.api,
      store: recordStoreFor(fixture.api, fixture.load('merge-backend')),
      pollIntervalMs: 5,
    });
    assert.equal(back.status, 'rolled-back', back.message);
    assert.equal(back.from, 'file');
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.equal(configMapRecord(fixture).status, 'rolled-back', 'the ConfigMap is whole again');
  });

  it('a record ConfigMap that cannot be written at all: the workloads are restored first, the file keeps the record', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    fixture.server.forbid({ verb: 'patch', resource: 'configmaps' });
    const result = await rollbackCli(fixture);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.equal(fixture.server.object('Deployment', 'shop', 'backend'), undefined);
    assert.match(
      result.stdout + result.stderr,
      /Could not update the record ConfigMap \(the record is kept in .*shop-merge-backend\.json\)/,
    );
    assert.equal((JSON.parse(fixture.workspace.read(RECORD_FILE)) as ApplyRecord).status, 'rolled-back');
  });

  it('a hung record ConfigMap after the first write: the apply finishes with few bounded tries, and the file finishes the record', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const loaded = fixture.load('merge-backend');
    const store = recordStoreFor(fixture.api, loaded);
    store.configMapDeadlineMs = 200;
    let firstWrite = true;
    fixture.server.on('write', (event: { type: string }) => {
      if (event.type !== 'ConfigMap' || !firstWrite) return;
      firstWrite = false;
      fixture!.server.fail({ resource: 'configmaps', verb: 'patch', delayMs: 60_000, times: Infinity });
    });
    const outcome = await applyPhase({ api: fixture.api, loaded, store, pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.equal(replicas(fixture, 'cart'), 0);
    assert.ok(
      outcome.warnings.some((w) => /could not be written within 0\.2s/.test(w)),
      outcome.warnings.join('\n'),
    );
    // The first write, one that hung, and the final one: not one per log line, not five 30 s tries each.
    const tries = fixture.server.requests.filter((r) => r.resource === 'configmaps' && r.method === 'PATCH').length;
    assert.ok(tries <= 4, `${tries} writes of the ConfigMap`);
    assert.equal(configMapRecord(fixture).status, 'in-progress', 'the ConfigMap could not be finished');
    assert.equal((JSON.parse(fixture.workspace.read(RECORD_FILE)) as ApplyRecord).status, 'applied');

    fixture.server.clearFaults();
    const again = recordStoreFor(fixture.api, loaded);
    const found = await again.load();
    assert.equal(found?.record.status, 'applied', 'the newer file of the same run finishes the record');
    const back = await rollbackPhase({ api: fixture.api, store: again, pollIntervalMs: 5 });
    assert.equal(back.status, 'rolled-back', back.message);
    assert.equal(configMapRecord(fixture).status, 'rolled-back');
  });

  it("a second apply of the same phase keeps the record's log (and when the first apply started)", async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.rollout('shop', 'backend', 'never-ready');
    assert.equal(
      await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '50ms'], io(fixture)),
      1,
    );
    const first = JSON.parse(fixture.workspace.read(RECORD_FILE)) as ApplyRecord;
    assert.equal(first.status, 'failed');
    fixture.server.rollout('shop', 'backend', 'ready');
    fixture.server.completeRollout('shop', 'backend');
    const run = io(fixture);
    assert.equal(
      await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '1m'], run),
      0,
      run.err.text,
    );
    const second = configMapRecord(fixture);
    assert.equal(second.status, 'applied');
    assert.equal(second.startedAt, first.startedAt);
    for (const entry of first.log)
      assert.ok(
        second.log.some((e) => e.at === entry.at && e.message === entry.message),
        `kept: ${entry.message}`,
      );
    assert.ok(
      second.log.some((e) => /^Failed: /.test(e.message)) &&
        second.log.some((e) => e.message === 'Applied phase merge-backend'),
    );
  });
});
