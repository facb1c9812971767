// A language server started with the client's storage folder keeps parsed manifests there; the next start
// reads them and publishes exactly the diagnostics of a start without any cache.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from '../helpers/lspClient';
import { tempWorkspace } from '../helpers/tempWorkspace';

const WORKSPACE = path.join(__dirname, 'workspace');
const FILES = ['shop.plan.yaml', 'manifests/payment.yaml', 'manifests/cart.yaml', 'manifests/checkout.yaml', 'manifests/worker.yaml'];

async function diagnosticsOf(folder: string, cacheDirectory?: string): Promise<PublishDiagnosticsParams[]> {
  const client = await LspClient.start({ folder, settings: () => ({ rules: {} }), initializationOptions: cacheDirectory ? { cacheDirectory } : {} });
  try {
    return await Promise.all(FILES.map((f) => client.waitForDiagnostics(uriOf(path.join(folder, f)), () => true)));
  } finally {
    await client.dispose();
  }
}

describe('warm start of the language server', () => {
  it('fills the cache on the first start and publishes the same diagnostics from it on the next', async () => {
    const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-warm-' });
    const storage = tempWorkspace({ prefix: 'consolidation-storage-' });
    try {
      const cold = await diagnosticsOf(ws.dir);
      assert.ok(cold.some((p) => p.diagnostics.length > 0));
      assert.deepEqual(await diagnosticsOf(ws.dir, storage.dir), cold, 'the start that fills the cache');
      const entries = (fs.readdirSync(storage.dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin'));
      assert.ok(entries.length >= 4, `cache entries: ${entries.join(', ')}`);
      assert.deepEqual(await diagnosticsOf(ws.dir, storage.dir), cold, 'the warm start');
    } finally {
      ws.dispose();
      storage.dispose();
    }
  });
});
