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
const FILES = [
  'shop.plan.yaml',
  'manifests/payment.yaml',
  'manifests/cart.yaml',
  'manifests/checkout.yaml',
  'manifests/worker.yaml',
];

async function diagnosticsOf(folder: string, cacheDirectory?: string): Promise<PublishDiagnosticsParams[]> {
  const client = await LspClient.start({
    folder,
    settings: () => ({ rules: {} }),
    initializationOptions: cacheDirectory ? { cacheDirectory } : {},
  });
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

// Manifests open in the editor that no plan reads: their diagnostics are kept in the cache too, and a warm
// start publishes them from it, byte for byte what a start without a cache publishes.
const CORPUS = '/work/shared/corpus';
const STANDALONE = {
  'other/aks-store-all-in-one.yaml': `${CORPUS}/aks-store-demo/aks-store-all-in-one.yaml`,
  'other/front-end-dep.yaml': `${CORPUS}/sock-shop/deploy/kubernetes/manifests/09-front-end-dep.yaml`,
  'other/docker-compose.yml': `${CORPUS}/aks-store-demo/docker-compose.yml`,
};

async function openEverything(folder: string, cacheDirectory: string | undefined, unsaved: string): Promise<string> {
  const client = await LspClient.start({
    folder,
    settings: () => ({ rules: {} }),
    initializationOptions: cacheDirectory ? { cacheDirectory } : {},
  });
  try {
    const files = [...FILES.slice(1), ...Object.keys(STANDALONE), 'other/unsaved.yaml'];
    const uris = await Promise.all(
      files.map((f) =>
        client.open(
          path.join(folder, f),
          f === 'other/unsaved.yaml' ? unsaved : fs.readFileSync(path.join(folder, f), 'utf8'),
        ),
      ),
    );
    const published = await Promise.all(
      [...uris, uriOf(path.join(folder, FILES[0]))].map((uri) => client.waitForDiagnostics(uri, () => true)),
    );
    return JSON.stringify(published.map((p) => ({ ...p, uri: path.relative(folder, new URL(p.uri).pathname) })));
  } finally {
    await client.dispose();
  }
}

const entriesIn = (dir: string) =>
  (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin')).sort();

describe('warm start with manifests open that no plan reads', () => {
  it('publishes their diagnostics from the cache, exactly as a start without one', async (t) => {
    if (!fs.existsSync(CORPUS)) return t.skip(`${CORPUS} is not here`);
    const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-warm-standalone-' });
    const storage = tempWorkspace({ prefix: 'consolidation-storage-' });
    try {
      for (const [target, source] of Object.entries(STANDALONE)) {
        fs.mkdirSync(path.dirname(path.join(ws.dir, target)), { recursive: true });
        fs.copyFileSync(source, path.join(ws.dir, target));
      }
      // On disk one text, in the editor another (unsaved): the editor's text is what is checked, and it is not kept.
      fs.writeFileSync(
        path.join(ws.dir, 'other/unsaved.yaml'),
        fs.readFileSync(STANDALONE['other/front-end-dep.yaml'], 'utf8'),
      );
      const unsaved = fs.readFileSync(path.join(ws.dir, 'manifests/payment.yaml'), 'utf8');
      const cold = await openEverything(ws.dir, undefined, unsaved);
      assert.match(cold, /512mb/, 'findings in the open files');

      assert.equal(await openEverything(ws.dir, storage.dir, unsaved), cold, 'the start that fills the cache');
      const filled = entriesIn(storage.dir);
      // Models of the six Kubernetes files on disk, and one index holding the diagnostics of the two that no
      // plan reads (compose files depend on their .env, and an unsaved text is not kept: neither is stored).
      assert.ok(filled.length >= 6 + 1, filled.join('\n'));
      assert.ok(
        filled.some((f) => f.endsWith('published-diagnostics.bin')),
        filled.join('\n'),
      );
      const warm = await openEverything(ws.dir, storage.dir, unsaved);
      assert.equal(warm, cold, 'the warm start');
      assert.deepEqual(entriesIn(storage.dir), filled, 'the warm start found everything it needed in the cache');

      // Another engine: nothing of the old one is read, and the results are the same.
      process.env.CONSOLIDATION_ENGINE_VERSION = 'test-upgrade';
      try {
        assert.equal(await openEverything(ws.dir, storage.dir, unsaved), cold, 'after an engine upgrade');
      } finally {
        delete process.env.CONSOLIDATION_ENGINE_VERSION;
      }
    } finally {
      ws.dispose();
      storage.dispose();
    }
  });
});
