// Usage in the language server, as an editor sees it (dist/server.js over JSON-RPC), on a copy of
// examples/live-usage: the resize quick fix, hover with usage, and a re-recorded snapshot on disk.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CodeActionKind, FileChangeType, type CodeAction, type MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace } from '../helpers/tempWorkspace';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'live-usage');

describe('usage in the language server', () => {
  it('publishes usage findings, applies Resize to the recommendation, hovers usage, follows the snapshot on disk', async () => {
    const ws = tempWorkspace({ copyFrom: EXAMPLE, prefix: 'consolidation-lsp-usage-' });
    const client = await LspClient.start({ folder: ws.dir, settings: () => ({ rules: {} }) });
    try {
      const planFile = ws.file('fine-on-paper.plan.yaml');
      const planUri = await client.open(planFile, ws.read('fine-on-paper.plan.yaml'));
      const first = await client.waitForDiagnostics(planUri, (p) =>
        p.diagnostics.some((d) => d.code === 'usage/request-below-usage'),
      );
      const below = first.diagnostics.filter((d) => d.code === 'usage/request-below-usage');
      assert.equal(below.length, 2);
      assert.match(
        messageText(below[0].message),
        /web\/storefront: memory request 256Mi is below its observed max 420Mi/,
      );

      const actions = (await client.codeActions(
        planUri,
        below[0].range,
        [below[0]],
        [CodeActionKind.QuickFix],
      )) as CodeAction[];
      const fix = actions.find((a) => a.title.startsWith('Resize to the recommendation'));
      assert.ok(fix, actions.map((a) => a.title).join(', '));
      assert.equal(fix.title, 'Resize to the recommendation (450m cpu, 512Mi memory)');
      const [edit] = fix.edit!.changes![planUri];
      const version = await client.edit(planUri, edit.range, edit.newText);
      const after = await client.waitForVersion(planUri, version);
      assert.equal(
        after.diagnostics.filter((d) => d.code === 'usage/request-below-usage').length,
        1,
        'storefront is resized; checkout is left',
      );

      const text = ws.read('fine-on-paper.plan.yaml');
      const line = text.split('\n').findIndex((l) => l.includes('from: [storefront, checkout]'));
      const hover = await client.hover(planUri, { line, character: text.split('\n')[line].indexOf('checkout') + 2 });
      assert.match(
        (hover!.contents as MarkupContent).value,
        /\| usage p95 \| cpu 140m, memory 192Mi \| cpu 140m, memory 192Mi \|/,
      );

      // The snapshot is recorded again with cart in it: the no-data finding goes.
      const usage = ws
        .read('usage.yaml')
        .replace(
          'workloads:\n',
          'workloads:\n  - name: cart\n    namespace: shop\n    containers:\n      - {name: cart, samples: 10, cpu: {p50: 5, p95: 10, max: 20}, memory: {p50: 1Mi, p95: 2Mi, max: 3Mi}}\n',
        );
      ws.write('usage.yaml', usage);
      await client.watchedFilesChanged([{ uri: uriOf(ws.file('usage.yaml')), type: FileChangeType.Changed }]);
      await client.waitForDiagnostics(
        planUri,
        (p) => !p.diagnostics.some((d) => d.code === 'usage/no-data'),
        'no usage/no-data after the snapshot changed',
      );
    } finally {
      await client.dispose();
      ws.dispose();
    }
  });
});
