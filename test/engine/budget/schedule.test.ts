// The placement engine (server/src/engine/budget/schedule.ts): strategies, node rules, pod rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  daemonNodeCount,
  expandNodes,
  largestNodes,
  schedule,
  type PodGroup,
} from '../../../server/src/engine/budget/schedule';
import { matchesRequirement, nodeMismatch, tolerates } from '../../../server/src/engine/budget/nodeMatch';
import { readPodScheduling } from '../../../server/src/engine/manifests/podScheduling';
import type { NodePool } from '../../../server/src/engine/plan/types';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;
const here = { file: 'test.plan.yaml', range: { start: 0, end: 0 } };

function pool(name: string, count: number, cpu: number, memory: number, extra: Partial<NodePool> = {}): NodePool {
  return { name, count, allocatable: { cpu, memory }, pods: 110, location: here, ...extra };
}

function pods(workload: string, count: number, cpu: number, memory: number, extra: Partial<PodGroup> = {}): PodGroup {
  return { workload, count, requests: { cpu, memory }, namespace: 'default', labels: { app: workload }, ...extra };
}

describe('placement strategies', () => {
  it("58 pods on 3 nodes of 20 slots: first fit fills one node's memory and leaves 3 Pending, least allocated places all", () => {
    const nodes = expandNodes([pool('node', 3, 16_000, 15 * Gi, { pods: 20 })]);
    const result = schedule(nodes, [], [pods('big', 15, 100, 1 * Gi), pods('small', 43, 100, 256 * Mi)]);
    // First fit: big ×15 on node-1 (15Gi, 5 slots left, no memory); small 20 + 20 on node-2, node-3; 3 left.
    assert.equal(result.byStrategy.firstFit.unschedulableCount, 3);
    assert.deepEqual(
      result.byStrategy.firstFit.unschedulable.map((u) => [u.name, u.count, u.reason]),
      [['small#41', 3, 'no-room']],
    );
    // Best fit packs the same way: the fullest node that still fits is node-1 until its memory is gone.
    assert.equal(result.byStrategy.bestFit.unschedulableCount, 3);
    // Least allocated spreads big 5/5/5, then small round the nodes 15/14/14: 20, 19, 19 pods.
    assert.equal(result.byStrategy.leastAllocated.unschedulableCount, 0);
    assert.deepEqual(
      result.byStrategy.leastAllocated.nodes.map((n) => n.freePods),
      [0, 1, 1],
    );
    assert.equal(result.unschedulableCount, 0);
    assert.equal(result.strategy, 'leastAllocated');
  });

  it('best fit takes the node left fullest, least allocated the emptiest; ties go to the first listed', () => {
    const nodes = expandNodes([pool('a', 1, 4000, 8 * Gi), pool('b', 1, 4000, 8 * Gi), pool('c', 1, 4000, 8 * Gi)]);
    // first (2Gi) goes to a in every strategy (a tie everywhere); then second (1Gi):
    const result = schedule(nodes, [], [pods('first', 1, 1000, 2 * Gi), pods('second', 1, 1000, 1 * Gi)]);
    const freeMemory = (s: 'firstFit' | 'bestFit' | 'leastAllocated') =>
      result.byStrategy[s].nodes.map((n) => (n.free.memory ?? 0) / Gi);
    assert.deepEqual(freeMemory('firstFit'), [5, 8, 8]);
    assert.deepEqual(freeMemory('bestFit'), [5, 8, 8]);
    assert.deepEqual(freeMemory('leastAllocated'), [6, 7, 8]);
  });

  it('compares fractions exactly: mean of CPU and memory shares, on nodes of different sizes', () => {
    // small: 1 cpu / 3Gi; large: 3 cpu / 1Gi. A pod of 300m / 300Mi uses 0.3 + 0.0977 on small and
    // 0.1 + 0.293 on large: 0.3977 > 0.393, so least allocated picks large and best fit small.
    const nodes = expandNodes([pool('small', 1, 1000, 3 * Gi), pool('large', 1, 3000, 1 * Gi)]);
    const result = schedule(nodes, [], [pods('p', 1, 300, 300 * Mi)]);
    assert.equal(result.byStrategy.leastAllocated.nodes[1].freePods, 109);
    assert.equal(result.byStrategy.bestFit.nodes[0].freePods, 109);
  });

  it('tells apart scores closer than floating point can: 1m of a million cores and of a million cores and 1m', () => {
    const nodes = expandNodes([pool('b', 1, 1_000_000_000, Gi), pool('a', 1, 1_000_000_001, Gi)]);
    const result = schedule(nodes, [], [pods('p', 1, 1, 0)]);
    // On a the pod is 1/1,000,000,001 of the CPU, on b 1/1,000,000,000: a is (barely) less allocated.
    assert.deepEqual(
      result.byStrategy.leastAllocated.nodes.map((n) => n.freePods),
      [110, 109],
    );
    assert.deepEqual(
      result.byStrategy.bestFit.nodes.map((n) => n.freePods),
      [109, 110],
    );
  });

  it('places DaemonSet pods first, only on the nodes they tolerate and match', () => {
    const gpu = pool('gpu', 1, 8000, 30 * Gi, {
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      labels: { accelerator: 'nvidia' },
    });
    const nodes = expandNodes([pool('general', 2, 4000, 8 * Gi), gpu]);
    const dcgm = readPodScheduling({
      nodeSelector: { accelerator: 'nvidia' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
    });
    assert.equal(daemonNodeCount(nodes, undefined), 2, 'a DaemonSet without tolerations skips the tainted node');
    assert.equal(daemonNodeCount(nodes, dcgm), 1);
    const result = schedule(nodes, [{ workload: 'dcgm', requests: { cpu: 100, memory: Gi }, scheduling: dcgm }], []);
    assert.deepEqual(
      result.nodes.map((n) => n.freePods),
      [110, 110, 109],
    );
  });
});

describe('node rules', () => {
  const gpuPool = pool('gpu', 1, 8000, 30 * Gi, {
    taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
  });

  it('keeps pods off a tainted pool unless they tolerate it (Equal and Exists)', () => {
    const nodes = expandNodes([gpuPool]);
    const equal = readPodScheduling({
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }],
    });
    const wrongValue = readPodScheduling({ tolerations: [{ key: 'nvidia.com/gpu', value: 'absent' }] });
    const wrongEffect = readPodScheduling({
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }],
    });
    const everything = readPodScheduling({ tolerations: [{ operator: 'Exists' }] });
    const result = schedule(
      nodes,
      [],
      [
        pods('a-plain', 1, 100, Mi),
        pods('b-equal', 1, 100, Mi, { scheduling: equal }),
        pods('c-value', 1, 100, Mi, { scheduling: wrongValue }),
        pods('d-effect', 1, 100, Mi, { scheduling: wrongEffect }),
        pods('e-all', 1, 100, Mi, { scheduling: everything }),
      ],
    );
    assert.deepEqual(
      result.unschedulable.map((u) => u.workload),
      ['a-plain', 'c-value', 'd-effect'],
    );
    assert.deepEqual(result.unschedulable[0].mismatches, [
      { pool: 'gpu', why: 'taint nvidia.com/gpu=present:NoSchedule not tolerated' },
    ]);
    assert.equal(result.unschedulable[0].reason, 'unmatched');
  });

  it('ignores PreferNoSchedule taints, and honours NoExecute', () => {
    const soft = expandNodes([pool('soft', 1, 1000, Gi, { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })])[0];
    const hard = expandNodes([pool('hard', 1, 1000, Gi, { taints: [{ key: 'k', effect: 'NoExecute' }] })])[0];
    assert.equal(nodeMismatch(undefined, soft), undefined);
    assert.equal(nodeMismatch(undefined, hard), 'taint k:NoExecute not tolerated');
    assert.ok(tolerates({ key: 'k', operator: 'Exists' }, { key: 'k', effect: 'NoExecute' }));
  });

  it('matches nodeSelector and required node affinity with every operator', () => {
    const labels = { disktype: 'ssd', cores: '16' };
    const r = (operator: string, values: string[], key = 'disktype') =>
      matchesRequirement({ key, operator, values }, labels, true);
    assert.deepEqual([r('In', ['ssd', 'nvme']), r('In', ['hdd'])], [true, false]);
    assert.deepEqual([r('NotIn', ['hdd']), r('NotIn', ['ssd']), r('NotIn', ['x'], 'missing')], [true, false, true]);
    assert.deepEqual([r('Exists', []), r('Exists', [], 'missing')], [true, false]);
    assert.deepEqual([r('DoesNotExist', []), r('DoesNotExist', [], 'missing')], [false, true]);
    assert.deepEqual(
      [r('Gt', ['8'], 'cores'), r('Gt', ['16'], 'cores'), r('Lt', ['32'], 'cores'), r('Lt', ['16'], 'cores')],
      [true, false, true, false],
    );
    assert.deepEqual([r('Gt', ['1'], 'disktype'), r('Gt', ['x'], 'cores')], [false, false], 'Gt/Lt need integers');

    const nodes = expandNodes([
      pool('hdd', 1, 4000, 8 * Gi, { labels: { disktype: 'hdd' } }),
      pool('ssd', 1, 4000, 8 * Gi, { labels: { disktype: 'ssd', cores: '16' } }),
    ]);
    const selector = readPodScheduling({ nodeSelector: { disktype: 'ssd' } });
    const affinity = readPodScheduling({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            // Terms are ORed, requirements within a term ANDed.
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['nvme'] }] },
              { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
            ],
          },
        },
      },
    });
    const result = schedule(
      nodes,
      [],
      [pods('db', 1, 100, Gi, { scheduling: selector }), pods('cruncher', 1, 100, Gi, { scheduling: affinity })],
    );
    assert.equal(result.unschedulableCount, 0);
    assert.deepEqual(
      result.nodes.map((n) => n.freePods),
      [110, 108],
    );
    assert.equal(nodeMismatch(selector, nodes[0]), 'nodeSelector disktype=ssd not matched');
    assert.equal(nodeMismatch(affinity, nodes[0]), 'required node affinity not matched');
  });

  it("gives every node the kubelet's well-known os and arch labels, which a pool may override", () => {
    // sock-shop's manifests (the corpus) all select `beta.kubernetes.io/os: linux`.
    const sockShop = readPodScheduling({ nodeSelector: { 'beta.kubernetes.io/os': 'linux' } });
    const arm = readPodScheduling({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } });
    const nodes = expandNodes([
      pool('plain', 1, 4000, 8 * Gi),
      pool('graviton', 1, 4000, 8 * Gi, { labels: { 'kubernetes.io/arch': 'arm64' } }),
    ]);
    const result = schedule(
      nodes,
      [],
      [pods('front-end', 2, 100, Gi, { scheduling: sockShop }), pods('arm-only', 2, 100, Mi, { scheduling: arm })],
    );
    assert.equal(result.unschedulableCount, 0);
    // First fit: front-end on plain (the first listed, linux/amd64 by default), arm-only only on graviton.
    assert.deepEqual(
      result.byStrategy.firstFit.nodes.map((n) => [n.node, n.free.memory! / Mi]),
      [
        ['plain', 6 * 1024],
        ['graviton', 8 * 1024 - 2],
      ],
    );
    assert.equal(nodeMismatch(arm, nodes[0]), 'nodeSelector kubernetes.io/arch=arm64 not matched');
  });

  it('says "fits on no node" only when no empty node it may use could take the pod', () => {
    const nodes = expandNodes([pool('small', 2, 1000, 1 * Gi)]);
    const result = schedule(nodes, [], [pods('big', 1, 500, 2 * Gi), pods('mid', 3, 300, 600 * Mi)]);
    assert.deepEqual(
      result.unschedulable.map((u) => [u.name, u.reason]),
      [
        ['big#1', 'too-big'],
        ['mid#3', 'no-room'],
      ],
    );
    assert.deepEqual(result.unschedulable[0].largestNode, {
      node: 'small-1',
      allocatable: { cpu: 1000, memory: Gi },
      pods: 110,
    });
    assert.deepEqual(result.unschedulable[1].roomiest, {
      node: 'small-1',
      free: { cpu: 700, memory: 424 * Mi },
      freePods: 109,
    });
  });
});

describe('pod rules', () => {
  const antiSelf = readPodScheduling({
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } },
        ],
      },
    },
  });

  it('keeps replicas with required anti-affinity on the hostname one per node', () => {
    const nodes = expandNodes([pool('node', 2, 8000, 16 * Gi)]);
    const result = schedule(nodes, [], [pods('db', 3, 100, Gi, { scheduling: antiSelf })]);
    for (const strategy of ['firstFit', 'bestFit', 'leastAllocated'] as const) {
      assert.deepEqual(
        result.byStrategy[strategy].unschedulable.map((u) => [u.name, u.count, u.reason, u.podRules]),
        [['db#3', 1, 'no-room', ['anti-affinity']]],
        strategy,
      );
    }
  });

  it('honours anti-affinity both ways, and only in the namespace it looks at', () => {
    const nodes = expandNodes([pool('node', 1, 8000, 16 * Gi)]);
    // db (placed first: more memory) repels app=db; the other pod is labelled app=db.
    const lookalike = pods('lookalike', 1, 100, Mi, { labels: { app: 'db' } });
    assert.equal(
      schedule(nodes, [], [pods('db', 1, 100, Gi, { scheduling: antiSelf }), lookalike]).unschedulableCount,
      1,
    );
    assert.equal(
      schedule(nodes, [], [pods('db', 1, 100, Gi, { scheduling: antiSelf }), { ...lookalike, namespace: 'other' }])
        .unschedulableCount,
      0,
    );
    // The other way round: the small pod carries the rule, the large one the label.
    const repelsDb = pods('small', 1, 100, Mi, { scheduling: antiSelf, labels: { app: 'small' } });
    assert.equal(schedule(nodes, [], [pods('db', 1, 100, Gi), repelsDb]).unschedulableCount, 1);
  });

  it('keeps hostname topology spread with DoNotSchedule within maxSkew', () => {
    const spread = readPodScheduling({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    });
    // tiny has one pod slot: web 1 there, then big may take only 2 (2 - 1 = maxSkew); the 4th stays Pending.
    const nodes = expandNodes([pool('tiny', 1, 8000, 16 * Gi, { pods: 1 }), pool('big', 1, 8000, 16 * Gi)]);
    const result = schedule(nodes, [], [pods('web', 4, 100, Gi, { scheduling: spread })]);
    assert.equal(result.unschedulableCount, 1);
    assert.deepEqual(
      result.nodes.map((n) => n.freePods),
      [0, 108],
    );
    // ScheduleAnyway is a preference: ignored.
    const anyway = readPodScheduling({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    });
    assert.equal(schedule(nodes, [], [pods('web', 4, 100, Gi, { scheduling: anyway })]).unschedulableCount, 0);
  });
});

describe('node loss', () => {
  it('takes away the largest nodes: most memory, then CPU, ties the first listed', () => {
    const nodes = expandNodes([pool('a', 2, 4000, 8 * Gi), pool('b', 1, 8000, 8 * Gi), pool('c', 1, 2000, 16 * Gi)]);
    assert.deepEqual(
      largestNodes(nodes, 3).map((n) => n.node),
      ['c', 'b', 'a-1'],
    );
  });
});

describe('plans and manifests into the simulation', () => {
  const planPath = `${ROOT}/test.plan.yaml`;
  const antiAffinity = (app: string) =>
    `      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            - topologyKey: kubernetes.io/hostname\n              labelSelector: {matchLabels: {app: ${app}}}`;

  it('reads pool labels, taints and tolerateNodeLoss, and the pod rules of a manifest', () => {
    const ws = workspaceOf({
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nbudget:\n  tolerateNodeLoss: 1\n  nodes:\n    - {name: ssd, count: 2, cpu: "2", memory: 4Gi, labels: {disktype: ssd, tier: 2}, taints: [{key: dedicated, value: db, effect: NoSchedule}, {key: soft, effect: PreferNoSchedule}]}',
      ),
      'm.yaml': deployment('db', {
        replicas: 2,
        extraSpec: `      nodeSelector: {disktype: ssd}\n      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]\n${antiAffinity('db')}`,
        containers: container('db', { requests: { cpu: '500m', memory: '1Gi' } }),
      }),
    });
    const result = ws.plan(planPath)!;
    assert.deepEqual(result.plan.problems, []);
    assert.deepEqual(result.plan.budget!.nodes![0].labels, { disktype: 'ssd', tier: '2' });
    assert.deepEqual(result.plan.budget!.nodes![0].taints, [
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'soft', effect: 'PreferNoSchedule' },
    ]);
    assert.equal(result.plan.budget!.tolerateNodeLoss, 1);
    const db = result.analysis.states[0].workloads[0].workload;
    assert.deepEqual(db.scheduling?.nodeSelectors, [{ disktype: 'ssd' }]);
    assert.equal(db.scheduling?.antiAffinity.length, 1);
    const state = result.analysis.states[0];
    assert.equal(state.schedule!.unschedulableCount, 0, 'one replica on each node');
    // Without the largest node (ssd-1, the first of equals), the second replica has nowhere to go.
    assert.deepEqual(state.nodeLoss?.lost, ['ssd-1']);
    assert.equal(state.nodeLoss?.schedule.unschedulableCount, 1);
    assert.deepEqual(
      ws.findings.plan(planPath).map((f) => f.code),
      ['budget/node-loss'],
    );
  });

  it("gives a merged pod the union of its sources' rules: every selector, only common tolerations, self anti-affinity re-pointed", () => {
    const ws = workspaceOf({
      'test.plan.yaml': plan(
        'sources: [m.yaml]\nbudget:\n  nodes:\n    - {name: plain, count: 2, cpu: "4", memory: 8Gi, labels: {zone: a}}\n    - {name: tainted, count: 2, cpu: "4", memory: 8Gi, labels: {zone: a}, taints: [{key: gpu, effect: NoSchedule}]}\nphases:\n  - name: together\n    merge:\n      - {name: both, from: [api, web], replicas: 3}',
      ),
      'm.yaml':
        deployment('api', {
          replicas: 2,
          extraSpec: `      nodeSelector: {zone: a}\n      tolerations: [{key: gpu, operator: Exists}]\n${antiAffinity('api')}`,
          containers: container('api', { requests: { cpu: '100m', memory: '100Mi' } }),
        }) +
        deployment('web', {
          replicas: 2,
          extraSpec: antiAffinity('web'),
          containers: container('web', { requests: { cpu: '100m', memory: '100Mi' } }),
        }),
    });
    const result = ws.plan(planPath)!;
    const merged = result.analysis.states[1].workloads.find((w) => w.workload.name === 'both')!.workload;
    assert.deepEqual(merged.scheduling?.nodeSelectors, [{ zone: 'a' }]);
    assert.equal(merged.scheduling?.tolerations.length, 2);
    assert.deepEqual(
      merged.scheduling?.antiAffinity.map((t) => t.selector.matchLabels),
      [{ 'app.kubernetes.io/name': 'both' }],
      'both sources kept their own replicas apart: one term, on the merged pods',
    );
    // web does not tolerate the taint, so neither does the merged pod: 2 plain nodes, one replica each.
    const placed = result.analysis.states[1].schedule!;
    assert.deepEqual(
      placed.unschedulable.map((u) => [u.name, u.reason]),
      [['both#3', 'no-room']],
    );
  });
});
