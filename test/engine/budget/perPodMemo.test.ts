// A workload's per-pod figures are kept across analyses while the LimitRanges of its namespace are the same
// objects (a manifest edit makes a new list of the sources' LimitRanges, not new LimitRanges): an edited
// LimitRange reaches its namespace's workloads, the others keep their figures, and every figure is the one
// a workspace that never saw the edit computes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { container, deployment, plan, workspaceOf } from '../../helpers/memoryHost';

const limitRange = (namespace: string, memory: string) => `---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ${namespace}}
spec:
  limits:
    - type: Container
      default: {memory: ${memory}}
      defaultRequest: {cpu: 100m, memory: ${memory}}
`;
const files = (memoryInA: string) => ({
  'test.plan.yaml': plan('sources: [manifests/*.yaml]\nbudget: {cpu: "8", memory: 16Gi}'),
  'manifests/ranges.yaml': limitRange('a', memoryInA) + limitRange('b', '64Mi'),
  'manifests/apps.yaml':
    deployment('in-a', { namespace: 'a', replicas: 2, containers: container('app') }) +
    deployment('in-b', { namespace: 'b', replicas: 3, containers: container('app') }),
  'manifests/other.yaml': deployment('other', {
    namespace: 'a',
    containers: container('app', { requests: { cpu: '50m', memory: '32Mi' } }),
  }),
});

function perPod(ws: ReturnType<typeof workspaceOf>) {
  const current = ws.plan('/ws/test.plan.yaml')!.analysis.states[0];
  return new Map(current.workloads.map((w) => [w.workload.name, w.perPod]));
}

describe('per-pod figures across edits', () => {
  it('an edited LimitRange changes its namespace figures; an edit elsewhere keeps every figure', () => {
    const ws = workspaceOf(files('128Mi'));
    const before = perPod(ws);
    assert.equal(before.get('in-a')!.requests.memory, 128 * 2 ** 20);

    // Another source edited: a new list of LimitRanges, the same LimitRanges: the same figures, not recomputed.
    ws.setOverlay('/ws/manifests/other.yaml', files('128Mi')['manifests/other.yaml'] + '# edited\n');
    const afterOther = perPod(ws);
    for (const name of ['in-a', 'in-b']) assert.equal(afterOther.get(name), before.get(name), name);

    // The LimitRange of namespace a edited: in-a's figures follow; the cold workspace agrees on every one.
    ws.setOverlay('/ws/manifests/ranges.yaml', files('256Mi')['manifests/ranges.yaml']);
    const afterRange = perPod(ws);
    assert.equal(afterRange.get('in-a')!.requests.memory, 256 * 2 ** 20);
    const cold = perPod(workspaceOf(files('256Mi')));
    assert.deepEqual(
      Object.fromEntries([...afterRange].map(([name, p]) => [name, p])),
      Object.fromEntries([...cold].map(([name, p]) => [name, p])),
    );
  });
});
