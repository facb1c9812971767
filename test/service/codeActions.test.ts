// Code actions through the language service, in process: the quick fix of a diagnostic the service
// itself reported (chosen by its code and data), and "Generate merged manifests" on a merge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { atCursor } from '../helpers/serviceAtCursor';
import { plan } from '../helpers/memoryHost';
import { MANIFESTS } from './fixtures';

describe('language service: getCodeActions', () => {
  it('a misspelt workload: the diagnostic, and its quick fix that changes the name to the nearest one', () => {
    const at = atCursor(plan('sources: [m.yaml]\nphases:\n  - name: one\n    scale: {$0car: 1}'), MANIFESTS);
    const diagnostics = at.service.getDiagnostics(at.document);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['plan/unknown-workload'],
    );
    const [diagnostic] = diagnostics;
    assert.deepEqual(diagnostic.range, {
      start: at.position,
      end: { line: at.position.line, character: at.position.character + 3 },
    });
    const actions = at.service.getCodeActions(at.document, diagnostic.range, { diagnostics });
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred]),
      [['Change to cart', 'quickfix', true]],
    );
    const edits = actions[0].edit?.changes?.[at.document.uri] as TextEdit[];
    const fixed = TextDocument.applyEdits(at.document, edits);
    assert.match(fixed, /scale: \{cart: 1\}/);
    // The fixed plan has no finding left.
    const after = atCursor(fixed.replace('scale: {', 'scale: {$0'), MANIFESTS);
    assert.deepEqual(after.service.getDiagnostics(after.document), []);
  });

  it('on a merge: "Generate merged manifests", resolved into an edit that writes under the generated directory', () => {
    const at = atCursor(
      plan('sources: [m.yaml]\nphases:\n  - name: one\n    merge:\n      - {name: sh$0op, from: [cart, orders]}'),
      MANIFESTS,
      { generatedDirectory: 'out' },
    );
    const actions = at.service.getCodeActions(
      at.document,
      { start: at.position, end: at.position },
      { diagnostics: [] },
    );
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind]),
      [['Generate merged manifests for shop', 'refactor.generate']],
    );
    const resolved = at.service.resolveCodeAction(actions[0]);
    const created = (resolved.edit?.documentChanges ?? []).flatMap((c) =>
      'kind' in c && c.kind === 'create' ? [c.uri] : [],
    );
    assert.ok(created.length > 0, `the edit creates files: ${JSON.stringify(resolved.edit)}`);
    for (const uri of created) assert.match(uri, /^file:\/\/\/ws\/out\//);
  });

  it('only quick fixes when the editor asks only for quick fixes', () => {
    const at = atCursor(
      plan('sources: [m.yaml]\nphases:\n  - name: one\n    merge:\n      - {name: sh$0op, from: [cart, orders]}'),
      MANIFESTS,
    );
    assert.deepEqual(
      at.service.getCodeActions(
        at.document,
        { start: at.position, end: at.position },
        { diagnostics: [], only: ['quickfix'] },
      ),
      [],
    );
  });
});
