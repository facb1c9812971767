import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const planPath = `${ROOT}/test.plan.yaml`;

function current(files: Record<string, string>) {
  const result = workspaceOf(files).plan(planPath);
  assert.ok(result);
  return result.analysis.states[0].totals;
}

describe('pod resources (Kubernetes semantics)', () => {
  it('a container with a limit and no request requests its limit', () => {
    const totals = current({
      'test.plan.yaml': plan('sources: [m.yaml]'),
      'm.yaml': deployment('api', {
        replicas: 3,
        containers: container('api', { limits: { cpu: '500m', memory: '256Mi' } }),
      }),
    });
    assert.deepEqual(totals.requests, { cpu: 1500, memory: 768 * Mi });
    assert.deepEqual(totals.limits, { cpu: 1500, memory: 768 * Mi });
  });

  it('a pod requests max(sum of app containers, largest init container)', () => {
    const totals = current({
      'test.plan.yaml': plan('sources: [m.yaml]'),
      'm.yaml': deployment('api', {
        containers: [
          container('a', { requests: { cpu: '100m', memory: '100Mi' } }),
          container('b', { requests: { cpu: '100m', memory: '100Mi' } }),
        ].join('\n'),
        init: [
          container('migrate', { requests: { cpu: '1', memory: '50Mi' } }),
          container('warm', { requests: { cpu: '300m', memory: '150Mi' } }),
        ].join('\n'),
      }),
    });
    // cpu: max(200m, 1000m) = 1000m; memory: max(200Mi, 150Mi) = 200Mi
    assert.deepEqual(totals.requests, { cpu: 1000, memory: 200 * Mi });
  });

  it('adds budget.podOverhead and spec.overhead to requests, and to limits only when every container is limited', () => {
    const totals = current({
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nbudget: {cpu: "8", memory: 8Gi, podOverhead: {cpu: 10m, memory: 32Mi}}',
      ),
      'm.yaml': deployment('api', {
        replicas: 2,
        extraSpec: '      overhead: {cpu: 5m, memory: 8Mi}',
        containers: [
          container('a', { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '200m', memory: '200Mi' } }),
          container('b', { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '100Mi' } }),
        ].join('\n'),
      }),
    });
    assert.deepEqual(totals.requests, { cpu: 2 * (200 + 15), memory: 2 * (200 + 40) * Mi });
    // cpu: container b has no cpu limit, so no overhead on the cpu limit; memory: both limited.
    assert.deepEqual(totals.limits, { cpu: 2 * 200, memory: 2 * (300 + 40) * Mi });
    assert.deepEqual(totals.unlimitedContainers, { cpu: 2, memory: 0 });
  });

  it('applies LimitRange defaults of the namespace', () => {
    const limitRange = `---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 512Mi}
      defaultRequest: {cpu: 100m}
`;
    const totals = current({
      'test.plan.yaml': plan('sources: [m.yaml]\nnamespace: shop'),
      'm.yaml':
        limitRange +
        deployment('api', { containers: container('api') }) +
        deployment('other', { namespace: 'elsewhere', containers: container('x') }),
    });
    // api: request cpu 100m (defaultRequest), memory 512Mi (default limit); other namespace: nothing.
    assert.deepEqual(totals.requests, { cpu: 100, memory: 512 * Mi });
    assert.deepEqual(totals.limits, { cpu: 500, memory: 512 * Mi });
    assert.deepEqual(totals.missingRequests, { cpu: 1, memory: 1 });
  });

  it('counts DaemonSets once per node and leaves Jobs and CronJobs out', () => {
    const cron = `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              resources: {requests: {cpu: "4"}}
`;
    const totals = current({
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nbudget:\n  cpu: "16"\n  memory: 32Gi\n  nodes:\n    - {name: a, count: 3, cpu: "4", memory: 8Gi}\n    - {name: b, cpu: "4", memory: 8Gi}',
      ),
      'm.yaml':
        deployment('agent', {
          kind: 'DaemonSet',
          containers: container('agent', { requests: { cpu: '50m', memory: '64Mi' } }),
        }) + cron,
    });
    assert.equal(totals.pods, 4);
    assert.equal(totals.jobs, 1);
    assert.deepEqual(totals.requests, { cpu: 200, memory: 256 * Mi });
  });
});

describe('phases', () => {
  const manifests = [
    deployment('api', {
      replicas: 2,
      containers: container('api', { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } }),
    }),
    deployment('worker', {
      replicas: 1,
      containers: container('worker', { requests: { cpu: '250m', memory: '256Mi' } }),
    }),
    deployment('cache', {
      replicas: 1,
      containers: [
        container('redis', { requests: { memory: '128Mi' } }),
        container('exporter', { requests: { memory: '16Mi' } }),
      ].join('\n'),
    }),
    deployment('old', { replicas: 4, containers: container('old', { requests: { cpu: '1', memory: '1Gi' } }) }),
  ].join('');

  function states(phases: string) {
    const ws = workspaceOf({ 'test.plan.yaml': plan(`sources: [m.yaml]\nphases:\n${phases}`), 'm.yaml': manifests });
    const result = ws.plan(planPath)!;
    // merge/no-savings is a hint every merge gets; merge.test.ts checks it.
    return { result, findings: ws.findings.plan(planPath).filter((f) => f.code !== 'merge/no-savings') };
  }

  it('applies remove, scale, resize and merge in order and cumulatively', () => {
    const { result, findings } = states(`  - name: one
    remove: [old]
    scale: {worker: 3}
    resize:
      api: {requests: {cpu: 1}}
      cache: {containers: {redis: {limits: {memory: 256Mi}}}}
  - name: two
    merge:
      - {name: backend, from: [api, worker], strategy: pod}`);
    assert.deepEqual(
      findings.map((f) => f.code),
      [],
    );
    const [now, one, two] = result.analysis.states.map((s) => s.totals);
    assert.equal(now.pods, 8);
    assert.deepEqual(now.requests, { cpu: 1000 + 250 + 4000, memory: 1024 * Mi + 256 * Mi + 144 * Mi + 4 * Gi });
    assert.equal(one.pods, 2 + 3 + 1);
    // api resized to 1 cpu (memory unchanged), worker ×3
    assert.deepEqual(one.requests, { cpu: 2000 + 750, memory: 1024 * Mi + 768 * Mi + 144 * Mi });
    // pod merge: one pod of api+worker containers, replicas = max(2, 3) = 3
    assert.equal(two.workloads, 2);
    assert.equal(two.pods, 3 + 1);
    assert.deepEqual(two.requests, { cpu: 3 * (1000 + 250), memory: 3 * (512 + 256) * Mi + 144 * Mi });
  });

  it('a replace merge uses the container the plan gives', () => {
    const { result } = states(`  - name: one
    merge:
      - name: unified
        from: [api, worker]
        strategy: replace
        replicas: 2
        container: {image: x, resources: {requests: {cpu: 300m, memory: 300Mi}, limits: {memory: 600Mi}}}`);
    const after = result.analysis.states[1].totals;
    assert.equal(after.pods, 2 + 1 + 4);
    assert.deepEqual(after.requests, { cpu: 600 + 4000, memory: 600 * Mi + 144 * Mi + 4 * Gi });
  });

  it('reports references: unknown with a suggestion, duplicate, already gone, unknown container', () => {
    const { findings } = states(`  - name: one
    remove: [old]
    merge:
      - {name: m1, from: [api, workr]}
      - {name: m2, from: [api]}
    resize:
      cache: {requests: {cpu: 1}}
  - name: two
    scale: {old: 1}
    resize:
      worker: {containers: {wrker: {requests: {cpu: 1}}}}`);
    const summary = findings.map((f) => `${f.code}: ${f.message}`);
    assert.deepEqual(summary.sort(), [
      'plan/already-gone: Phase two: old was already removed in phase one.',
      'plan/duplicate-reference: Phase one: api is already merged into m1 in this phase; a workload can be removed or merged once.',
      'plan/unknown-container: Phase one: cache has 2 containers (redis, exporter): resize them by name under `containers:`.',
      'plan/unknown-container: Phase two: worker has no container "wrker" (it has worker).',
      'plan/unknown-workload: Phase one: no workload "workr" in the plan\'s sources. Did you mean "worker"?',
    ]);
    const unknown = findings.find((f) => f.code === 'plan/unknown-workload')!;
    assert.deepEqual(unknown.data, { fix: 'replace', replacement: 'worker', title: 'Change to worker' });
  });
});

describe('budget findings', () => {
  it('reports exact numbers on the budget and on each phase name, equal targets met', () => {
    const files = {
      'test.plan.yaml': plan(`sources: [m.yaml]
budget: {cpu: "2", memory: 1Gi, pods: 4, limitsOvercommit: 150%}
phases:
  - name: shrink
    scale: {api: 2}
    targets: {pods: 2, memoryRequests: 50%, cpuLimits: 1}`),
      'm.yaml': deployment('api', {
        replicas: 5,
        containers: container('api', {
          requests: { cpu: '500m', memory: '256Mi' },
          limits: { cpu: '500m', memory: '400Mi' },
        }),
      }),
    };
    const ws = workspaceOf(files);
    const messages = ws.findings.plan(planPath).map((f) => `${f.code} @${f.location.range.start}: ${f.message}`);
    const text = files['test.plan.yaml'];
    const budgetAt = text.indexOf('budget:');
    const phaseAt = text.indexOf('shrink');
    assert.deepEqual(messages, [
      `budget/requests-exceeded @${budgetAt}: current state: CPU requests 2,500m = 125% of budget 2,000m.`,
      `budget/requests-exceeded @${budgetAt}: current state: memory requests 1,280Mi = 125% of budget 1,024Mi.`,
      `budget/limits-overcommit @${budgetAt}: current state: memory limits 2,000Mi = 195% of budget 1,024Mi (allowed 150%).`,
      `budget/pods-exceeded @${budgetAt}: current state: 5 pods, budget 4 pods.`,
    ]);
    // After the phase: 2 pods (= target), 512Mi requests (= 50%), cpu limits 1000m (= 1): all met, none reported.
    assert.ok(!messages.some((m) => m.includes(`@${phaseAt}`)));
  });

  it('warns on overcommit only strictly above the allowed share', () => {
    const ws = workspaceOf({
      'test.plan.yaml': plan('sources: [m.yaml]\nbudget: {cpu: "1", memory: 1Gi, limitsOvercommit: 200%}'),
      'm.yaml': deployment('api', {
        replicas: 2,
        containers: container('api', {
          requests: { cpu: '100m', memory: '100Mi' },
          limits: { cpu: '1', memory: '1Gi' },
        }),
      }),
    });
    assert.deepEqual(
      ws.findings.plan(planPath).map((f) => f.code),
      [],
    );
  });

  it('simulates scheduling in decreasing order and names the largest unschedulable pod', () => {
    const ws = workspaceOf({
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nbudget:\n  cpu: "4"\n  memory: 4Gi\n  nodes:\n    - {name: small, count: 2, cpu: "1", memory: 1Gi, pods: 10}',
      ),
      'm.yaml':
        deployment('big', {
          replicas: 1,
          containers: container('big', { requests: { cpu: '500m', memory: '1536Mi' } }),
        }) +
        deployment('mid', {
          replicas: 3,
          containers: container('mid', { requests: { cpu: '300m', memory: '600Mi' } }),
        }),
    });
    const result = ws.plan(planPath)!;
    const schedule = result.analysis.states[0].schedule!;
    // big fits nowhere (1536Mi > 1Gi); mid#1 → small-1, mid#2 → small-2, mid#3 fits nowhere (424Mi left each).
    assert.deepEqual(
      schedule.unschedulable.map((p) => p.name),
      ['big#1', 'mid#3'],
    );
    const finding = ws.findings.plan(planPath).find((f) => f.code === 'budget/unschedulable')!;
    // big is larger than an empty node: only it "fits on no node"; mid#3 is a matter of room.
    assert.match(
      finding.message,
      /^current state: 2 pods cannot be placed by any strategy; the largest, big#1, requests 500m cpu, 1,536Mi memory: it fits on no node, even empty \(the largest it may use, small-1, has 1,000m cpu, 1,024Mi memory and 10 pod slots\)\.$/,
    );
  });
});
