// Apply, against the test API server, through the real @kubernetes/client-node 1.4.0.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { applyPhase, type ApplyEvent } from '../../server/src/cluster/applyPhase';
import { parseRecord } from '../../server/src/cluster/applyRecord';
import { clusterFixture, specOf, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

const WORKLOADS = ['cart', 'checkout', 'search', 'legacy'];

function replicas(fixture: ClusterFixture, name: string): number | undefined {
  return (fixture.server.object('Deployment', 'shop', name)?.spec as JsonObject | undefined)?.replicas as
    number | undefined;
}

function selector(fixture: ClusterFixture, name: string): unknown {
  return (fixture.server.object('Service', 'shop', name)?.spec as JsonObject).selector;
}

function managers(object: JsonObject | undefined): string[] {
  return (((object?.metadata as JsonObject).managedFields as JsonObject[]) ?? []).map(
    (m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`,
  );
}

/** The parts of every fixture object this tool must not touch on a failed apply. */
function snapshot(fixture: ClusterFixture): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of WORKLOADS) out[`Deployment/${name}`] = specOf(fixture.server.object('Deployment', 'shop', name));
  for (const name of ['cart', 'checkout'])
    out[`Service/${name}`] = specOf(fixture.server.object('Service', 'shop', name));
  return out;
}

describe('apply', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('creates the merged workload, waits for it, then re-points the Services and scales the old workloads to 0', async () => {
    fixture = await clusterFixture({ readyDelayMs: 10 });
    const events: ApplyEvent[] = [];
    const outcome = await applyPhase({
      api: fixture.api,
      loaded: fixture.load('merge-backend'),
      pollIntervalMs: 5,
      onProgress: (e) => events.push(e),
    });
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.equal(replicas(fixture, 'backend'), 2);
    const backend = fixture.server.object('Deployment', 'shop', 'backend')!;
    assert.equal(
      ((backend.metadata as JsonObject).labels as JsonObject)['app.kubernetes.io/managed-by'],
      'consolidation-plans',
    );
    assert.deepEqual(
      managers(backend).filter((m) => !m.startsWith('kube-controller-manager')),
      ['consolidation-plans/Apply'],
    );
    assert.deepEqual(selector(fixture, 'cart'), { 'consolidation.dev/merge': 'backend' });
    assert.equal(
      ((fixture.server.object('Service', 'shop', 'checkout')!.spec as JsonObject).ports as JsonObject[])[0].targetPort,
      'checkout-http',
    );
    for (const [name, before] of [
      ['cart', 2],
      ['checkout', 1],
      ['legacy', 1],
    ] as const) {
      assert.equal(replicas(fixture, name), 0, name);
      assert.equal(
        ((fixture.server.object('Deployment', 'shop', name)!.metadata as JsonObject).annotations as JsonObject)[
          'consolidation.dev/previous-replicas'
        ],
        String(before),
      );
    }
    assert.equal(replicas(fixture, 'search'), 2);
    const search = (
      (
        ((fixture.server.object('Deployment', 'shop', 'search')!.spec as JsonObject).template as JsonObject)
          .spec as JsonObject
      ).containers as JsonObject[]
    )[0];
    assert.deepEqual(search.resources, {
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });

    // Order: nothing is re-pointed or scaled down before the new workload is ready.
    const writes = fixture.server.writes({ dryRun: false }).filter((r) => r.resource !== 'configmaps');
    const firstRepoint = writes.findIndex((r) => r.resource === 'services');
    const firstScaleDown = writes.findIndex((r) => r.subresource === 'scale' && r.name !== 'search');
    const created = writes.findIndex((r) => r.name === 'backend');
    assert.ok(
      created < firstRepoint && firstRepoint < firstScaleDown,
      writes.map((w) => `${w.verb} ${w.resource}/${w.name}`).join(', '),
    );
    const readyLook = fixture.server.requests.findIndex(
      (r) => r.verb === 'get' && r.name === 'backend' && r.status === 200,
    );
    assert.ok(readyLook >= 0 && readyLook < fixture.server.requests.indexOf(writes[firstRepoint]));
    assert.ok(
      events.some((e) => e.type === 'waiting'),
      'progress says what it waits for',
    );

    // Objects others own are changed with targeted patches, never with a (forced) apply.
    for (const request of fixture.server.writes()) {
      assert.notEqual(request.query.get('force'), 'true');
      if (request.name !== 'backend' && request.resource !== 'configmaps')
        assert.notEqual(request.contentType, 'application/apply-patch+yaml', `${request.resource}/${request.name}`);
      if (request.verb === 'patch' && request.name !== 'backend' && request.resource !== 'configmaps') {
        assert.ok(
          JSON.stringify(request.body).includes('"resourceVersion"'),
          `${request.resource}/${request.name} is guarded by resourceVersion`,
        );
      }
    }
    // Helm still owns the Service fields the phase did not change.
    const cart = fixture.server.object('Service', 'shop', 'cart')!;
    const helm = ((cart.metadata as JsonObject).managedFields as JsonObject[]).find((m) => m.manager === 'helm')!;
    assert.ok(JSON.stringify(helm.fieldsV1).includes('f:ports'));
    assert.ok(!JSON.stringify(helm.fieldsV1).includes('f:selector'));

    // The record, in the file and in the ConfigMap.
    const record = parseRecord(
      fs.readFileSync(fixture.workspace.file('.consolidation/shop-merge-backend.json'), 'utf8'),
      'file',
    );
    assert.equal(record.status, 'applied');
    assert.deepEqual(record.objects.find((o) => o.ref.name === 'cart' && o.ref.kind === 'Deployment')!.replicas, 2);
    assert.deepEqual(record.objects.find((o) => o.ref.name === 'cart' && o.ref.kind === 'Service')!.selector, {
      'app.kubernetes.io/name': 'cart',
    });
    assert.equal(record.objects.find((o) => o.ref.name === 'backend')!.existed, false);
    const configMap = fixture.server.object('ConfigMap', 'shop', 'consolidation-record-shop-merge-backend')!;
    assert.equal(parseRecord(String((configMap.data as JsonObject)['record.json']), 'ConfigMap').status, 'applied');
    assert.equal(outcome.notDone.length, 0);
  });

  it('a rollout that never gets ready: stops at the timeout, old workloads keep their replicas, Services untouched', async () => {
    fixture = await clusterFixture({ readyDelayMs: 5 });
    fixture.server.rollout('shop', 'backend', 'never-ready');
    const before = snapshot(fixture);
    const outcome = await applyPhase({
      api: fixture.api,
      loaded: fixture.load('merge-backend'),
      pollIntervalMs: 5,
      timeoutMs: 150,
    });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.kind, 'timeout');
    assert.match(
      outcome.message,
      /Timed out after 150ms waiting for the rollout of Deployment shop\/backend \(waiting for 0 of 2 updated replicas available\)/,
    );
    assert.match(outcome.message, /still serving at their original replicas/);
    for (const name of ['cart', 'checkout', 'legacy'])
      assert.deepEqual(specOf(fixture.server.object('Deployment', 'shop', name)), before[`Deployment/${name}`]);
    for (const name of ['cart', 'checkout'])
      assert.deepEqual(specOf(fixture.server.object('Service', 'shop', name)), before[`Service/${name}`]);
    assert.ok(outcome.done.some((d) => d.startsWith('Created Deployment shop/backend')));
    assert.ok(outcome.notDone.some((d) => d.startsWith('re-point Service shop/cart')));
    assert.ok(outcome.notDone.some((d) => d.startsWith('scale Deployment shop/cart')));
    assert.ok(outcome.changed, 'rollback is offered');
    assert.equal(
      parseRecord(fs.readFileSync(fixture.workspace.file('.consolidation/shop-merge-backend.json'), 'utf8'), 'file')
        .status,
      'failed',
    );
  });

  it('ProgressDeadlineExceeded is a failure, reported as such', async () => {
    fixture = await clusterFixture({ readyDelayMs: 5 });
    fixture.server.rollout('shop', 'backend', 'deadline-exceeded');
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.kind, 'rollout-failed');
    assert.match(outcome.message, /ProgressDeadlineExceeded/);
    assert.equal(replicas(fixture, 'cart'), 2);
  });

  it('cancellation mid-rollout stops, leaves the old workloads serving and says what was done', async () => {
    fixture = await clusterFixture();
    fixture.server.rollout('shop', 'backend', 'manual');
    const before = snapshot(fixture);
    const controller = new AbortController();
    const outcome = await applyPhase({
      api: fixture.api,
      loaded: fixture.load('merge-backend'),
      pollIntervalMs: 5,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'waiting' && event.workloads.some((w) => w.ref.name === 'backend' && !w.ready))
          controller.abort();
      },
    });
    assert.equal(outcome.status, 'cancelled', outcome.message);
    assert.match(outcome.message, /^Cancelled/);
    for (const name of ['cart', 'checkout', 'legacy'])
      assert.deepEqual(specOf(fixture.server.object('Deployment', 'shop', name)), before[`Deployment/${name}`]);
    for (const name of ['cart', 'checkout'])
      assert.deepEqual(specOf(fixture.server.object('Service', 'shop', name)), before[`Service/${name}`]);
    assert.ok(outcome.done.some((d) => d.startsWith('Created Deployment shop/backend')));
    assert.ok(outcome.notDone[0].startsWith('wait for the rollout'));
    const record = parseRecord(
      fs.readFileSync(fixture.workspace.file('.consolidation/shop-merge-backend.json'), 'utf8'),
      'file',
    );
    assert.equal(record.status, 'cancelled');
  });

  it('a field another manager (Helm) owns is not taken over; the error names the owner and the field', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(
      (await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 })).status,
      'applied',
    );
    // Helm took the merged workload's image since.
    fixture.server.edit(
      'Deployment',
      'shop',
      'backend',
      (o) => {
        ((((o.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0].image =
          'registry.k8s.io/pause:3.10';
      },
      'helm',
    );
    const conflicts: string[] = [];
    const outcome = await applyPhase({
      api: fixture.api,
      loaded: fixture.load('merge-backend'),
      pollIntervalMs: 5,
      onConflict: async (error) => {
        conflicts.push(error.message);
        return 'stop';
      },
    });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.kind, 'conflict');
    assert.deepEqual(outcome.error?.conflicts, [
      { manager: 'helm', field: '.spec.template.spec.containers[name="cart"].image' },
    ]);
    assert.match(
      outcome.message,
      /shop\.plan\.yaml:\d+: Conflict \(409\) applying Deployment shop\/backend: \.spec\.template\.spec\.containers\[name="cart"\]\.image is owned by "helm"/,
    );
    assert.equal(conflicts.length, 1, 'the user was shown the conflict');
    const image = (
      (
        ((fixture.server.object('Deployment', 'shop', 'backend')!.spec as JsonObject).template as JsonObject)
          .spec as JsonObject
      ).containers as JsonObject[]
    )[0].image;
    assert.equal(image, 'registry.k8s.io/pause:3.10', 'not taken over');
    assert.ok(!fixture.server.writes().some((r) => r.query.get('force') === 'true'));

    // Force only when the user chooses it.
    const forced = await applyPhase({
      api: fixture.api,
      loaded: fixture.load('merge-backend'),
      pollIntervalMs: 5,
      onConflict: async () => 'force',
    });
    assert.equal(forced.status, 'applied', forced.message);
    assert.ok(forced.warnings.some((w) => /Forced by the user/.test(w)));
    assert.ok(fixture.server.writes().some((r) => r.query.get('force') === 'true' && r.name === 'backend'));
  });

  it('retries a 503 and a dropped connection, then succeeds', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.fail({ verb: 'patch', resource: 'deployments', subresource: 'scale', status: 503, times: 2 });
    fixture.server.fail({ verb: 'patch', resource: 'services', drop: true, times: 1 });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.equal(fixture.retries.filter((r) => /503 Service Unavailable/.test(r)).length, 2);
    assert.ok(fixture.retries.some((r) => /Lost the connection/.test(r)));
    assert.equal(replicas(fixture, 'cart'), 0);
  });

  it("a write that went through but whose answer was lost is not taken for somebody else's change", async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.fail({ verb: 'patch', resource: 'services', name: 'cart', dropAfter: true });
    fixture.server.fail({
      verb: 'patch',
      resource: 'deployments',
      subresource: 'scale',
      name: 'cart',
      dropAfter: true,
    });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.ok(fixture.retries.filter((r) => /Lost the connection/.test(r)).length >= 2);
    assert.deepEqual(selector(fixture, 'cart'), { 'consolidation.dev/merge': 'backend' });
    assert.equal(replicas(fixture, 'cart'), 0);
  });

  it('gives up after a bounded number of retries, saying so', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.fail({ verb: 'patch', resource: 'services', status: 500, times: Infinity });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /500 Internal Server Error.*gave up after 5 attempts/);
    assert.equal(fixture.server.requests.filter((r) => r.resource === 'services' && r.verb === 'patch').length, 5);
    assert.equal(replicas(fixture, 'cart'), 2, 'not scaled down');
  });

  it('a request that times out is retried', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1, requestTimeoutMs: 1000 });
    fixture.server.fail({ verb: 'get', resource: 'services', delayMs: 3000 });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.ok(fixture.retries.some((r) => /did not answer within 1s/.test(r)));
  });

  it('403: names the verb and the resource RBAC refused, and stops before scaling down', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.forbid({ verb: 'patch', resource: 'deployments', subresource: 'scale', name: 'cart' });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.kind, 'forbidden');
    assert.match(
      outcome.message,
      /RBAC refused to let you patch "deployments\/scale" \(API group "apps"\) in namespace shop \(403 Forbidden\)/,
    );
    assert.match(outcome.message, /cannot patch resource "deployments\/scale"/);
    assert.ok(outcome.done.some((d) => d.startsWith('Scaled Deployment shop/legacy')));
    assert.ok(outcome.notDone.some((d) => d.startsWith('scale Deployment shop/cart')));
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.equal(replicas(fixture, 'checkout'), 1);
    assert.match(outcome.message, /1 of 3 replaced workloads were scaled down/);
  });

  it('a refusal on the very first change leaves every object of the phase as it was, and says so', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.forbid({ verb: 'patch', resource: 'deployments', name: 'backend' });
    const before = snapshot(fixture);
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.changed, false);
    assert.match(outcome.message, /No object of the phase was changed \(only the apply record was written\)/);
    assert.deepEqual(snapshot(fixture), before);
  });

  it('422: the API message, mapped back to the plan line', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.fail({
      verb: 'patch',
      resource: 'deployments',
      name: 'search',
      contentType: 'application/strategic-merge-patch+json',
      status: 422,
      message:
        'Deployment.apps "search" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit',
      causes: [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.template.spec.containers[0].resources.requests',
          message: 'Invalid value: "200m": must be less than or equal to cpu limit',
        },
      ],
    });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.kind, 'invalid');
    const line =
      fs
        .readFileSync(fixture.planFile, 'utf8')
        .split('\n')
        .findIndex((l) => l.trim() === 'search: 2') + 1;
    assert.match(
      outcome.message,
      new RegExp(
        `shop\\.plan\\.yaml:${line}: The API server rejected Deployment shop/search as invalid \\(422\\): spec\\.template\\.spec\\.containers\\[0\\]\\.resources\\.requests: Invalid value`,
      ),
    );
  });

  it('a resourceVersion conflict over fields the phase does not change is retried with the new version', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    let edited = false;
    fixture.server.on('request', (request) => {
      if (!edited && request.verb === 'patch' && request.resource === 'services' && request.name === 'cart') {
        edited = true;
        fixture!.server.edit(
          'Deployment',
          'shop',
          'cart',
          (o) => (((o.metadata as JsonObject).labels as JsonObject).team = 'payments'),
          'kubectl-label',
        );
      }
    });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);
    const conflicts = fixture.server.requests.filter(
      (r) => r.name === 'cart' && r.resource === 'deployments' && r.status === 409,
    );
    assert.equal(conflicts.length, 1, 'the first write met the new resourceVersion');
    assert.equal(replicas(fixture, 'cart'), 0);
    assert.equal(
      ((fixture.server.object('Deployment', 'shop', 'cart')!.metadata as JsonObject).labels as JsonObject).team,
      'payments',
      'their change kept',
    );
  });

  it('a change of the same field by someone else between read and write stops the phase', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    // Someone scales cart between the read and the write: its replicas moved, so the phase stops.
    let edited = false;
    fixture.server.on('request', (request) => {
      if (!edited && request.verb === 'patch' && request.resource === 'services' && request.name === 'cart') {
        edited = true;
        fixture!.server.edit(
          'Deployment',
          'shop',
          'cart',
          (o) => ((o.spec as JsonObject).replicas = 5),
          'hpa-controller',
        );
      }
    });
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /Deployment shop\/cart was changed by "hpa-controller" while applying/);
    assert.equal(replicas(fixture, 'cart'), 5, 'not overwritten');
  });

  it('refuses, changing nothing, when an object it would create exists and is not its own', async () => {
    fixture = await clusterFixture();
    fixture.server.seed(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'backend',
          namespace: 'shop',
          labels: { app: 'backend', 'app.kubernetes.io/managed-by': 'Helm' },
        },
        spec: {
          selector: { matchLabels: { app: 'backend' } },
          template: { metadata: { labels: { app: 'backend' } }, spec: { containers: [{ name: 'b', image: 'x:1' }] } },
        },
      },
      { manager: 'helm' },
    );
    const rv = fixture.server.resourceVersion;
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'refused');
    assert.match(
      outcome.message,
      /Deployment shop\/backend already exists and was not created by this tool \(managed-by: Helm\)/,
    );
    assert.equal(fixture.server.resourceVersion, rv);
  });

  it('dry run: every write goes with dryRun=All, and nothing changes (no record either)', async () => {
    fixture = await clusterFixture();
    const rv = fixture.server.resourceVersion;
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), dryRun: true });
    assert.equal(outcome.status, 'dry-run', outcome.message);
    assert.equal(fixture.server.resourceVersion, rv);
    assert.ok(fixture.server.writes().length > 0);
    assert.deepEqual(fixture.server.writes({ dryRun: false }), []);
    assert.ok(!fs.existsSync(fixture.workspace.file('.consolidation')));
    assert.ok(outcome.done.some((d) => d.startsWith('Would create Deployment shop/backend')));
    assert.equal(fixture.server.object('ConfigMap', 'shop', 'consolidation-record-shop-merge-backend'), undefined);
  });

  it('applying again is idempotent and keeps the first record of the previous state', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(
      (await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 })).status,
      'applied',
    );
    const second = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(second.status, 'applied', second.message);
    const record = parseRecord(
      fs.readFileSync(fixture.workspace.file('.consolidation/shop-merge-backend.json'), 'utf8'),
      'file',
    );
    assert.equal(record.objects.find((o) => o.ref.kind === 'Deployment' && o.ref.name === 'cart')!.replicas, 2);
    assert.deepEqual(record.objects.find((o) => o.ref.kind === 'Service' && o.ref.name === 'cart')!.selector, {
      'app.kubernetes.io/name': 'cart',
    });
    assert.equal(record.objects.find((o) => o.ref.name === 'backend')!.existed, false);
  });

  it('a later phase changes the merged workload with a targeted patch; an earlier phase missing is refused', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const early = await applyPhase({ api: fixture.api, loaded: fixture.load('resize-backend'), pollIntervalMs: 5 });
    assert.equal(early.status, 'refused');
    assert.match(
      early.message,
      /phase merge-backend is not applied on this cluster: there is no record of it, and Deployment shop\/backend does not exist \(the phase creates it\)/,
    );
    assert.equal(
      (await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 })).status,
      'applied',
    );
    const later = await applyPhase({ api: fixture.api, loaded: fixture.load('resize-backend'), pollIntervalMs: 5 });
    assert.equal(later.status, 'applied', later.message);
    const cart = (
      (
        ((fixture.server.object('Deployment', 'shop', 'backend')!.spec as JsonObject).template as JsonObject)
          .spec as JsonObject
      ).containers as JsonObject[]
    ).find((c) => c.name === 'cart')!;
    assert.deepEqual(cart.resources, {
      requests: { cpu: '100m', memory: '192Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  it('refuses a plan with errors', async () => {
    fixture = await clusterFixture();
    fixture.workspace.write(
      'shop.plan.yaml',
      fs.readFileSync(fixture.planFile, 'utf8').replace('from: [cart, checkout]', 'from: [cart, chekout]'),
    );
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend') });
    assert.equal(outcome.status, 'refused');
    assert.match(
      outcome.message,
      /Phase merge-backend cannot be applied: \d+ errors? in the plan or the manifests it touches; fix/,
    );
    assert.match(outcome.message, /shop\.plan\.yaml:\d+: .*chekout/);
    assert.deepEqual(fixture.server.writes(), []);
  });
});
