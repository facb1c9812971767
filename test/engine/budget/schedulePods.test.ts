// Each node's pods in the scheduling simulation (StrategyResult.nodes[].pods), on placements worked
// out by hand, and the report JSON built from them (examples/openpolicy).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { expandNodes, schedule, type NodePlacement, type PodGroup } from '../../../server/src/engine/budget/schedule';
import type { NodePool } from '../../../server/src/engine/plan/types';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { buildReport } from '../../../server/src/engine/report/report';
import * as fs from 'node:fs';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;
const here = { file: 'test.plan.yaml', range: { start: 0, end: 0 } };

function pool(name: string, count: number, cpu: number, memory: number): NodePool {
  return { name, count, allocatable: { cpu, memory }, pods: 110, location: here };
}

function pods(workload: string, count: number, cpu: number, memory: number): PodGroup {
  return { workload, count, requests: { cpu, memory }, namespace: 'shop', labels: { app: workload } };
}

/** `node: name name ...` per node, the pods in the order the node lists them. */
function picture(nodes: NodePlacement[]): string[] {
  return nodes.map((n) => `${n.node}: ${n.pods.flatMap((p) => p.names).join(' ')}`);
}

// Three nodes of 2 cores / 4Gi. Placed largest memory first: big (5Gi) fits no node even empty;
// db (3Gi) takes n-1; api ×3 (1Gi) spills: one on n-1, two on n-2; web ×4 (512Mi) goes where room is left.
const NODES = expandNodes([pool('n', 3, 2000, 4 * Gi)]);
const GROUPS = [
  pods('web', 4, 500, 512 * Mi),
  pods('api', 3, 500, Gi),
  pods('db', 1, 1000, 3 * Gi),
  pods('big', 1, 1000, 5 * Gi),
];

describe("scheduling simulation: each node's pods", () => {
  it('first fit: the pods that must spill go to the next node, the one that fits nowhere is unschedulable', () => {
    const result = schedule(NODES, [], GROUPS).byStrategy.firstFit;
    // n-1: db (1000m, 3Gi) leaves 1000m / 1Gi: one api (memory full). n-2: api#2, api#3 (1000m, 2Gi
    // left), then web ×2 (CPU full). n-3: web#3, web#4.
    assert.deepEqual(picture(result.nodes), ['n-1: db#1 api#1', 'n-2: api#2 api#3 web#1 web#2', 'n-3: web#3 web#4']);
    assert.deepEqual(
      result.nodes[1].pods.map((p) => [p.workload, p.namespace, p.count, p.requests]),
      [
        ['api', 'shop', 2, { cpu: 500, memory: Gi }],
        ['web', 'shop', 2, { cpu: 500, memory: 512 * Mi }],
      ],
    );
    assert.deepEqual(
      result.unschedulable.map((u) => [u.name, u.count, u.reason, u.namespace]),
      [['big#1', 1, 'too-big', 'shop']],
    );
    assert.deepEqual(
      result.nodes.map((n) => [n.free.cpu, n.free.memory! / Mi]),
      [
        [500, 0],
        [0, 1024],
        [1000, 3072],
      ],
    );
  });

  it("least allocated: a workload's pods numbered in placement order across nodes (api#1 and api#3 on n-2)", () => {
    const result = schedule(NODES, [], GROUPS).byStrategy.leastAllocated;
    // Scores (CPU share + memory share after the pod): api#1 n-2 (0.5, a tie with n-3, first listed),
    // api#2 n-3, api#3 n-2 (1.0 tie); web#1, web#2 n-3; web#3 n-2 (1.375); web#4 n-1 (1.625 tie with n-3).
    assert.deepEqual(picture(result.nodes), ['n-1: db#1 web#4', 'n-2: api#1 api#3 web#3', 'n-3: api#2 web#1 web#2']);
    assert.deepEqual(result.nodes[1].pods[0].names, ['api#1', 'api#3']);
    assert.equal(result.nodes[1].pods[0].count, 2);
    assert.equal(result.unschedulableCount, 1);
  });

  it("every strategy: each pod is named once, on one node or unschedulable, and the nodes' pods add up to what they use", () => {
    const result = schedule(NODES, [], GROUPS);
    for (const strategy of ['firstFit', 'bestFit', 'leastAllocated'] as const) {
      const { nodes, unschedulable } = result.byStrategy[strategy];
      const names = nodes.flatMap((n) => n.pods.flatMap((p) => p.names));
      for (const u of unschedulable) {
        const ordinal = Number(u.name.slice(u.name.indexOf('#') + 1));
        for (let k = 0; k < u.count; k++) names.push(`${u.workload}#${ordinal + k}`);
      }
      const all = GROUPS.flatMap((g) => Array.from({ length: g.count }, (_, k) => `${g.workload}#${k + 1}`));
      assert.deepEqual([...names].sort(), [...all].sort(), strategy);
      for (const node of nodes) {
        const spec = NODES.find((s) => s.node === node.node)!;
        for (const resource of ['cpu', 'memory']) {
          const used = node.pods.reduce((sum, p) => sum + (p.requests[resource] ?? 0) * p.count, 0);
          assert.equal(
            used + (node.free[resource] ?? 0),
            spec.allocatable[resource],
            `${strategy} ${node.node} ${resource}`,
          );
        }
        assert.equal(node.pods.reduce((sum, p) => sum + p.count, 0) + node.freePods, spec.pods);
        for (const p of node.pods) assert.equal(p.names.length, p.count);
      }
    }
  });

  it("a DaemonSet's pod is named after its node and marked as a daemon", () => {
    const nodes = expandNodes([pool('a', 2, 1000, 2 * Gi)]);
    const agent = { workload: 'agent', requests: { cpu: 100, memory: 128 * Mi }, namespace: 'kube-system' };
    const result = schedule(nodes, [agent], [pods('app', 2, 800, Gi)]);
    assert.deepEqual(picture(result.nodes), ['a-1: agent@a-1 app#1', 'a-2: agent@a-2 app#2']);
    assert.equal(result.nodes[0].pods[0].daemon, true);
    assert.equal(result.nodes[0].pods[1].daemon, undefined);
  });
});

describe("report JSON: each node's pods", () => {
  it("openpolicy: pods with exact requests and their workload's line; with the unschedulable ones, every pod of the state", () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'examples', 'openpolicy');
    const planFile = path.join(dir, 'openpolicy.plan.yaml');
    const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const report = buildReport(ws.plan(planFile)!, dir, (file, offset) => ws.lineIndex(file)?.positionAt(offset).line);
    const lineAt = (file: string, line: number) => fs.readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/)[line];
    for (const state of report.states) {
      const placement = state.schedule!;
      let placed = 0;
      for (const node of placement.nodes) {
        assert.equal(
          node.pods.reduce((n, p) => n + p.count, 0),
          node.podCapacity - node.freePods,
          node.node,
        );
        for (const resource of ['cpu', 'memory']) {
          const used = node.pods.reduce((sum, p) => sum + (p.requests[resource] ?? 0) * p.count, 0);
          assert.equal(used + (node.free[resource] ?? 0), node.allocatable[resource]);
        }
        for (const p of node.pods) {
          assert.ok(Number.isSafeInteger(p.requests.cpu) && Number.isSafeInteger(p.requests.memory), JSON.stringify(p));
          assert.equal(p.names.length, p.count);
          assert.equal(p.namespace, 'openpolicy');
          assert.ok(p.location, `${p.workload} has a location`);
          // The line names the workload: its manifest's `name:`, or the merge in the plan.
          assert.match(
            lineAt(p.location.file, p.location.line),
            new RegExp(`name: ${p.workload}\\b`),
            `${p.workload} at ${p.location.file}:${p.location.line}`,
          );
          const share = state.composition.find((w) => w.name === p.workload)!;
          assert.deepEqual(p.location, share.location);
        }
        placed += node.pods.reduce((n, p) => n + p.count, 0);
      }
      for (const u of placement.unschedulable)
        assert.deepEqual(u.location, state.composition.find((w) => w.name === u.workload)!.location);
      assert.equal(placed + state.unschedulable!, state.pods, state.phase ?? 'current');
    }
  });
});
