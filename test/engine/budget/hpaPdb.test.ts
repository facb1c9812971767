// HorizontalPodAutoscalers after a merge: the re-target quick fix, and the worst case that follows it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { atMaxReplicas, autoscalers } from '../../../server/src/engine/budget/hpaWorstCase';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

const planPath = `${ROOT}/test.plan.yaml`;
const hpaText = (target: string, kind = 'Deployment') =>
  `---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api-hpa}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: ${kind}, name: ${target}}\n  minReplicas: 2\n  maxReplicas: 6\n`;

function files(hpa: string): Record<string, string> {
  return {
    'test.plan.yaml': plan(
      'sources: [m.yaml]\nbudget: {cpu: "8", memory: 8Gi}\nphases:\n  - name: together\n    merge:\n      - {name: backend, from: [api, worker]}',
    ),
    'm.yaml':
      deployment('api', { replicas: 2, containers: container('api', { requests: { cpu: '100m', memory: '256Mi' } }) }) +
      deployment('worker', {
        replicas: 1,
        containers: container('worker', { requests: { cpu: '100m', memory: '256Mi' } }),
      }) +
      hpa,
  };
}

describe('HPAs after a merge', () => {
  it('offers to re-target an HPA on a merged source at the merged workload, and the worst case then follows it', () => {
    const before = files(hpaText('api'));
    let ws = workspaceOf(before);
    let result = ws.plan(planPath)!;
    const hpas = autoscalers(result.manifests.flatMap((m) => m.policies));
    assert.equal(
      atMaxReplicas(result.analysis.states[0], hpas, undefined)?.pods,
      6 + 1,
      'current state: api at 6, worker 1',
    );
    assert.equal(
      atMaxReplicas(result.analysis.states[1], hpas, undefined),
      undefined,
      'after the merge the HPA targets nothing',
    );

    const fix = ws.findings
      .plan(planPath)
      .find((f) => f.code === 'merge/hpa-orphaned' && f.location.file.endsWith('m.yaml'));
    assert.ok(fix, 'a finding on the HPA itself');
    assert.ok(fix.data?.fix === 'edits');
    const action = fix.data.actions[0];
    assert.equal(action.title, 'Re-target at Deployment backend');
    const text = ws.text(`${ROOT}/m.yaml`)!;
    const fixed = [...action.changes]
      .sort((a, b) => b.start - a.start)
      .reduce((t, c) => t.slice(0, c.start) + c.newText + t.slice(c.end), text);
    assert.match(fixed, /scaleTargetRef: \{apiVersion: apps\/v1, kind: Deployment, name: backend\}/);

    ws = workspaceOf({ ...before, 'm.yaml': fixed });
    result = ws.plan(planPath)!;
    const retargeted = autoscalers(result.manifests.flatMap((m) => m.policies));
    assert.equal(
      atMaxReplicas(result.analysis.states[1], retargeted, undefined)?.pods,
      6,
      'after the merge: backend at 6',
    );
    assert.equal(
      atMaxReplicas(result.analysis.states[0], retargeted, undefined),
      undefined,
      'before it: backend does not exist yet',
    );
  });

  it('re-targets the kind too when the merged workload is of another kind', () => {
    const statefulWs = workspaceOf({
      ...files(hpaText('db', 'StatefulSet')),
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nphases:\n  - name: together\n    merge:\n      - {name: backend, from: [db, cache]}',
      ),
      'm.yaml':
        deployment('db', { kind: 'StatefulSet', replicas: 1, containers: container('db') }) +
        deployment('cache', { replicas: 1, containers: container('cache') }) +
        hpaText('db', 'StatefulSet'),
    });
    const fix = statefulWs.findings
      .plan(planPath)
      .find((f) => f.code === 'merge/hpa-orphaned' && f.data?.fix === 'edits');
    assert.ok(fix?.data?.fix === 'edits');
    // A StatefulSet and a Deployment merge into a Deployment: both the kind and the name change.
    assert.deepEqual(fix.data.actions[0].changes.map((c) => c.newText).sort(), ['Deployment', 'backend']);
  });
});

describe('PodDisruptionBudgets after a phase', () => {
  const pdb = (spec: string) =>
    `---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api-pdb}\nspec:\n  ${spec}\n  selector:\n    matchLabels: {app: api}\n`;
  const findings = (spec: string, replicas: number) =>
    workspaceOf({
      'test.plan.yaml': plan(`sources: [m.yaml]\nphases:\n  - name: shrink\n    scale: {api: ${replicas}}`),
      'm.yaml':
        deployment('api', {
          replicas: 5,
          containers: container('api', { requests: { cpu: '100m', memory: '64Mi' } }),
        }) + pdb(spec),
    })
      .findings.plan(planPath)
      .filter((f) => f.code === 'merge/pdb-blocks-eviction')
      .map((f) => f.message);

  it('blocks when minAvailable reaches the pods, percentages rounded up', () => {
    assert.deepEqual(findings('minAvailable: 3', 4), []);
    assert.equal(findings('minAvailable: 3', 3).length, 1);
    // 67% of 2 pods is 1.34, rounded up: 2 = all of them.
    assert.match(findings('minAvailable: "67%"', 2)[0], /needs minAvailable 2 of the 2 pods it selects \(api\)/);
    assert.deepEqual(findings('minAvailable: "50%"', 2), []);
  });

  it('blocks on maxUnavailable 0 (also 0%), not on a percentage that rounds up to 1', () => {
    assert.equal(findings('maxUnavailable: 0', 3).length, 1);
    assert.equal(findings('maxUnavailable: "0%"', 3).length, 1);
    assert.deepEqual(findings('maxUnavailable: "10%"', 3), []);
  });
});
