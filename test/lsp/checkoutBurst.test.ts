// Files rewritten on disk (a git checkout) reach the server as didChangeWatchedFiles notifications, which
// a client sends in batches. The server analyses the whole burst once, and publishes only the files whose
// diagnostics changed: a file read again with the same findings is not published again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FileChangeType } from 'vscode-languageserver-protocol';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace } from '../helpers/tempWorkspace';

const WORKSPACE = path.join(__dirname, 'workspace');
const MANIFESTS = ['payment', 'cart', 'checkout', 'worker'].map((name) => `manifests/${name}.yaml`);

describe('changes on disk', () => {
  it('a burst in several notifications: one publication per file whose diagnostics changed, none for the others', async () => {
    const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-watched-' });
    const client = await LspClient.start({ folder: ws.dir, settings: () => ({ rules: {} }), keepPublished: true });
    try {
      const uri = (f: string) => uriOf(path.join(ws.dir, f));
      const payment = uri('manifests/payment.yaml');
      await Promise.all([...MANIFESTS, 'shop.plan.yaml'].map((f) => client.waitForDiagnostics(uri(f), () => true)));
      assert.ok(client.diagnostics.get(payment)!.diagnostics.some((d) => messageText(d.message).includes('512mb')));
      const before = client.published.length;

      // Another branch: every manifest rewritten (a comment at the end: no finding moves), and payment's quantity fixed.
      for (const f of MANIFESTS) {
        const file = path.join(ws.dir, f);
        fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8').replace('512mb', '512Mi')}# on another branch\n`);
      }
      await client.watchedFilesChanged(
        MANIFESTS.slice(0, 2).map((f) => ({ uri: uri(f), type: FileChangeType.Changed })),
      );
      await client.watchedFilesChanged(MANIFESTS.slice(2).map((f) => ({ uri: uri(f), type: FileChangeType.Changed })));
      await client.waitForDiagnostics(
        payment,
        (p) => !p.diagnostics.some((d) => messageText(d.message).includes('512mb')),
        'payment without 512mb',
      );
      // A request answered after the pass: whatever the pass published came before its answer.
      await client.request('consolidation/listPlans', {});

      const published = client.published.slice(before).map((p) => path.relative(ws.dir, new URL(p.uri).pathname));
      assert.deepEqual(
        published.filter((f) => f.startsWith('manifests/')),
        ['manifests/payment.yaml'],
        `published: ${published.join(', ')}`,
      );
    } finally {
      await client.dispose();
      ws.dispose();
    }
  });
});
