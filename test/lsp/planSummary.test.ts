// consolidation/planSummary and consolidation/listPlans over stdio (dist/server.js): the phases and
// name ranges the extension's phase code lens and pickers read instead of parsing the plan. An open
// plan is answered from the editor's text, not the file on disk.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ListPlansRequest, PlanSummaryRequest } from '../../server/src/protocol/messages';
import { LspClient, uriOf } from '../helpers/lspClient';
import { tempWorkspace } from '../helpers/tempWorkspace';

const WORKSPACE = path.join(__dirname, 'workspace');

describe('plan summary requests over stdio', () => {
  it("answers each phase's counts and name range, from disk and then from the open editor's text", async () => {
    const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-lsp-summary-' });
    let client: LspClient | undefined;
    try {
      client = await LspClient.start({ folder: ws.dir, settings: () => ({ rules: {} }) });
      const planUri = uriOf(ws.file('shop.plan.yaml'));
      // shop.plan.yaml, 0-based: line 16 `    - name: merge-backend`, line 24 `    - name: trim` + `remove: [payment-service]`.
      const summary = await client.connection.sendRequest(PlanSummaryRequest, { uri: planUri });
      assert.ok(summary, 'a summary of the plan');
      assert.deepEqual(
        summary.phases.map((p) => [p.name, p.merges, p.removes, p.scales, p.resizes, p.nameRange]),
        [
          [
            'merge-backend',
            ['backend'],
            0,
            0,
            0,
            { start: { line: 16, character: 12 }, end: { line: 16, character: 25 } },
          ],
          ['trim', [], 1, 0, 0, { start: { line: 24, character: 12 }, end: { line: 24, character: 16 } }],
        ],
      );
      const listed = await client.connection.sendRequest(ListPlansRequest, {});
      assert.deepEqual(listed.find((p) => p.uri === planUri)?.phases, summary.phases);

      // Open and rename a phase without saving: the summary follows the editor.
      const text = ws.read('shop.plan.yaml');
      await client.open(ws.file('shop.plan.yaml'), text.replace('- name: trim', '- name: trim-payments'));
      const edited = await client.connection.sendRequest(PlanSummaryRequest, { uri: planUri });
      assert.deepEqual(
        edited?.phases.map((p) => p.name),
        ['merge-backend', 'trim-payments'],
      );

      assert.equal(
        await client.connection.sendRequest(PlanSummaryRequest, { uri: uriOf(ws.file('manifests/payment.yaml')) }),
        null,
        'a manifest is not a plan',
      );
    } finally {
      await client?.dispose();
      ws.dispose();
    }
  });
});
