// The test API server behaves like the real one for what the cluster code uses: these tests pin
// that down over plain HTTP (what any client sends) and through client-node.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TestKubeApiServer } from '../helpers/testKubeApiServer';
import type { JsonObject } from '../helpers/kubeFields';

function deployment(name: string, replicas = 2, image = 'example/app:1'): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'ops', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image,
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
}

describe('TestKubeApiServer', () => {
  let server: TestKubeApiServer;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    token?: string,
  ) => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        Authorization: `Bearer ${token ?? server.token}`,
        ...(body !== undefined ? { 'Content-Type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as JsonObject, headers: response.headers };
  };
  const path = (name = '') => `/apis/apps/v1/namespaces/ops/deployments${name ? `/${name}` : ''}`;

  before(async () => {
    server = await TestKubeApiServer.start({ readyDelayMs: 5 });
  });
  after(async () => server.close());
  beforeEach(() => server.clearFaults());

  it('serves discovery for core, apps and (when enabled) metrics', async () => {
    const core = await call('GET', '/api/v1');
    assert.equal(core.status, 200);
    assert.ok(
      (core.body.resources as JsonObject[]).some(
        (r) => r.name === 'services' && r.kind === 'Service' && r.namespaced === true,
      ),
    );
    const apps = await call('GET', '/apis/apps/v1');
    assert.ok((apps.body.resources as JsonObject[]).some((r) => r.name === 'deployments/scale' && r.kind === 'Scale'));
    assert.equal((await call('GET', '/apis/metrics.k8s.io/v1beta1')).status, 404);
  });

  it('answers 401 with a Status body without the token', async () => {
    const response = await call('GET', path(), undefined, undefined, 'wrong');
    assert.equal(response.status, 401);
    assert.deepEqual(
      { kind: response.body.kind, reason: response.body.reason, code: response.body.code },
      { kind: 'Status', reason: 'Unauthorized', code: 401 },
    );
  });

  it('creates, defaults, and counts resourceVersion and generation', async () => {
    server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } });
    const rv = server.resourceVersion;
    const created = await call('POST', path() + '?fieldManager=kubectl-create', deployment('one'));
    assert.equal(created.status, 201);
    const metadata = created.body.metadata as JsonObject;
    assert.equal(metadata.resourceVersion, String(rv + 1));
    assert.equal(metadata.generation, 1);
    assert.equal(((created.body.spec as JsonObject).strategy as JsonObject).type, 'RollingUpdate', 'defaulted');
    const again = await call('POST', path(), deployment('one'));
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    // A metadata-only change keeps the generation; a spec change bumps it.
    const labelled = await call(
      'PATCH',
      path('one'),
      { metadata: { labels: { team: 'a' } } },
      'application/merge-patch+json',
    );
    assert.equal((labelled.body.metadata as JsonObject).generation, 1);
    const scaled = await call('PATCH', path('one'), { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal((scaled.body.metadata as JsonObject).generation, 2);
    assert.ok(Number((scaled.body.metadata as JsonObject).resourceVersion) > Number(metadata.resourceVersion));
  });

  it('rejects a write carrying a stale resourceVersion with 409 Conflict', async () => {
    const live = server.seed(deployment('two'));
    const rv = (live.metadata as JsonObject).resourceVersion;
    const first = await call(
      'PATCH',
      path('two'),
      { metadata: { resourceVersion: rv }, spec: { replicas: 4 } },
      'application/merge-patch+json',
    );
    assert.equal(first.status, 200);
    const stale = await call(
      'PATCH',
      path('two'),
      { metadata: { resourceVersion: rv }, spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(String(stale.body.message), /the object has been modified/);
    assert.equal((server.object('Deployment', 'ops', 'two')!.spec as JsonObject).replicas, 4);
    const put = await call('PUT', path('two'), {
      ...deployment('two'),
      metadata: { name: 'two', namespace: 'ops', resourceVersion: rv },
    });
    assert.equal(put.status, 409);
  });

  it('serves the scale subresource, guarded by resourceVersion, owned by the writer', async () => {
    const live = server.seed(deployment('three', 2));
    const scale = await call('GET', path('three') + '/scale');
    assert.deepEqual(
      { kind: scale.body.kind, apiVersion: scale.body.apiVersion, replicas: (scale.body.spec as JsonObject).replicas },
      { kind: 'Scale', apiVersion: 'autoscaling/v1', replicas: 2 },
    );
    assert.equal((scale.body.metadata as JsonObject).resourceVersion, (live.metadata as JsonObject).resourceVersion);
    const patched = await call(
      'PATCH',
      path('three') + '/scale?fieldManager=me',
      { metadata: { resourceVersion: (live.metadata as JsonObject).resourceVersion }, spec: { replicas: 0 } },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200);
    assert.equal((server.object('Deployment', 'ops', 'three')!.spec as JsonObject).replicas, 0);
    const stale = await call(
      'PATCH',
      path('three') + '/scale',
      { metadata: { resourceVersion: (live.metadata as JsonObject).resourceVersion }, spec: { replicas: 1 } },
      'application/merge-patch+json',
    );
    assert.equal(stale.status, 409);
    const managers = (
      (server.object('Deployment', 'ops', 'three')!.metadata as JsonObject).managedFields as JsonObject[]
    ).map((m) => `${m.manager}/${m.operation}/${m.subresource ?? ''}`);
    assert.ok(managers.includes('me/Update/scale'), managers.join(', '));
    const negative = await call(
      'PATCH',
      path('three') + '/scale',
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    assert.equal(negative.status, 422);
  });

  it('server-side apply: creates, records the manager, and reports conflicts with other managers unless forced', async () => {
    server.seed(deployment('four', 2, 'example/app:1'), { manager: 'helm' });
    const applied = deployment('four', 2, 'example/app:2');
    const conflict = await call(
      'PATCH',
      path('four') + '?fieldManager=consolidation-plans',
      applied,
      'application/apply-patch+yaml',
    );
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.match(
      String(conflict.body.message),
      /conflict with "helm".*\.spec\.template\.spec\.containers\[name="four"\]\.image/,
    );
    const causes = (conflict.body.details as JsonObject).causes as JsonObject[];
    assert.deepEqual(
      causes.map((c) => [c.reason, c.field]),
      [['FieldManagerConflict', '.spec.template.spec.containers[name="four"].image']],
    );
    // Same values are shared, not conflicts.
    const shared = await call(
      'PATCH',
      path('four') + '?fieldManager=consolidation-plans',
      deployment('four', 2, 'example/app:1'),
      'application/apply-patch+yaml',
    );
    assert.equal(shared.status, 200);
    const forced = await call(
      'PATCH',
      path('four') + '?fieldManager=consolidation-plans&force=true',
      applied,
      'application/apply-patch+yaml',
    );
    assert.equal(forced.status, 200);
    const image = (
      (((forced.body.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[]
    )[0].image;
    assert.equal(image, 'example/app:2');
    const helm = ((forced.body.metadata as JsonObject).managedFields as JsonObject[]).find(
      (m) => m.manager === 'helm',
    )!;
    assert.ok(!JSON.stringify(helm.fieldsV1).includes('"f:image"'), 'force took the image from helm');
    const missingManager = await call('PATCH', path('four'), applied, 'application/apply-patch+yaml');
    assert.equal(missingManager.status, 400);
    const created = await call(
      'PATCH',
      path('fresh') + '?fieldManager=tool',
      deployment('fresh'),
      'application/apply-patch+yaml',
    );
    assert.equal(created.status, 201);
    assert.deepEqual(
      ((created.body.metadata as JsonObject).managedFields as JsonObject[]).map((m) => [m.manager, m.operation]),
      [['tool', 'Apply']],
    );
  });

  it('server-side apply removes fields its manager stops applying', async () => {
    const withLabel = deployment('five');
    (withLabel.metadata as JsonObject).labels = { app: 'five', extra: 'yes' };
    await call('PATCH', path('five') + '?fieldManager=tool', withLabel, 'application/apply-patch+yaml');
    const without = await call(
      'PATCH',
      path('five') + '?fieldManager=tool',
      deployment('five'),
      'application/apply-patch+yaml',
    );
    assert.deepEqual((without.body.metadata as JsonObject).labels, { app: 'five' });
  });

  it('dryRun=All validates and returns the result but persists nothing', async () => {
    server.seed(deployment('six'));
    // Other tests' rollouts may still write status meanwhile: watch only these two objects.
    const writes: unknown[] = [];
    const onWrite = (w: { name?: string }) => {
      if (w.name === 'six' || w.name === 'seven') writes.push(w);
    };
    server.on('write', onWrite);
    const rv = (server.object('Deployment', 'ops', 'six')!.metadata as JsonObject).resourceVersion;
    const dry = await call(
      'PATCH',
      path('six') + '?dryRun=All&fieldManager=t',
      { spec: { replicas: 9 } },
      'application/merge-patch+json',
    );
    assert.equal(dry.status, 200);
    assert.equal((dry.body.spec as JsonObject).replicas, 9);
    const created = await call('POST', path() + '?dryRun=All', deployment('seven'));
    assert.equal(created.status, 201);
    const deleted = await call('DELETE', path('six') + '?dryRun=All');
    assert.equal(deleted.status, 200);
    server.off('write', onWrite);
    assert.deepEqual(writes, []);
    assert.equal((server.object('Deployment', 'ops', 'six')!.metadata as JsonObject).resourceVersion, rv);
    assert.equal((server.object('Deployment', 'ops', 'six')!.spec as JsonObject).replicas, 2);
    assert.equal(server.object('Deployment', 'ops', 'seven'), undefined);
    const invalid = await call(
      'PATCH',
      path('six') + '?dryRun=All',
      { spec: { template: { spec: { containers: [{ name: 'six', image: '' }] } } } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.reason, 'Invalid');
  });

  it('applies strategic merge patches by merge key and JSON patches as RFC 6902', async () => {
    server.seed(deployment('eight'));
    const smp = await call(
      'PATCH',
      path('eight'),
      { spec: { template: { spec: { containers: [{ name: 'eight', resources: { limits: { memory: '256Mi' } } }] } } } },
      'application/strategic-merge-patch+json',
    );
    const container = (
      (((smp.body.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[]
    )[0];
    assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    assert.equal(container.image, 'example/app:1', 'the merge kept the other fields of the container');
    const json = await call(
      'PATCH',
      path('eight'),
      [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ],
      'application/json-patch+json',
    );
    assert.equal((json.body.spec as JsonObject).replicas, 1);
    const failed = await call(
      'PATCH',
      path('eight'),
      [{ op: 'test', path: '/spec/replicas', value: 7 }],
      'application/json-patch+json',
    );
    assert.equal(failed.status, 422);
  });

  it('validates like the API server: selector must match the labels, and is immutable', async () => {
    const bad = deployment('nine');
    ((bad.spec as JsonObject).selector as JsonObject).matchLabels = { app: 'other' };
    const response = await call('POST', path(), bad);
    assert.equal(response.status, 422);
    assert.match(String(response.body.message), /selector.*does not match template/);
    server.seed(deployment('ten'));
    const changed = await call(
      'PATCH',
      path('ten'),
      { spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } } } } },
      'application/merge-patch+json',
    );
    assert.equal(changed.status, 422);
    assert.match(String(changed.body.message), /immutable/);
  });

  it('rolls workloads out after a spec change, or not, as told', async () => {
    server.rollout('ops', 'eleven', 'manual');
    server.seed(deployment('eleven', 2));
    await call('PATCH', path('eleven'), { spec: { replicas: 3 } }, 'application/merge-patch+json');
    const waitStatus = (predicate: (status: JsonObject) => boolean) =>
      new Promise<JsonObject>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such status in time')), 5000);
        const check = () => {
          const status = (server.object('Deployment', 'ops', 'eleven')!.status ?? {}) as JsonObject;
          if (!predicate(status)) return;
          clearTimeout(timer);
          server.off('write', check);
          resolve(status);
        };
        server.on('write', check);
        check();
      });
    const progressing = await waitStatus((s) => s.observedGeneration === 2);
    assert.deepEqual(
      [progressing.updatedReplicas, progressing.availableReplicas],
      [3, 2],
      'the new pods are there, not yet available',
    );
    server.completeRollout('ops', 'eleven');
    const ready = await waitStatus((s) => s.availableReplicas === 3);
    assert.equal(ready.observedGeneration, 2);
    server.rollout('ops', 'eleven', 'deadline-exceeded');
    await call('PATCH', path('eleven'), { spec: { replicas: 4 } }, 'application/merge-patch+json');
    const failed = await waitStatus((s) => JSON.stringify(s.conditions ?? []).includes('ProgressDeadlineExceeded'));
    assert.equal(failed.availableReplicas, 0);
  });

  it('injects faults: 5xx a number of times, RBAC refusals, slow answers and dropped connections', async () => {
    server.seed(deployment('twelve'));
    server.fail({ verb: 'get', resource: 'deployments', status: 503, times: 2, retryAfterSeconds: 1 });
    const first = await call('GET', path('twelve'));
    assert.equal(first.status, 503);
    assert.equal(first.body.reason, 'ServiceUnavailable');
    assert.equal(first.headers.get('retry-after'), '1');
    assert.equal((await call('GET', path('twelve'))).status, 503);
    assert.equal((await call('GET', path('twelve'))).status, 200);
    server.forbid({ verb: 'patch', resource: 'deployments', subresource: 'scale' });
    const refused = await call(
      'PATCH',
      path('twelve') + '/scale',
      { spec: { replicas: 0 } },
      'application/merge-patch+json',
    );
    assert.equal(refused.status, 403);
    assert.match(
      String(refused.body.message),
      /cannot patch resource "deployments\/scale" in API group "apps" in the namespace "ops"/,
    );
    assert.equal((await call('GET', path('twelve') + '/scale')).status, 200, 'only the refused verb');
    server.fail({ verb: 'get', resource: 'deployments', drop: true });
    await assert.rejects(call('GET', path('twelve')));
    server.fail({ verb: 'list', resource: 'deployments', delayMs: 50 });
    const started = Date.now();
    assert.equal((await call('GET', path())).status, 200);
    assert.ok(Date.now() - started >= 45);
  });

  it('keeps 404 Status bodies for missing objects and unknown resources', async () => {
    const missing = await call('GET', path('nothing'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.reason, 'NotFound');
    assert.equal(missing.body.message, 'deployments.apps "nothing" not found');
    const unknown = await call('GET', '/apis/apps/v1/namespaces/ops/widgets');
    assert.equal(unknown.status, 404);
    const noNamespace = await call('POST', '/apis/apps/v1/namespaces/absent/deployments', {
      ...deployment('x'),
      metadata: { name: 'x', namespace: 'absent' },
    });
    assert.equal(noNamespace.status, 404);
    assert.match(String(noNamespace.body.message), /namespaces "absent" not found/);
  });
});
