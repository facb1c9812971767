import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readUsageSnapshot } from '../../../server/src/engine/usage/snapshot';
import { recommend, roundCpu, roundMemory, withHeadroom } from '../../../server/src/engine/usage/recommend';
import type { Finding } from '../../../server/src/engine/rules/types';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

const MI = 2 ** 20;
const planPath = `${ROOT}/test.plan.yaml`;
const NOW = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A snapshot with {workload: {container: [cpu p50,p95,max, memory p50,p95,max]}}. */
function snapshot(workloads: Record<string, Record<string, number[]>>, takenAt = NOW): string {
  const lines = [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: UsageSnapshot',
    'source: prometheus',
    `takenAt: "${takenAt}"`,
    'window: 7d',
    'workloads:',
  ];
  for (const [name, containers] of Object.entries(workloads)) {
    lines.push(`  - name: ${name}`, '    namespace: shop', '    containers:');
    for (const [c, v] of Object.entries(containers)) {
      lines.push(
        `      - name: ${c}`,
        '        samples: 2016',
        `        cpu: {p50: ${v[0]}, p95: ${v[1]}, max: ${v[2]}}`,
        `        memory: {p50: ${v[3]}, p95: ${v[4]}, max: ${v[5]}}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

const manifests =
  deployment('api', {
    replicas: 2,
    containers: container('api', { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } }),
  }) +
  deployment('worker', { replicas: 1, containers: container('worker', { requests: { cpu: '2', memory: '4Gi' } }) }) +
  deployment('cron', { replicas: 1, containers: container('cron', { requests: { cpu: '50m', memory: '64Mi' } }) });

const usage = snapshot({
  api: { api: [150, 230, 400, 200 * MI, 280 * MI, 300 * MI] },
  worker: { worker: [20, 40, 90, 100 * MI, 200 * MI, 300 * MI] },
});

function findingsOf(planText: string, files: Record<string, string> = {}): Finding[] {
  return workspaceOf({ 'test.plan.yaml': planText, 'm.yaml': manifests, 'usage.yaml': usage, ...files }).findings.plan(
    planPath,
  );
}

const basePlan = (phases: string, extra = '') =>
  plan(
    `sources: [m.yaml]\nnamespace: shop\nusage: usage.yaml\nbudget: {cpu: "4", memory: 8Gi}${extra}\nphases:\n${phases}`,
  );

function applyFix(text: string, finding: Finding): string {
  assert.equal(finding.data?.fix, 'edits', `no fix on ${finding.message}`);
  const changes =
    finding.data.fix === 'edits' ? [...finding.data.actions[0].changes].sort((a, b) => b.start - a.start) : [];
  let out = text;
  for (const c of changes) out = out.slice(0, c.start) + c.newText + out.slice(c.end);
  return out;
}

describe('usage snapshot format', () => {
  it('reads a valid snapshot, integers and quantities alike', () => {
    const s = readUsageSnapshot(
      '/u.yaml',
      usage.replace('p95: 230', 'p95: 230m').replace(`p50: ${100 * MI}`, 'p50: 100Mi'),
    );
    assert.deepEqual(s.problems, []);
    assert.equal(s.source, 'prometheus');
    assert.equal(s.windowMs, 7 * 86_400_000);
    assert.deepEqual(s.workloads[0].containers[0].cpu, { p50: 150, p95: 230, max: 400 });
    assert.equal(s.workloads[1].containers[0].memory?.p50, 100 * MI);
  });

  it('names each mistake where it is, and keeps what it can read', () => {
    const bad = usage
      .replace('kind: UsageSnapshot', 'kind: Usage')
      .replace('window: 7d', 'window: 7 days')
      .replace('p95: 230', 'p95: 1000')
      .replace('samples: 2016', 'samples: -1');
    const s = readUsageSnapshot('/u.yaml', bad);
    const messages = s.problems.map((p) => p.message);
    assert.ok(
      messages.some((m) => /kind must be UsageSnapshot/.test(m)),
      messages.join('\n'),
    );
    assert.ok(messages.some((m) => /window "7 days" is not a duration/.test(m)));
    assert.ok(messages.some((m) => /api\/api: samples must be a whole number/.test(m)));
    const window = s.problems.find((p) => /window/.test(p.message))!;
    assert.equal(bad.slice(window.location.range.start, window.location.range.end), '7 days');
    assert.equal(s.workloads.length, 2);
  });

  it('refuses p50 > p95 and a takenAt that is not RFC 3339, without throwing on garbage', () => {
    const s = readUsageSnapshot(
      '/u.yaml',
      usage.replace('p50: 20, p95: 40', 'p50: 50, p95: 40').replace(/takenAt: ".*"/, 'takenAt: yesterday'),
    );
    assert.ok(s.problems.some((p) => /p50 ≤ p95 ≤ max/.test(p.message)));
    assert.ok(s.problems.some((p) => /takenAt "yesterday"/.test(p.message)));
    for (const text of ['', '[1, 2', '- a\n- b', 'a: &x [*x]', '{workloads: 3}'])
      assert.ok(readUsageSnapshot('/u.yaml', text).problems.length > 0, text);
  });
});

describe('recommendation: krr simple strategy, rounded to values people write', () => {
  it('CPU p95 and memory max + 15%, rounded up', () => {
    assert.equal(roundCpu(230), 250);
    assert.equal(roundCpu(7), 10);
    assert.equal(roundCpu(1234), 1300);
    assert.equal(withHeadroom(300 * MI), 345 * MI);
    assert.equal(roundMemory(345 * MI), 384 * MI);
    assert.deepEqual(recommend({ cpu: { p50: 1, p95: 230, max: 400 }, memory: { p50: 1, p95: 2, max: 300 * MI } }), {
      cpu: 250,
      memory: 384 * MI,
    });
  });
});

describe('usage per state', () => {
  it('merged pods use their sources, removed work nothing, scale multiplies per-pod usage', () => {
    const ws = workspaceOf({
      'test.plan.yaml': basePlan(
        '  - name: one\n    scale: {api: 3}\n  - name: two\n    remove: [cron]\n    merge:\n      - {name: app, from: [api, worker]}',
      ),
      'm.yaml': manifests,
      'usage.yaml': usage,
    });
    const states = ws.plan(planPath)!.usage!.states;
    // current: api 2 × 230 + worker 40; cron has no data (unknown, not zero)
    assert.equal(states[0].total.cpu.p95, 2 * 230 + 40);
    assert.deepEqual(
      states[0].unknown.cpu.map((w) => w.workload.name),
      ['cron'],
    );
    assert.equal(states[1].total.memory.max, 3 * 300 * MI + 300 * MI);
    // after two: one workload of max(3, 1) = 3 pods, each 230 + 40 millicores at p95; cron removed
    assert.equal(states[2].total.cpu.p95, 3 * (230 + 40));
    assert.deepEqual(states[2].unknown.cpu, []);
  });
});

describe('usage rules', () => {
  it('a request below usage, with a resize fix that clears it (block phase)', () => {
    const text = basePlan('  - name: one\n    remove: [cron]');
    const findings = findingsOf(text);
    const below = findings.find((f) => f.code === 'usage/request-below-usage');
    assert.ok(below, findings.map((f) => f.message).join('\n'));
    assert.match(
      below.message,
      /after phase one: api: memory request 256Mi is below its observed max 300Mi .*CPU request 100m is below its observed p95 230m/,
    );
    assert.match(below.message, /Recommended \(CPU p95, memory max \+ 15%\): 250m cpu, 384Mi memory/);
    const fixed = applyFix(text, below);
    assert.match(
      fixed,
      / {6}remove: \[cron\]\n {6}resize: \{api: \{requests: \{cpu: 250m, memory: 384Mi\}, limits: \{memory: 384Mi\}\}\}\n/,
    );
    const after = findingsOf(fixed);
    assert.ok(!after.some((f) => f.code === 'usage/request-below-usage'), after.map((f) => f.message).join('\n'));
    assert.ok(!after.some((f) => f.severity === 'error'), after.map((f) => f.message).join('\n'));
  });

  it('a request far above usage says what it frees; the fix updates an existing resize (flow phase)', () => {
    const text = basePlan(
      '  - {name: one, remove: [cron], resize: {worker: {requests: {cpu: "2"}, limits: {cpu: "3"}}}}',
    );
    const above = findingsOf(text).find((f) => f.code === 'usage/request-above-usage');
    assert.ok(above);
    assert.match(
      above.message,
      /worker: CPU request 2,000m against an observed p95 40m; memory request 4,096Mi against an observed max 300Mi\. Resizing to the recommendation \(40m cpu, 384Mi memory\) frees 1,960m cpu per pod and 3,712Mi memory per pod/,
    );
    const fixed = applyFix(text, above);
    assert.match(fixed, /resize: \{worker: \{requests: \{cpu: 40m, memory: 384Mi\}, limits: \{cpu: "3"\}\}\}/);
    assert.ok(!findingsOf(fixed).some((f) => f.code === 'usage/request-above-usage'));
  });

  it('a merged pod is judged once, and the fix resizes its source in the merge phase', () => {
    const text = basePlan(
      '  - name: one\n    remove: [cron]\n    merge:\n      - name: app\n        from: [api, worker]',
    );
    const findings = findingsOf(text);
    const below = findings.filter((f) => f.code === 'usage/request-below-usage');
    assert.equal(below.length, 1);
    assert.match(below[0].message, /after phase one: app\/api: memory request 256Mi/);
    const fixed = applyFix(text, below[0]);
    assert.match(fixed, /resize: \{api: \{requests: \{cpu: 250m, memory: 384Mi\}, limits: \{memory: 384Mi\}\}\}/);
    assert.ok(!findingsOf(fixed).some((f) => f.code === 'usage/request-below-usage'), fixed);
  });

  it('workloads without data are named; a stale snapshot is said so', () => {
    const old = snapshot({ api: { api: [1, 2, 3, 4, 5, 6] } }, '2020-01-01T00:00:00Z');
    const findings = findingsOf(basePlan('  - name: one\n    scale: {api: 1}'), { 'usage.yaml': old });
    const noData = findings.find((f) => f.code === 'usage/no-data');
    assert.match(noData?.message ?? '', /no usage for 2 workloads: worker, cron\. Their usage is unknown, not zero/);
    assert.match(
      findings.find((f) => f.code === 'usage/snapshot-stale')?.message ?? '',
      /was taken at 2020-01-01T00:00:00Z, more than 2w ago: record it again/,
    );
  });

  it('usage targets: missed, met, and not confirmable when data is missing', () => {
    const text = (target: string) => basePlan(`  - name: one\n    targets: {${target}}`);
    const missed = findingsOf(text('cpuUsage: 10%')).find((f) => f.code === 'usage/target-missed');
    assert.match(
      missed?.message ?? '',
      /after phase one: CPU usage p95 500m = 13% of budget 4, target at most 10% \(1 workload without usage data not counted: cron\)/,
    );
    const unconfirmed = findingsOf(text('memoryUsage: 80%')).find((f) => f.code === 'usage/target-missed');
    assert.match(unconfirmed?.message ?? '', /memory usage target 80% cannot be confirmed/);
    const metWithAll = findingsOf(basePlan('  - name: one\n    remove: [cron]\n    targets: {memoryUsage: 1Gi}'));
    assert.ok(!metWithAll.some((f) => f.code === 'usage/target-missed'), metWithAll.map((f) => f.message).join('\n'));
  });

  it('a missing snapshot and a broken one are errors on spec.usage, not zero usage', () => {
    const missing = workspaceOf({
      'test.plan.yaml': basePlan('  - name: one\n    targets: {cpuUsage: 10%}'),
      'm.yaml': manifests,
    }).findings.plan(planPath);
    assert.match(missing.find((f) => f.code === 'usage/snapshot-invalid')?.message ?? '', /usage\.yaml does not exist/);
    assert.ok(!missing.some((f) => f.code === 'usage/target-missed' || f.code === 'usage/no-data'));
    const broken = findingsOf(basePlan('  - name: one'), { 'usage.yaml': 'apiVersion: [' });
    const invalid = broken.filter((f) => f.code === 'usage/snapshot-invalid');
    assert.ok(invalid.some((f) => f.location.file === `${ROOT}/usage.yaml`));
    assert.ok(invalid.some((f) => f.location.file === planPath));
  });

  it('the plan without spec.usage says nothing about usage', () => {
    const findings = workspaceOf({
      'test.plan.yaml': plan('sources: [m.yaml]\nnamespace: shop\nphases:\n  - name: one\n    remove: [cron]'),
      'm.yaml': manifests,
    }).findings.plan(planPath);
    assert.ok(!findings.some((f) => f.code.startsWith('usage/')));
  });
});

describe('spec.usage is read beside the plan only', () => {
  for (const file of ['/etc/passwd', '../outside.yaml', 'sub/../../outside.yaml']) {
    it(`refuses ${file}`, () => {
      const text = plan(`sources: [m.yaml]\nnamespace: shop\nusage: ${file}\nphases:\n  - name: one`);
      const files: Record<string, string> = { 'test.plan.yaml': text, 'm.yaml': manifests };
      const ws = workspaceOf(files);
      const findings = ws.findings.plan(planPath);
      const invalid = findings.find((f) => f.code === 'usage/snapshot-invalid');
      assert.match(invalid?.message ?? '', /the usage snapshot must be in the plan's folder or below it/);
      assert.equal(ws.plan(planPath)!.usageFile, undefined);
    });
  }
  it('accepts a file in a folder below the plan', () => {
    const findings = findingsOf(
      basePlan('  - name: one\n    remove: [cron]').replace('usage: usage.yaml', 'usage: data/usage.yaml'),
      { 'data/usage.yaml': usage },
    );
    assert.ok(!findings.some((f) => f.code === 'usage/snapshot-invalid'), findings.map((f) => f.message).join('\n'));
    assert.ok(findings.some((f) => f.code === 'usage/request-below-usage'));
  });
});

describe('a snapshot cut anywhere, or with its lines shuffled, never throws and never reads as zero', () => {
  it('every prefix of the snapshot', () => {
    for (let end = 0; end <= usage.length; end += 3) {
      const text = usage.slice(0, end);
      const partial = readUsageSnapshot('/u.yaml', text);
      for (const w of partial.workloads)
        for (const c of w.containers)
          for (const s of [c.cpu, c.memory]) if (s) assert.ok(s.p50 <= s.p95 && s.p95 <= s.max);
      const findings = findingsOf(basePlan('  - name: one\n    targets: {cpuUsage: 10%}'), { 'usage.yaml': text });
      // A usage total never counts a workload it has no data for: the target says which are unknown, or is met/missed on data.
      assert.ok(findings.every((f) => typeof f.message === 'string'));
    }
  });

  it('shuffled lines', () => {
    const lines = usage.split('\n');
    for (let seed = 1; seed <= 50; seed++) {
      const shuffled = [...lines].sort((a, b) => ((a.length * seed) % 7) - ((b.length * seed) % 5));
      assert.doesNotThrow(() => findingsOf(basePlan('  - name: one'), { 'usage.yaml': shuffled.join('\n') }));
    }
  });
});

describe('a snapshot over the size cap', () => {
  it('is said once, on spec.usage, and not read', () => {
    const big = usage + `# ${'x'.repeat(70 * 1024)}\n`;
    const findings = workspaceOf(
      { 'test.plan.yaml': basePlan('  - name: one'), 'm.yaml': manifests, 'usage.yaml': big },
      { maxFileBytes: 64 * 1024 },
    ).findings.plan(planPath);
    const invalid = findings.filter((f) => f.code === 'usage/snapshot-invalid');
    assert.deepEqual(
      invalid.map((f) => [f.location.file, f.message]),
      [[planPath, 'usage.yaml is 71 KiB, over the 64 KiB limit: not read.']],
    );
    assert.ok(!findings.some((f) => f.code === 'usage/no-data' || f.code === 'usage/request-below-usage'));
  });
});
