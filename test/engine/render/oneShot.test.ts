// Report and render agree on one-shot work (Jobs, CronJobs, one-shot compose services): what the report counts
// apart from the running pods, render emits as Jobs, never as running Deployments; `scale` on work without replicas
// is plan/not-scalable and left out of both; a one-shot service in a pod merge with long-running ones is
// merge/kind-mismatch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../server/src/engine/render/kube';
import {
  actionsOf,
  applyChanges,
  assertParses,
  findingsOf,
  PLAN,
  planText,
  rangeOf,
  simple,
  workload,
  workspaceOf,
} from '../../helpers/renderWorkspace';

type Obj = Record<string, any>;

const COMPOSE = [
  'services:',
  '  api:',
  '    image: example/api:1',
  '    restart: always',
  '    ports: ["8080:8080"]',
  '    mem_reservation: 256m',
  '  migrate:',
  '    image: example/api:1',
  '    restart: "no"',
  '    command: ["migrate", "up"]',
  '    mem_limit: 128m',
  '  seed:',
  '    image: example/seed:1',
  '    restart: on-failure',
  '    mem_limit: 64m',
  '',
].join('\n');

function compose(phaseLines: string[]) {
  const text = planText([
    'sources: [compose.yaml]',
    'namespace: shop',
    'phases:',
    '  - name: one',
    ...phaseLines.map((l) => `    ${l}`),
  ]);
  const ws = workspaceOf({ 'compose.yaml': COMPOSE, 'test.plan.yaml': text });
  return { ws, text, phase: ws.render(PLAN)!.phases[0], result: ws.plan(PLAN)! };
}

function find(objects: { object: KubeObject }[], kind: string, name: string): Obj {
  const found = objects.filter((o) => o.object.kind === kind && o.object.metadata.name === name);
  assert.equal(
    found.length,
    1,
    `one ${kind} ${name}: ${objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).join(', ')}`,
  );
  return found[0].object as Obj;
}

describe('one-shot work: report and render agree', () => {
  it('scale on a one-shot compose service: plan/not-scalable, and neither the report nor render runs it', () => {
    const { ws, text, phase, result } = compose(['scale: {migrate: 2}']);
    const [finding] = findingsOf(ws, 'plan/not-scalable');
    assert.ok(finding, JSON.stringify(findingsOf(ws).map((f) => f.message)));
    assert.equal(finding.severity, 'error');
    assert.deepEqual(finding.location.range, rangeOf(text, 'migrate', { after: 'scale: {' }));
    assert.match(finding.message, /^Phase one: cannot scale migrate: it is one-shot work/);
    // The report counts it as a job, with no pod; render emits nothing running for it.
    assert.equal(result.analysis.states[1].totals.pods, 1);
    assert.equal(result.analysis.states[1].totals.jobs, 2);
    assert.deepEqual(phase.objects, []);
    // The fix removes the step.
    const fixed = applyChanges(text, actionsOf(finding)[0].changes);
    assertParses(fixed, 'the fixed plan');
    assert.match(fixed, /scale: \{\}/);
    const again = workspaceOf({ 'compose.yaml': COMPOSE, 'test.plan.yaml': fixed });
    assert.deepEqual(
      findingsOf(again)
        .filter((f) => f.code.startsWith('plan/'))
        .map((f) => f.message),
      [],
    );
  });

  it('two one-shot services merged: one Job that runs `replicas` pods to completion at once (not dropped)', () => {
    const { phase, result } = compose(['merge:', '  - {name: setup, from: [migrate, seed], replicas: 2}']);
    const job = find(phase.objects, 'Job', 'setup');
    assert.equal(job.apiVersion, 'batch/v1');
    assert.equal(job.spec.completions, 2);
    assert.equal(job.spec.parallelism, 2);
    assert.equal(job.spec.replicas, undefined);
    assert.equal(job.spec.template.spec.restartPolicy, 'OnFailure');
    assert.deepEqual(
      job.spec.template.spec.containers.map((c: Obj) => c.name),
      ['migrate', 'seed'],
    );
    // The report: still no running pod, one job instead of two.
    assert.equal(result.analysis.states[1].totals.pods, 1);
    assert.equal(result.analysis.states[1].totals.jobs, 1);
    // The merged services are Jobs too, suspended (a Job has no replicas to set to 0); nothing is a Deployment but api's none.
    for (const name of ['migrate', 'seed']) {
      const source = find(phase.objects, 'Job', name);
      assert.equal(source.spec.suspend, true);
      assert.equal(source.spec.replicas, undefined);
    }
    assert.ok(
      !phase.objects.some((o) => o.object.kind === 'Deployment'),
      phase.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).join(', '),
    );
  });

  it('a one-shot service touched on its own (remove) is a Job, suspended, not a Deployment', () => {
    const { phase } = compose(['remove: [seed]']);
    const seed = find(phase.objects, 'Job', 'seed');
    assert.equal(seed.spec.suspend, true);
    assert.equal(seed.metadata.namespace, 'shop');
  });

  it('a one-shot service in a pod merge with a long-running one: merge/kind-mismatch with a "leave it out" fix; a replace merge is fine', () => {
    const { ws, text, phase } = compose(['merge:', '  - {name: app, from: [migrate, api]}']);
    const [finding] = findingsOf(ws, 'merge/kind-mismatch');
    assert.ok(finding, JSON.stringify(findingsOf(ws).map((f) => f.message)));
    assert.equal(finding.severity, 'error');
    assert.deepEqual(finding.location.range, rangeOf(text, 'migrate', { after: 'from: [' }));
    assert.match(finding.message, /migrate is one-shot work \(it runs to completion\) and api runs steadily/);
    const fixed = applyChanges(text, actionsOf(finding)[0].changes);
    assert.match(fixed, /from: \[api\]/);
    // Whatever the plan says, the merged Deployment is valid: it restarts Always, not the job's OnFailure.
    const app = find(phase.objects, 'Deployment', 'app');
    assert.equal(app.spec.template.spec.restartPolicy, undefined);

    const replace = compose([
      'merge:',
      '  - {name: app, from: [migrate, api], strategy: replace, container: {image: example/api:2}}',
    ]);
    assert.deepEqual(findingsOf(replace.ws, 'merge/kind-mismatch'), []);
  });
});

describe('scale on workloads without replicas', () => {
  const manifests =
    simple('web', { replicas: 2 }) +
    workload('agent', {
      kind: 'DaemonSet',
      containers: [{ name: 'agent', requests: { cpu: '10m', memory: '16Mi' } }],
    }) +
    [
      '---',
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: backfill',
      'spec:',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      containers:',
      '        - {name: backfill, image: example/backfill:1}',
      '',
    ].join('\n') +
    [
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: debug',
      'spec:',
      '  containers:',
      '    - {name: debug, image: busybox, resources: {requests: {cpu: 10m, memory: 8Mi}}}',
      '',
    ].join('\n');

  it('a Job, a DaemonSet and a bare Pod: plan/not-scalable each; the report and render leave the steps out', () => {
    const ws = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    scale: {backfill: 3, agent: 2, debug: 4, web: 3}',
      ]),
    });
    assert.deepEqual(
      findingsOf(ws, 'plan/not-scalable').map((f) => f.message.replace(/`scale` sets.*$/, '').trim()),
      [
        'Phase one: cannot scale backfill: a Job runs to completion and has no replicas.',
        'Phase one: cannot scale agent: a DaemonSet runs one pod per node and has no replicas.',
        'Phase one: cannot scale debug: a bare Pod has no replicas.',
      ],
    );
    const states = ws.plan(PLAN)!.analysis.states;
    // Only web changes: 2 → 3 pods (the Pod would have counted 4 before).
    assert.equal(states[1].totals.pods - states[0].totals.pods, 1);
    const objects = ws.render(PLAN)!.phases[0].objects;
    assert.deepEqual(
      objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`),
      ['Deployment/web'],
    );
  });

  it('a removed Kubernetes Job is suspended, not given replicas: 0 (a Job has none)', () => {
    const ws = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText(['sources: [m.yaml]', 'phases:', '  - name: one', '    remove: [backfill]']),
    });
    const job = find(ws.render(PLAN)!.phases[0].objects, 'Job', 'backfill');
    assert.equal(job.spec.suspend, true);
    assert.equal(job.spec.replicas, undefined);
  });

  it('a removed DaemonSet gets a node selector no node matches (no replicas: 0, which it has not); a removed bare Pod is left valid and says to delete it', () => {
    const ws = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText(['sources: [m.yaml]', 'phases:', '  - name: one', '    remove: [agent, debug]']),
    });
    assert.equal(ws.plan(PLAN)!.analysis.states[1].totals.pods, 2, 'the report: only web runs');
    const objects = ws.render(PLAN)!.phases[0].objects;
    const agent = find(objects, 'DaemonSet', 'agent');
    assert.equal(agent.spec.replicas, undefined);
    assert.deepEqual(agent.spec.template.spec.nodeSelector, { 'consolidation.dev/scaled-to-zero': 'true' });
    const debug = objects.find((o) => o.object.kind === 'Pod')!;
    assert.equal((debug.object.spec as Obj).replicas, undefined);
    assert.match(debug.origin, /delete it by hand/);
  });
});
