// Each state after a phase is computed from the state before it (what the phase touched is taken away and
// added again): its totals must be exactly those of adding up every workload of the state, in the same
// resource order, with no resource that no workload has any more; and the current state is reused while the
// sources and the budget's inputs are the same.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PlanState, StateTotals } from '../../../server/src/engine/budget/states';
import { addInto } from '../../../server/src/engine/model/resources';
import { ConsolidationWorkspace } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

/** The totals of a state's workloads added up from nothing (what every state was before). */
function addedUp(state: PlanState): StateTotals {
  const totals: StateTotals = {
    workloads: 0,
    pods: 0,
    jobs: 0,
    requests: {},
    limits: {},
    unlimitedContainers: { cpu: 0, memory: 0 },
    missingRequests: { cpu: 0, memory: 0 },
  };
  for (const { workload, pods, perPod } of state.workloads) {
    if (!workload.steady) {
      totals.jobs++;
      continue;
    }
    totals.workloads++;
    totals.pods += pods;
    addInto(totals.requests, perPod.requests, pods);
    addInto(totals.limits, perPod.limits, pods);
    totals.unlimitedContainers.cpu += perPod.unlimited.cpu * pods;
    totals.unlimitedContainers.memory += perPod.unlimited.memory * pods;
    totals.missingRequests.cpu += perPod.missingRequests.cpu * pods;
    totals.missingRequests.memory += perPod.missingRequests.memory * pods;
  }
  return totals;
}

function assertAddedUp(states: PlanState[], label: string): void {
  for (const [i, state] of states.entries()) {
    // JSON: the resource order counts too (reports and views list resources in it).
    assert.equal(
      JSON.stringify(state.totals),
      JSON.stringify(addedUp(state)),
      `${label}, state ${i} (${state.phase?.name ?? 'current'})`,
    );
  }
}

const planPath = `${ROOT}/test.plan.yaml`;
const manifests = [
  // The first workload's resources come in the order GPU, memory, cpu; removing it changes the order of the totals.
  deployment('first', {
    replicas: 2,
    containers: container('first', {
      requests: { memory: '256Mi', 'nvidia.com/gpu': '1', cpu: '100m' },
      limits: { 'nvidia.com/gpu': '1' },
    }),
  }),
  deployment('api', {
    replicas: 2,
    containers: container('api', { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } }),
  }),
  deployment('worker', {
    replicas: 1,
    containers: container('worker', { requests: { cpu: '250m', memory: '256Mi' } }),
  }),
  deployment('agent', {
    kind: 'DaemonSet',
    containers: container('agent', { requests: { cpu: '50m', memory: '64Mi' } }),
  }),
  deployment('cache', {
    replicas: 1,
    containers: [
      container('redis', { requests: { memory: '128Mi' } }),
      container('exporter', { limits: { cpu: '1' } }),
    ].join('\n'),
  }),
  // Enough untouched workloads that a phase is computed from the state before it, not added up again.
  ...Array.from({ length: 40 }, (_, i) =>
    deployment(`filler-${i}`, {
      replicas: 1 + (i % 3),
      containers: container('app', { requests: { cpu: '10m', memory: `${i + 1}Mi` } }),
    }),
  ),
].join('');

describe('state totals from the state before', () => {
  it('equal the totals added up from nothing, through remove, scale, resize and merges of merges', () => {
    const ws = workspaceOf({
      'test.plan.yaml': plan(`sources: [m.yaml]
phases:
  - name: one
    remove: [first]
    scale: {worker: 3, agent: 2}
    resize:
      api: {requests: {cpu: 1}}
  - name: two
    merge:
      - {name: backend, from: [api, worker], strategy: pod}
  - name: three
    merge:
      - {name: everything, from: [backend, cache], strategy: pod}
  - name: four
    remove: [everything, agent]`),
      'm.yaml': manifests,
    });
    const states = ws.plan(planPath)!.analysis.states;
    assertAddedUp(states, 'synthetic plan');
    assert.deepEqual(
      Object.keys(states[0].totals.requests),
      ['nvidia.com/gpu', 'memory', 'cpu'],
      'limits first: a limit without a request is the request',
    );
    assert.deepEqual(
      Object.keys(states[1].totals.requests),
      ['memory', 'cpu'],
      'the GPU is gone with the only workload that asked for one',
    );
    assert.equal(states[4].totals.workloads, 40, 'the untouched ones');
    assert.equal(states[4].totals.limits.cpu, undefined, 'no cpu limit with the cache gone');
  });

  it('hold for every example plan', () => {
    const examples = path.resolve(__dirname, '..', '..', '..', 'examples');
    let checked = 0;
    for (const name of fs.readdirSync(examples)) {
      const dir = path.join(examples, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.plan.yaml'))) {
        const result = new ConsolidationWorkspace(nodeFileHost).plan(path.join(dir, file));
        assert.ok(result, file);
        assertAddedUp(result.analysis.states, `${name}/${file}`);
        checked += result.analysis.states.length;
      }
    }
    assert.ok(checked >= 8, `only ${checked} states checked`);
  });

  it('keeps the current state while only the phases change, and computes it again when the budget does', () => {
    const phases = (n: number) =>
      `sources: [m.yaml]\nbudget: {cpu: "8"}\nphases:\n  - name: one\n    scale: {worker: ${n}}`;
    const ws = workspaceOf({ 'test.plan.yaml': plan(phases(2)), 'm.yaml': manifests });
    const before = ws.plan(planPath)!.analysis.states;
    ws.setOverlay(planPath, plan(phases(5)));
    const after = ws.plan(planPath)!.analysis.states;
    assert.equal(after[0], before[0], 'the same current state');
    assert.equal(after[1].totals.pods - before[1].totals.pods, 3);
    assertAddedUp(after, 'after the edit');
    ws.setOverlay(
      planPath,
      plan(`${phases(5)}\n`.replace('budget: {cpu: "8"}', 'budget: {cpu: "8", podOverhead: {memory: 1Mi}}')),
    );
    const overhead = ws.plan(planPath)!.analysis.states;
    assert.notEqual(overhead[0], before[0], 'the pod overhead changes every pod');
    assert.equal(
      overhead[0].totals.requests.memory - before[0].totals.requests.memory,
      overhead[0].totals.pods * 1024 * 1024,
    );
    assertAddedUp(overhead, 'with a pod overhead');
  });
});
