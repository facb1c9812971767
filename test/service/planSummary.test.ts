// The plan's phases as the server reads them: what the extension's phase code lens, phase picker and
// verify diagnostics use instead of parsing the plan (PlanSummaryRequest, ListPlansRequest).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atCursor, PLAN_FILE } from '../helpers/serviceAtCursor';
import { plan, ROOT } from '../helpers/memoryHost';
import { MANIFESTS } from './fixtures';

describe('language service: getPlanSummary', () => {
  it("each phase's name, merges, counts of removals, scales and resizes, and the range of its name", () => {
    const at = atCursor(
      plan(
        'sources: [m.yaml]\nphases:\n  - name: $0shrink\n    scale: {cart: 1}\n    resize:\n      orders: {requests: {cpu: 100m}}\n  - name: merge\n    merge:\n      - {name: shop, from: [cart, orders]}\n  - name: empty',
      ),
      MANIFESTS,
    );
    const summary = at.service.getPlanSummary(PLAN_FILE, at.document.uri);
    assert.ok(summary);
    assert.equal(summary.uri, at.document.uri);
    assert.equal(summary.name, 'test');
    assert.deepEqual(
      summary.phases.map((p) => [p.name, p.merges, p.removes, p.scales, p.resizes]),
      [
        ['shrink', [], 0, 1, 1],
        ['merge', ['shop'], 0, 0, 0],
        ['empty', [], 0, 0, 0],
      ],
    );
    assert.deepEqual(summary.phases[0].nameRange, {
      start: at.position,
      end: { line: at.position.line, character: at.position.character + 'shrink'.length },
    });
    const mergeLine = at.text.split('\n').findIndex((l) => l.includes('name: merge'));
    assert.deepEqual(summary.phases[1].nameRange.start, {
      line: mergeLine,
      character: at.text.split('\n')[mergeLine].indexOf('merge'),
    });
  });

  it('null for a file the workspace cannot read', () => {
    const at = atCursor(plan('sources: [m.yaml]\nphases: []$0'), MANIFESTS);
    assert.equal(at.service.getPlanSummary(`${ROOT}/missing.plan.yaml`), null);
  });
});
