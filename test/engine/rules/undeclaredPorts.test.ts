// Issue 13, found by a fresh look at DeathStarBench's hotelReservation: two servers that declare no
// containerPort (it is informational in Kubernetes) but are reached through Services on the same port
// were merged into one pod without a finding; the second crash-loops on "address already in use".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, planText, workspaceOf } from '../../helpers/renderWorkspace';

const server = (name: string, port: number, targetPort?: number | string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - {name: redis, image: "redis:7", resources: {requests: {cpu: 100m, memory: 64Mi}}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{port: ${port}${targetPort === undefined ? '' : `, targetPort: ${JSON.stringify(targetPort)}`}}]
`;

const plan = planText([
  'sources: [m.yaml]',
  'phases:',
  '  - name: one',
  '    merge:',
  '      - {name: redis, from: [redis-a, redis-b]}',
]);
const conflicts = (manifests: string) =>
  findingsOf(workspaceOf({ 'm.yaml': manifests, 'test.plan.yaml': plan }), 'merge/port-conflict').map((f) => f.message);

describe('merge/port-conflict on ports only the Services tell', () => {
  it('two single-container servers behind Services on 6379 conflict', () => {
    assert.deepEqual(conflicts(server('redis-a', 6379) + server('redis-b', 6379)), [
      'Merge redis: container redis of redis-b and container redis of redis-a both listen on 6379/TCP; in one pod they share one network namespace.',
    ]);
  });

  it('a numeric targetPort is where the container listens; a different one does not conflict', () => {
    assert.equal(conflicts(server('redis-a', 80, 6379) + server('redis-b', 80, 6379)).length, 1);
    assert.deepEqual(conflicts(server('redis-a', 6379, 6379) + server('redis-b', 6379, 6380)), []);
  });

  it('a named targetPort says nothing about the number: no guess', () => {
    assert.deepEqual(conflicts(server('redis-a', 6379, 'redis') + server('redis-b', 6379, 'redis')), []);
  });
});
