// merge/state-replicated (issue 13 item 9): a compose `mysql:8` (1 replica) merged into a pod with 2 replicas gave no
// warning, though it means two diverging databases behind one Service. Each way a source keeps state, the near
// misses, and the quick fixes applied to the plan text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../../server/src/engine/rules/types';
import {
  actionsOf,
  applyChanges,
  assertParses,
  claim,
  findingsOf,
  PLAN,
  planText,
  rangeOf,
  simple,
  workload,
  workspaceOf,
} from '../../helpers/renderWorkspace';

const compose = [
  'services:',
  '  api:',
  '    image: example/api:1',
  '    ports: ["8080"]',
  '    deploy: {replicas: 2}',
  '  db:',
  '    image: mysql:8',
  '    expose: ["3306"]',
  '  files:',
  '    image: example/files:1',
  '    volumes: ["uploads:/srv/uploads", "./conf:/etc/files:ro"]',
  '  metrics:',
  '    image: prom/mysqld-exporter:v0.15.1',
  '    volumes: ["./conf:/etc/exporter"]',
  'volumes:',
  '  uploads: {}',
  '',
].join('\n');

function composeSetup(mergeLine: string) {
  const text = planText(['sources: [compose.yaml]', 'phases:', '  - name: one', '    merge:', `      - ${mergeLine}`]);
  return { ws: workspaceOf({ 'compose.yaml': compose, 'test.plan.yaml': text }), text };
}

const messages = (findings: Finding[]) => findings.map((f) => f.message);

describe('merge/state-replicated', () => {
  it('a database image merged into a pod with more replicas: a warning on its reference', () => {
    const { ws, text } = composeSetup('{name: backend, from: [api, db]}');
    const [f, ...rest] = findingsOf(ws, 'merge/state-replicated');
    assert.deepEqual(rest, []);
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      'Merge backend: db keeps state (image mysql:8, a database) and ran 1 replica; the merged workload runs 2: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.',
    );
    assert.deepEqual(f.location.range, rangeOf(text, 'db', { after: 'from: [api, ' }));
    assert.deepEqual(
      actionsOf(f).map((a) => a.title),
      ['Set replicas: 1', 'Leave db out of the merge'],
    );
  });

  it('a compose named volume keeps state; a bind mount and a look-alike image do not', () => {
    const { ws } = composeSetup('{name: backend, from: [api, files, metrics]}');
    assert.deepEqual(messages(findingsOf(ws, 'merge/state-replicated')), [
      'Merge backend: files keeps state (volume uploads at /srv/uploads) and ran 1 replica; the merged workload runs 2: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.',
    ]);
  });

  it('stays quiet when the merge does not raise the replicas', () => {
    assert.deepEqual(
      findingsOf(composeSetup('{name: backend, from: [api, db], replicas: 1}').ws, 'merge/state-replicated'),
      [],
    );
  });

  it('each quick fix, applied, leaves valid YAML and no finding', () => {
    for (const mergeLine of ['{name: backend, from: [api, db]}', '{name: backend, from: [api, db], replicas: 3}']) {
      const { ws, text } = composeSetup(mergeLine);
      const [f] = findingsOf(ws, 'merge/state-replicated');
      for (const action of actionsOf(f)) {
        const fixed = applyChanges(text, action.changes);
        assertParses(fixed, action.title);
        const after = workspaceOf({ 'compose.yaml': compose, 'test.plan.yaml': fixed });
        assert.deepEqual(messages(findingsOf(after, 'merge/state-replicated')), [], `${action.title} on ${mergeLine}`);
      }
    }
  });

  it('a StatefulSet with a claim template, and a Deployment mounting a claim, keep state', () => {
    const manifests =
      simple('api', { replicas: 3 }) +
      workload('queue', {
        kind: 'StatefulSet',
        containers: [{ name: 'queue', image: 'example/queue:1' }],
        spec: [
          'serviceName: queue',
          'volumeClaimTemplates:',
          '  - metadata: {name: data}',
          '    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}',
        ],
      }) +
      workload('store', {
        containers: [{ name: 'store', image: 'example/store:1' }],
        podSpec: ['volumes:', '  - name: shared', '    persistentVolumeClaim: {claimName: shared}'],
      }) +
      claim('shared', ['ReadWriteMany']);
    const text = planText([
      'sources: [m.yaml]',
      'phases:',
      '  - name: one',
      '    merge:',
      '      - {name: pool, from: [api, store]}',
      '      - {name: q, from: [queue], replicas: 2}',
    ]);
    const ws = workspaceOf({ 'm.yaml': manifests, 'test.plan.yaml': text });
    assert.equal(ws.findings.plan(PLAN).length > 0, true);
    assert.deepEqual(messages(findingsOf(ws, 'merge/state-replicated')), [
      'Merge pool: store keeps state (claim shared) and ran 1 replica; the merged workload runs 3: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.',
      'Merge q: queue keeps state (a StatefulSet; claim template data) and ran 1 replica; the merged workload runs 2: each replica would hold its own diverging copy of the data behind one Service. Keep it out of the merge, or do not raise its replicas.',
    ]);
  });
});
