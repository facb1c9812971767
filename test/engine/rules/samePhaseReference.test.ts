// The order inside a phase: every reference names a workload as it stands at the start of the phase. A merge that
// names another merge of the same phase, and a scale, resize or remove of a workload a merge of the phase creates,
// are plan/same-phase-reference errors; check, report (the states) and render follow the same rule; the quick fixes
// (merge the sources directly; set the merge's replicas) give a plan that parses and has no finding left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hover } from '../../../server/src/service/hover';
import {
  actionsOf,
  applyChanges,
  assertParses,
  findingsOf,
  PLAN,
  planText,
  rangeOf,
  simple,
  workspaceOf,
} from '../../helpers/renderWorkspace';

const MANIFESTS = simple('a') + simple('b') + simple('c', { replicas: 2 }) + simple('d');

function setup(phaseLines: string[]) {
  const text = planText(['sources: [m.yaml]', 'phases:', '  - name: one', ...phaseLines.map((l) => `    ${l}`)]);
  return { ws: workspaceOf({ 'm.yaml': MANIFESTS, 'test.plan.yaml': text }), text };
}

function after(text: string) {
  return workspaceOf({ 'm.yaml': MANIFESTS, 'test.plan.yaml': text });
}

describe('plan/same-phase-reference', () => {
  for (const [style, lines] of [
    ['flow', ['merge:', '  - {name: ab, from: [a, b]}', '  - {name: abc, from: [ab, c]}']],
    [
      'block',
      [
        'merge:',
        '  - name: ab',
        '    from:',
        '      - a',
        '      - b',
        '  - name: abc',
        '    from:',
        '      - ab',
        '      - c',
      ],
    ],
    ['merge written after its use', ['merge:', '  - {name: abc, from: [ab, c]}', '  - {name: ab, from: [a, b]}']],
  ] as const) {
    it(`a merge naming another merge of the phase (${style}): an error on the reference that explains the rule`, () => {
      const { ws, text } = setup([...lines]);
      const findings = findingsOf(ws, 'plan/same-phase-reference');
      assert.equal(findings.length, 1, JSON.stringify(findingsOf(ws).map((f) => f.message)));
      const [finding] = findings;
      assert.equal(finding.severity, 'error');
      assert.deepEqual(finding.location.range, rangeOf(text, 'ab', { after: 'abc' }));
      assert.equal(
        finding.message,
        'Phase one: ab is created by merge ab in this same phase, and every reference in a phase names a workload as it stands at the start of the phase. Merge its sources directly (from: [a, b, c]), or use ab in a later phase.',
      );
      // Nothing else: no unknown-workload, no silent resolution.
      assert.deepEqual(
        findingsOf(ws)
          .filter((f) => f.code.startsWith('plan/'))
          .map((f) => f.code),
        ['plan/same-phase-reference'],
      );

      // The quick fix: abc merges a, b and c itself, and merge ab goes.
      const [action] = actionsOf(finding);
      assert.equal(action.title, 'Merge a, b directly into abc (and drop merge ab)');
      const fixed = applyChanges(text, action.changes);
      assertParses(fixed, 'the fixed plan');
      const ws2 = after(fixed);
      assert.deepEqual(
        findingsOf(ws2)
          .filter((f) => f.severity === 'error')
          .map((f) => `${f.code}: ${f.message}`),
        [],
      );
      const plan = ws2.plan(PLAN)!.plan;
      assert.deepEqual(
        plan.phases[0].merge.map((m) => `${m.name} <- ${m.from.map((r) => r.text).join(',')}`),
        ['abc <- a,b,c'],
      );
    });
  }

  it('report and render follow the rule: abc holds only c, ab holds a and b, and a, b and c are all scaled down', () => {
    const { ws } = setup(['merge:', '  - {name: ab, from: [a, b]}', '  - {name: abc, from: [ab, c]}']);
    const result = ws.plan(PLAN)!;
    const state = result.analysis.states[1];
    assert.deepEqual(state.workloads.map((w) => w.workload.name).sort(), ['ab', 'abc', 'd']);
    assert.equal(state.totals.pods, 1 + 2 + 1);
    const render = ws.render(PLAN)!;
    const objects = render.phases[0].objects.map((o) => `${o.role} ${o.object.kind}/${o.object.metadata.name}`);
    assert.deepEqual(objects.sort(), [
      'created Deployment/ab',
      'created Deployment/abc',
      'scaled-down Deployment/a',
      'scaled-down Deployment/b',
      'scaled-down Deployment/c',
    ]);
  });

  it("scale of a merge created in the phase: the same rule, not 'unknown workload'; the fix sets the merge's replicas", () => {
    for (const [style, lines] of [
      ['flow', ['scale: {ab: 3, d: 2}', 'merge:', '  - {name: ab, from: [a, b]}']],
      ['block', ['scale:', '  d: 2', '  ab: 3', 'merge:', '  - name: ab', '    from: [a, b]', '    replicas: 1']],
      ['block, its only entry', ['scale:', '  ab: 3', 'merge:', '  - name: ab', '    from: [a, b]', 'remove: [d]']],
    ] as const) {
      const { ws, text } = setup([...lines]);
      const finding = findingsOf(ws, 'plan/same-phase-reference');
      assert.equal(finding.length, 1, style);
      assert.deepEqual(findingsOf(ws, 'plan/unknown-workload'), []);
      assert.equal(
        finding[0].message,
        'Phase one: ab is created by merge ab in this same phase, and every reference in a phase names a workload as it stands at the start of the phase. Set `replicas` on merge ab, or use ab in a later phase.',
      );
      const [action] = actionsOf(finding[0]);
      assert.equal(action.title, 'Set replicas: 3 on merge ab');
      const fixed = applyChanges(text, action.changes);
      assertParses(fixed, `${style}: the fixed plan`);
      const ws2 = after(fixed);
      assert.deepEqual(
        findingsOf(ws2)
          .filter((f) => f.severity === 'error')
          .map((f) => `${f.code}: ${f.message}`),
        [],
        fixed,
      );
      const phase = ws2.plan(PLAN)!.plan.phases[0];
      assert.equal(phase.merge[0].replicas, 3, fixed);
      assert.deepEqual(
        phase.scale.map((s) => `${s.ref.text}=${s.replicas}`),
        style === 'block, its only entry' ? [] : ['d=2'],
        fixed,
      );
    }
  });

  it('resize and remove of a merge created in the phase: the same rule; a later phase may use it', () => {
    const { ws } = setup([
      'remove: [ab]',
      'resize: {ab: {requests: {cpu: 50m}}}',
      'merge:',
      '  - {name: ab, from: [a, b]}',
    ]);
    const findings = findingsOf(ws, 'plan/same-phase-reference');
    assert.deepEqual(
      findings.map((f) => f.message.split('. ').pop()),
      [
        'Leave the merge out of this phase, or use ab in a later phase.',
        'Resize its sources (a, b) in this phase, before they are merged, or use ab in a later phase.',
      ],
    );
    const later = workspaceOf({
      'm.yaml': MANIFESTS,
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    merge: [{name: ab, from: [a, b]}]',
        '  - name: two',
        '    scale: {ab: 3}',
        '    merge: [{name: abc, from: [ab, c]}]',
      ]),
    });
    assert.deepEqual(
      findingsOf(later).filter((f) => f.code.startsWith('plan/')),
      [],
    );
  });

  it('a merge that takes itself gets the rule and no fix', () => {
    const { ws } = setup(['merge:', '  - {name: ab, from: [ab, c]}']);
    const [finding] = findingsOf(ws, 'plan/same-phase-reference');
    assert.match(finding.message, /A merge cannot take the workload it creates/);
    assert.equal(finding.data, undefined);
  });

  it('two merges of one phase with one name: merge/name-conflict on the second (it would silently replace the first)', () => {
    const { ws, text } = setup(['merge:', '  - {name: ab, from: [a]}', '  - {name: ab, from: [b, c]}']);
    const findings = findingsOf(ws, 'merge/name-conflict');
    assert.equal(findings.length, 1, JSON.stringify(findingsOf(ws).map((f) => f.message)));
    assert.equal(findings[0].severity, 'error');
    assert.deepEqual(findings[0].location.range, rangeOf(text, 'ab', { occurrence: 1 }));
    assert.match(findings[0].message, /another merge of phase one already has this name/);
  });

  it('hover on the reference says which merge of the phase creates it', () => {
    const { ws, text } = setup(['merge:', '  - {name: ab, from: [a, b]}', '  - {name: abc, from: [ab, c]}']);
    const result = hover(ws, PLAN, rangeOf(text, 'ab', { after: 'abc' }).start + 1);
    assert.ok(result && typeof result.contents === 'object' && 'value' in result.contents);
    assert.equal(
      result.contents.value,
      'Created by merge **ab** of this phase (from a, b): it exists from the next phase on.',
    );
  });
});
