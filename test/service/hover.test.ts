// Hover through the language service, in process, with the cursor written `$0` in the plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { atCursor, hoverText } from '../helpers/serviceAtCursor';
import { plan, ROOT } from '../helpers/memoryHost';
import { pathToUri } from '../../server/src/service/uris';
import { MANIFESTS } from './fixtures';

const HEAD = 'sources: [m.yaml]\nbudget: {cpu: "2", memory: 2Gi}\nphases:\n';

describe('language service: doHover', () => {
  it('on a workload reference: its kind, pods, requests per pod and in total, and where it is defined', () => {
    const text = hoverText(atCursor(plan(`${HEAD}  - name: one\n    scale: {ca$0rt: 1}`), MANIFESTS));
    assert.ok(text, 'a hover');
    assert.match(text, /^\*\*Deployment cart\*\*/);
    assert.match(text, /2 pods × 1 container \(cart\)/);
    assert.match(text, /\| requests \| cpu 100m, memory 128Mi \| cpu 200m, memory 256Mi \|/);
    assert.match(text, /Defined in `m\.yaml:5`/);
  });

  it("on a phase's name: the state after the phase against the budget", () => {
    const text = hoverText(atCursor(plan(`${HEAD}  - name: o$0ne\n    scale: {cart: 1}`), MANIFESTS));
    assert.ok(text, 'a hover');
    // cart scaled to 1 pod (100m, 128Mi) and orders (200m, 256Mi): 300m of 2 CPUs, 384Mi of 2Gi.
    assert.match(text, /^\*\*After phase one\*\*\n\n2 pods · CPU req 300m \(15%\) · mem req 384Mi \(19%\)/);
  });

  it("on a merge's name: the merged workload after its phase", () => {
    const text = hoverText(
      atCursor(plan(`${HEAD}  - name: one\n    merge:\n      - {name: sh$0op, from: [cart, orders]}`), MANIFESTS),
    );
    assert.ok(text, 'a hover');
    assert.match(text, /shop/);
    assert.match(text, /After phase one\.$/);
  });

  it('nothing on a key that names no workload, phase or budget', () => {
    assert.equal(hoverText(atCursor(plan(`sour$0ces: [m.yaml]\nphases: []`), MANIFESTS)), undefined);
  });

  it('nothing in a document that is not a plan', () => {
    const at = atCursor(plan(`${HEAD}  - name: one\n    scale: {ca$0rt: 1}`), MANIFESTS);
    const manifest = TextDocument.create(pathToUri(`${ROOT}/m.yaml`), 'yaml', 1, MANIFESTS['m.yaml']);
    assert.equal(at.service.doHover(manifest, { line: 3, character: 9 }), null);
  });

  it('the `|` marker works as the cursor too', () => {
    assert.match(
      hoverText(atCursor(plan(`${HEAD}  - name: one\n    scale: {orde|rs: 1}`), MANIFESTS)) ?? '',
      /^\*\*Deployment orders\*\*/,
    );
  });
});
