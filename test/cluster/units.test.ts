// The small pieces: durations, error messages, retries, kubeconfig lookup, and client-node itself.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../server/src/cluster/duration';
import { ClusterError, redact, toClusterError, withRetry, type Operation } from '../../server/src/cluster/errors';
import { connect, kubeconfigFiles, loadClientNode, readKubeconfig } from '../../server/src/cluster/kubeClusterApi';
import { recordConfigMapName, recordFilePath } from '../../server/src/cluster/applyRecord';
import { rolloutState } from '../../server/src/cluster/rollout';
import { deletionProof } from '../../server/src/cluster/rollback';
import { sameQuantity } from '../../server/src/cluster/phasePlan';
import type { KubeObject } from '../../server/src/engine/render/kube';
import { tempWorkspace } from '../helpers/tempWorkspace';
import { TestKubeApiServer } from '../helpers/testKubeApiServer';

const scale: Operation = {
  verb: 'patch',
  resource: 'deployments/scale',
  group: 'apps',
  namespace: 'ops',
  name: 'api',
  kind: 'Deployment',
};

describe('durations', () => {
  it('reads kubectl-style durations', () => {
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    for (const bad of ['', '10', 'm', '10 m', '5d', '-1m', 'abc']) assert.equal(parseDuration(bad), undefined, bad);
  });
  it('writes them back', () => {
    assert.equal(formatDuration(600_000), '10m');
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(150), '150ms');
  });
});

describe('cluster errors', () => {
  const api = (code: number, body?: unknown, headers: Record<string, string> = {}) =>
    Object.assign(new Error('HTTP-Code: ' + code), {
      code,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers,
    });

  it('403 names the verb and the resource RBAC refused', () => {
    const error = toClusterError(
      api(403, {
        kind: 'Status',
        reason: 'Forbidden',
        message: 'deployments.apps "api" is forbidden: User "u" cannot patch resource "deployments/scale"',
        code: 403,
      }),
      scale,
    );
    assert.equal(error.kind, 'forbidden');
    assert.match(
      error.message,
      /RBAC refused to let you patch "deployments\/scale" \(API group "apps"\) in namespace ops/,
    );
    assert.match(error.message, /grants "patch" on "deployments\/scale"/);
  });

  it('401, 404, 409 (both kinds), 422, 429, 5xx, timeouts and lost connections each get their message', () => {
    assert.match(
      toClusterError(api(401), scale, { server: 'https://k', context: 'prod' }).message,
      /did not accept the credentials of context "prod" \(401 Unauthorized\)/,
    );
    assert.match(
      toClusterError(api(404, { message: 'deployments.apps "api" not found' }), scale).message,
      /Deployment ops\/api was not found \(404 Not Found\)/,
    );
    assert.match(
      toClusterError(api(404, { message: 'namespaces "ops" not found' }), { ...scale, verb: 'apply' }).message,
      /Namespace ops does not exist in the cluster \(404 Not Found\).*create the namespace first/,
    );
    const conflict = toClusterError(
      api(409, {
        reason: 'Conflict',
        message: 'Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.replicas',
        details: {
          causes: [
            { reason: 'FieldManagerConflict', message: 'conflict with "helm" using apps/v1', field: '.spec.replicas' },
          ],
        },
      }),
      { ...scale, verb: 'apply', resource: 'deployments' },
    );
    assert.deepEqual(conflict.conflicts, [{ manager: 'helm', field: '.spec.replicas' }]);
    assert.match(conflict.message, /\.spec\.replicas is owned by "helm"/);
    assert.match(
      toClusterError(api(409, { reason: 'Conflict', message: 'the object has been modified' }), scale).message,
      /changed by someone else meanwhile/,
    );
    assert.match(toClusterError(api(409, { reason: 'AlreadyExists' }), scale).message, /already exists/);
    const invalid = toClusterError(
      api(422, { reason: 'Invalid', details: { causes: [{ field: 'spec.replicas', message: 'Invalid value: -1' }] } }),
      scale,
    );
    assert.equal(invalid.kind, 'invalid');
    assert.match(invalid.message, /spec\.replicas: Invalid value: -1/);
    invalid.planLocation = 'shop.plan.yaml:12';
    assert.match(invalid.fullMessage, /^shop\.plan\.yaml:12: /);
    const throttled = toClusterError(api(429, { reason: 'TooManyRequests' }, { 'retry-after': '2' }), scale);
    assert.deepEqual([throttled.transient, throttled.retryAfterSeconds], [true, 2]);
    for (const code of [500, 502, 503, 504])
      assert.equal(toClusterError(api(code, {}), scale).transient, true, String(code));
    assert.equal(toClusterError(api(400, {}), scale).transient, false);
    const timeout = toClusterError(Object.assign(new Error('aborted'), { name: 'AbortError' }), scale, {
      timedOut: true,
      requestTimeoutMs: 30_000,
      server: 'https://k',
    });
    assert.deepEqual([timeout.kind, timeout.transient], ['timeout', true]);
    assert.match(timeout.message, /did not answer within 30s/);
    const reset = toClusterError(
      Object.assign(new Error('socket hang up'), { name: 'FetchError', code: 'ECONNRESET' }),
      scale,
      { server: 'https://k' },
    );
    assert.deepEqual([reset.kind, reset.transient], ['connection', true]);
    assert.match(reset.message, /Lost the connection to the API server at https:\/\/k \(ECONNRESET\)/);
    assert.equal(toClusterError(new Error('x'), scale, { cancelled: true }).kind, 'cancelled');
  });

  it('never lets a token or password through', () => {
    assert.equal(redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [redacted]');
    assert.equal(redact('token: s3cr3t and "password":"hunter2"'), 'token: [redacted] and "password":[redacted]');
    assert.ok(!new ClusterError('unknown', 'failed with Bearer xyz123').message.includes('xyz123'));
  });

  it('retries transient failures a bounded number of times, with backoff, and not the others', async () => {
    let calls = 0;
    const delays: number[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new ClusterError('unavailable', '503', { transient: true });
        },
        { attempts: 4, initialDelayMs: 1, maxDelayMs: 8, onRetry: (_e, _a, d) => delays.push(d) },
      ),
      /gave up after 4 attempts/,
    );
    assert.equal(calls, 4);
    assert.equal(delays.length, 3);
    assert.ok(delays.every((d) => d <= 8));
    calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw new ClusterError('forbidden', '403');
      }),
      /403/,
    );
    assert.equal(calls, 1);
    calls = 0;
    assert.equal(
      await withRetry(
        async () => (++calls < 3 ? Promise.reject(new ClusterError('connection', 'reset', { transient: true })) : 'ok'),
        { initialDelayMs: 1 },
      ),
      'ok',
    );
  });
});

describe('kubeconfig', () => {
  it('comes from --kubeconfig, else KUBECONFIG (a path list), else ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ kubeconfig: '/k/explicit', env: { KUBECONFIG: '/k/a' }, home: '/h' }), [
      path.resolve('/k/explicit'),
    ]);
    assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: ['/k/a', '/k/b'].join(path.delimiter) }, home: '/h' }), [
      path.resolve('/k/a'),
      path.resolve('/k/b'),
    ]);
    assert.deepEqual(kubeconfigFiles({ env: {}, home: '/h' }), [path.join('/h', '.kube', 'config')]);
    assert.deepEqual(kubeconfigFiles({ kubeconfig: '~/conf', env: {}, home: '/h' }), [path.join('/h', 'conf')]);
  });

  it('lists contexts, clusters and namespaces, never credentials', async () => {
    const server = await TestKubeApiServer.start();
    const workspace = tempWorkspace();
    try {
      const file = server.writeKubeconfig(workspace.dir, { context: 'dev', namespace: 'shop' });
      const summary = await readKubeconfig({ kubeconfig: file });
      assert.equal(summary.current, 'dev');
      assert.deepEqual(summary.contexts, [
        { name: 'dev', cluster: 'test-cluster', user: 'test-user', namespace: 'shop', server: server.url },
      ]);
      assert.ok(!JSON.stringify(summary).includes(server.token));
      assert.equal(fs.statSync(file).mode & 0o077, 0, 'the test kubeconfig is private');
    } finally {
      workspace.dispose();
      await server.close();
    }
  });
});

describe('exec credential plugins', () => {
  it('authenticates with the token an exec plugin prints, as client-node supports it', async () => {
    const server = await TestKubeApiServer.start();
    const workspace = tempWorkspace();
    try {
      const plugin = workspace.write(
        'plugin.js',
        `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(server.token)} } }));\n`,
      );
      const kubeconfig = server.writeKubeconfig(workspace.dir, { exec: { command: process.execPath, args: [plugin] } });
      const api = await connect({ kubeconfig });
      server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } });
      assert.equal((await api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'ops' }))?.metadata.name, 'ops');
      assert.ok(server.requests.every((r) => r.authenticated));
    } finally {
      workspace.dispose();
      await server.close();
    }
  });
});

describe('@kubernetes/client-node', () => {
  it('is 1.4.0 and loads under this Node (20: 2.x would fail on import)', async () => {
    const k8s = await loadClientNode();
    assert.equal(typeof k8s.KubeConfig, 'function');
    assert.equal(typeof k8s.KubernetesObjectApi, 'function');
    const manifest = JSON.parse(fs.readFileSync(require.resolve('@kubernetes/client-node/package.json'), 'utf8'));
    assert.equal(manifest.version, '1.4.0');
    assert.ok(Number(process.versions.node.split('.')[0]) >= 20);
  });
});

describe('records and rollouts', () => {
  it('names the record file and ConfigMap after the plan and phase', () => {
    assert.equal(recordConfigMapName('Shop', 'merge_backend'), 'consolidation-record-shop-merge-backend');
    assert.equal(
      recordFilePath('/w/shop.plan.yaml', 'shop', 'one'),
      path.join('/w', '.consolidation', 'shop-one.json'),
    );
  });

  it('judges rollouts as kubectl rollout status does', () => {
    const deployment = (status: object, generation = 2) =>
      ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'a', generation },
        spec: { replicas: 2 },
        status,
      }) as unknown as KubeObject;
    assert.equal(rolloutState(deployment({ observedGeneration: 1 })).waitingFor, 'the controller to see generation 2');
    assert.equal(
      rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 2, availableReplicas: 1 }))
        .waitingFor,
      '1 of 2 new replicas updated',
    );
    assert.equal(
      rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 3, availableReplicas: 2 }))
        .waitingFor,
      '1 old replica pending termination',
    );
    assert.equal(
      rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }))
        .waitingFor,
      '1 of 2 updated replicas available',
    );
    assert.equal(
      rolloutState(deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).ready,
      true,
    );
    assert.match(
      rolloutState(
        deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }),
      ).failed!,
      /ProgressDeadlineExceeded/,
    );
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's', generation: 1 },
      spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate' } },
      status: {
        observedGeneration: 1,
        readyReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'a',
        updateRevision: 'b',
      },
    };
    assert.equal(rolloutState(sts as unknown as KubeObject).waitingFor, 'the rolling update to complete');
    assert.equal(
      rolloutState({ ...sts, status: { ...sts.status, currentRevision: 'b' } } as unknown as KubeObject).ready,
      true,
    );
  });

  it('compares quantities by value', () => {
    assert.ok(sameQuantity('cpu', '1', '1000m'));
    assert.ok(sameQuantity('memory', '1Gi', '1024Mi'));
    assert.ok(!sameQuantity('memory', '1G', '1Gi'));
  });
});

describe('field-manager conflicts and deletion proofs', () => {
  const applyOp: Operation = {
    verb: 'apply',
    resource: 'deployments',
    group: 'apps',
    namespace: 'ops',
    name: 'api',
    kind: 'Deployment',
  };
  const api = (code: number, body: unknown) =>
    Object.assign(new Error('HTTP-Code: ' + code), { code, body: JSON.stringify(body), headers: {} });

  it('a conflict cause without a field takes it from the message; several managers each get theirs', () => {
    const body = {
      kind: 'Status',
      code: 409,
      reason: 'Conflict',
      message:
        'Apply failed with 2 conflicts: conflict with "helm" using apps/v1: .spec.replicas\nconflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="api"].image',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "helm" using apps/v1' },
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1' },
        ],
      },
    };
    const error = toClusterError(api(409, body), applyOp);
    assert.deepEqual(error.conflicts, [
      { manager: 'helm', field: '.spec.replicas' },
      { manager: 'kubectl-edit', field: '.spec.template.spec.containers[name="api"].image' },
    ]);
    const noCauses = toClusterError(api(409, { ...body, details: {} }), applyOp);
    assert.match(
      noCauses.message,
      /\.spec\.replicas is owned by "helm"; \.spec\.template\.spec\.containers\[name="api"\]\.image is owned by "kubectl-edit"/,
    );
  });

  it('deletes only with the recorded uid, on an object not older than the apply', () => {
    const recorded = {
      ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ops', name: 'a' },
      role: 'created' as const,
      origin: '',
      existed: false,
      uid: 'u1',
      annotations: {},
      state: 'done' as const,
    };
    const live = (uid: string, creationTimestamp: string, label = 'consolidation-plans'): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a', uid, creationTimestamp, labels: { 'app.kubernetes.io/managed-by': label } },
    });
    const record = { startedAt: '2026-06-01T10:00:00.400Z' };
    assert.equal(
      deletionProof(recorded, live('u1', '2026-06-01T10:00:00Z'), record),
      undefined,
      'created in the second the apply started',
    );
    assert.match(
      deletionProof({ ...recorded, uid: undefined }, live('u1', '2026-06-01T10:00:05Z'), record)!,
      /holds no uid/,
    );
    assert.match(
      deletionProof(recorded, live('u2', '2026-06-01T10:00:05Z'), record)!,
      /not the object the apply created/,
    );
    assert.match(deletionProof(recorded, live('u1', '2026-05-01T10:00:00Z'), record)!, /before the apply started/);
    assert.match(
      deletionProof(recorded, live('u1', '2026-06-01T10:00:05Z', 'Helm'), record)!,
      /does not carry app\.kubernetes\.io\/managed-by=consolidation-plans/,
    );
  });
});
