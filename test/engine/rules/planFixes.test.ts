import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { container, deployment, plan, ROOT, workspaceOf } from '../../helpers/memoryHost';

const planPath = `${ROOT}/test.plan.yaml`;
const manifests = ['a', 'b', 'c']
  .map((n) => deployment(n, { replicas: 1, containers: container(n, { requests: { cpu: '100m' } }) }))
  .join('');

function applyFirstEdit(text: string, code: string): { before: string[]; after: string[]; fixed: string } {
  const findings = workspaceOf({ 'test.plan.yaml': text, 'm.yaml': manifests }).findings.plan(planPath);
  const finding = findings.find((f) => f.code === code);
  assert.ok(finding, `expected a ${code} finding`);
  assert.equal(finding.data?.fix, 'edits');
  const change = finding.data.fix === 'edits' ? finding.data.actions[0].changes[0] : undefined;
  assert.ok(change);
  const fixed = text.slice(0, change.start) + change.newText + text.slice(change.end);
  const after = workspaceOf({ 'test.plan.yaml': fixed, 'm.yaml': manifests }).findings.plan(planPath);
  return { before: findings.map((f) => f.code), after: after.map((f) => f.code), fixed };
}

describe('quick fix: remove a duplicate reference', () => {
  it('in a flow list', () => {
    const text = plan('sources: [m.yaml]\nphases:\n  - name: one\n    merge:\n      - {name: ab, from: [a, b, a]}');
    const { after, fixed } = applyFirstEdit(text, 'plan/duplicate-reference');
    assert.match(fixed, /from: \[a, b\]\}/);
    assert.ok(!after.includes('plan/duplicate-reference'));
    assert.ok(!after.some((c) => c.startsWith('plan/')));
  });

  it('in a block list (merged and removed in one phase)', () => {
    const text = plan(
      'sources: [m.yaml]\nphases:\n  - name: one\n    remove:\n      - c\n    merge:\n      - name: bc\n        from:\n          - b\n          - c',
    );
    const { after, fixed } = applyFirstEdit(text, 'plan/duplicate-reference');
    assert.doesNotMatch(fixed, /- c\n?$/);
    assert.ok(!after.includes('plan/duplicate-reference'));
    assert.ok(!after.some((c) => c.startsWith('plan/')));
  });

  it('offers no edit for a scale key (its value needs a decision)', () => {
    const text = plan('sources: [m.yaml]\nphases:\n  - name: one\n    remove: [a]\n    scale: {a: 2}');
    const findings = workspaceOf({ 'test.plan.yaml': text, 'm.yaml': manifests }).findings.plan(planPath);
    const duplicate = findings.find((f) => f.code === 'plan/duplicate-reference');
    assert.ok(duplicate);
    assert.equal(duplicate.data, undefined);
  });
});
