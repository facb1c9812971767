// Completion through the language service, in process, with the cursor written `$0` in the plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-types';
import { atCursor, type AtCursor } from '../helpers/serviceAtCursor';
import { plan } from '../helpers/memoryHost';
import { MANIFESTS } from './fixtures';

const complete = (at: AtCursor): CompletionItem[] => at.service.doComplete(at.document, at.position);
const edit = (item: CompletionItem | undefined) => item?.textEdit as TextEdit | undefined;

describe('language service: doComplete', () => {
  it("in a merge's `from` list: every workload of the sources, with its kind, pods and requests", () => {
    const at = atCursor(
      plan('sources: [m.yaml]\nphases:\n  - name: one\n    merge:\n      - name: shop\n        from: [cart, $0]'),
      MANIFESTS,
    );
    const items = complete(at);
    assert.deepEqual(items.map((i) => i.label).sort(), ['cart', 'orders', 'shop']);
    const orders = items.find((i) => i.label === 'orders');
    assert.equal(orders?.detail, 'Deployment · 1 pod · requests cpu 200m, memory 256Mi');
    assert.deepEqual(edit(orders), { range: { start: at.position, end: at.position }, newText: 'orders' });
    // The merge of this very phase is offered too (after the workloads), with its strategy.
    assert.equal(items.find((i) => i.label === 'shop')?.detail, 'merged in phase one (pod)');
    assert.equal(items.find((i) => i.label === 'shop')?.sortText, '~shop');
  });

  it('under `scale:` a key: the typed prefix is replaced and `: ` follows the name', () => {
    const at = atCursor(plan('sources: [m.yaml]\nphases:\n  - name: one\n    scale:\n      or$0'), MANIFESTS);
    const orders = complete(at).find((i) => i.label === 'orders');
    assert.ok(orders, 'orders is offered');
    assert.deepEqual(edit(orders), {
      range: { start: { line: at.position.line, character: at.position.character - 2 }, end: at.position },
      newText: 'orders: ',
    });
  });

  it('nothing where the plan expects no workload', () => {
    assert.deepEqual(complete(atCursor(plan('sources: [m.yaml]\nphases:\n  - name: on$0e'), MANIFESTS)), []);
  });
});
