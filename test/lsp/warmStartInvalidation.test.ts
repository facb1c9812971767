// A warm start (the server started again with a filled cache folder) after something changed on disk or in
// the engine: only what changed is computed again, and every file's diagnostics are byte for byte those of
// a server started without a cache on the same tree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { engineVersion } from '../../server/src/engine/workspace/engineVersion';
import { PersistentCache } from '../../server/src/engine/workspace/persistentCache';
import { SERVER } from '../helpers/cli';
import { LspClient, uriOf } from '../helpers/lspClient';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const WORKSPACE = path.join(__dirname, 'workspace');
const CORPUS = '/work/shared/corpus';
/** Manifests that no plan reads, open in the editor: their diagnostics are kept in the cache's index. */
const STANDALONE = {
  'other/aks-store-all-in-one.yaml': `${CORPUS}/aks-store-demo/aks-store-all-in-one.yaml`,
  'other/front-end-dep.yaml': `${CORPUS}/sock-shop/deploy/kubernetes/manifests/09-front-end-dep.yaml`,
};
/** A compose file whose findings depend on its folder's .env (an unset variable, an empty image tag). */
const COMPOSE = [
  'services:',
  '  web:',
  '    image: nginx:${WEB_TAG}',
  '    deploy:',
  '      resources:',
  '        limits:',
  '          memory: ${WEB_MEMORY}',
  '',
].join('\n');

function setUp(): { ws: TempWorkspace; storage: TempWorkspace } {
  const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-warm-inval-' });
  for (const [target, source] of Object.entries(STANDALONE)) {
    fs.mkdirSync(path.dirname(ws.file(target)), { recursive: true });
    fs.copyFileSync(source, ws.file(target));
  }
  ws.write('compose/docker-compose.yml', COMPOSE);
  ws.write('compose/.env', 'WEB_TAG=1.25\nWEB_MEMORY=256M\n');
  return { ws, storage: tempWorkspace({ prefix: 'consolidation-storage-' }) };
}

/** Every YAML file of the workspace, relative, sorted (what is on disk now). */
function yamlFiles(folder: string): string[] {
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/**
 * Starts a server (with the cache folder, or none), waits for the plan's first diagnostics, opens every YAML
 * file with its text on disk (or the unsaved text given), and returns what was published for each (relative
 * URI, version, diagnostics) and the plan's code lenses (a request answered after a warm start).
 */
async function session(
  folder: string,
  cacheDirectory: string | undefined,
  unsaved: Record<string, string> = {},
  plan = 'shop.plan.yaml',
): Promise<string> {
  const client = await LspClient.start({
    folder,
    settings: () => ({ rules: {} }),
    initializationOptions: cacheDirectory ? { cacheDirectory } : {},
  });
  try {
    await client.waitForDiagnostics(uriOf(path.join(folder, plan)), () => true);
    const files = yamlFiles(folder);
    const uris = await Promise.all(
      files.map((f) => client.open(path.join(folder, f), unsaved[f] ?? fs.readFileSync(path.join(folder, f), 'utf8'))),
    );
    const published = await Promise.all(uris.map((uri) => client.waitForDiagnostics(uri, (p) => p.version === 1)));
    const lenses = await client.codeLenses(uriOf(path.join(folder, plan)));
    return JSON.stringify(
      {
        published: published.map((p, i) => ({ file: files[i], version: p.version, diagnostics: p.diagnostics })),
        lenses,
      },
      null,
      1,
    );
  } finally {
    await client.dispose();
  }
}

/** The cache's entries (models, the index of published diagnostics, the plans' results). */
function entries(storage: string): string[] {
  return (fs.readdirSync(storage, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin')).sort();
}
const INDEX = /published-diagnostics\.bin$/;
const SNAPSHOT = /start-snapshot\.bin$/;
const models = (storage: string) => entries(storage).filter((f) => !INDEX.test(f) && !SNAPSHOT.test(f));

/** Fills the cache (checking that start against one without a cache), applies `change`, then compares. */
async function afterChange(
  change: (ws: TempWorkspace, storage: TempWorkspace) => void,
  check: (cold: string, before: { models: string[]; cold: string }, storage: TempWorkspace) => void = () => {},
  unsaved: Record<string, string> = {},
): Promise<void> {
  const { ws, storage } = setUp();
  try {
    const coldBefore = await session(ws.dir, undefined);
    assert.equal(await session(ws.dir, storage.dir), coldBefore, 'the start that fills the cache');
    for (const [what, entry] of [
      ['the index of published diagnostics', INDEX],
      ["the plans' results", SNAPSHOT],
    ] as const)
      assert.ok(
        entries(storage.dir).some((f) => entry.test(f)),
        `${what}: ${entries(storage.dir).join(', ')}`,
      );
    const modelsBefore = models(storage.dir);
    change(ws, storage);
    const cold = await session(ws.dir, undefined, unsaved);
    assert.equal(await session(ws.dir, storage.dir, unsaved), cold, 'the warm start equals a start without a cache');
    check(cold, { models: modelsBefore, cold: coldBefore }, storage);
    // And once more, now that the cache holds the new state.
    assert.equal(await session(ws.dir, storage.dir, unsaved), cold, 'the next warm start');
  } finally {
    ws.dispose();
    storage.dispose();
  }
}

/** The model entries added since `before`. */
const added = (storage: TempWorkspace, before: string[]) => models(storage.dir).filter((f) => !before.includes(f));

describe('warm start after a change', { skip: !fs.existsSync(CORPUS) && `${CORPUS} is not here` }, () => {
  it('nothing changed: every diagnostic as without a cache, and nothing computed again', async () => {
    await afterChange(
      () => {},
      (cold, before, storage) => {
        assert.equal(cold, before.cold);
        assert.match(cold, /512mb/, 'findings in the plan sources');
        assert.match(cold, /front-end/, 'findings in a manifest no plan reads');
        assert.deepEqual(added(storage, before.models), []);
      },
    );
  });

  it('a manifest no plan reads changed: only its model is read again', async () => {
    await afterChange(
      (ws) =>
        ws.write(
          'other/front-end-dep.yaml',
          ws.read('other/front-end-dep.yaml').replace(/memory: \S+/, 'memory: 300mb'),
        ),
      (cold, before, storage) => {
        assert.notEqual(cold, before.cold);
        assert.match(cold, /300mb/);
        assert.equal(added(storage, before.models).length, 1, 'one new model');
      },
    );
  });

  it('a plan source changed: only its model is read again', async () => {
    await afterChange(
      (ws) => ws.write('manifests/cart.yaml', ws.read('manifests/cart.yaml').replace('memory: 256Mi', 'memory: 256mb')),
      (cold, before, storage) => {
        assert.notEqual(cold, before.cold);
        assert.match(cold, /256mb/);
        assert.equal(added(storage, before.models).length, 1, 'one new model');
      },
    );
  });

  it('the .env of a compose file changed', async () => {
    await afterChange(
      (ws) => ws.write('compose/.env', 'WEB_MEMORY=512mb\n'),
      (cold, before) => {
        assert.notEqual(cold, before.cold);
        assert.match(cold, /WEB_TAG is not set/);
      },
    );
  });

  it('a plan source was deleted', async () => {
    await afterChange(
      (ws) => ws.remove('manifests/payment.yaml'),
      (cold, before) => assert.notEqual(cold, before.cold),
    );
  });

  it('a file was added where the plan reads its sources', async () => {
    await afterChange(
      (ws) => ws.write('manifests/extra.yaml', ws.read('manifests/payment.yaml').replace(/payment/g, 'extra')),
      (cold, before) => {
        assert.notEqual(cold, before.cold);
        assert.match(cold, /manifests\/extra\.yaml/);
      },
    );
  });

  it('the engine was upgraded: nothing of the old engine is used', async () => {
    const previous = process.env.CONSOLIDATION_ENGINE_VERSION;
    try {
      await afterChange(
        () => (process.env.CONSOLIDATION_ENGINE_VERSION = 'test-upgrade'),
        (_cold, before, storage) => {
          // Every Kubernetes file's model is read again (the compose file's is never kept).
          assert.equal(added(storage, before.models).length, before.models.length);
        },
      );
    } finally {
      if (previous === undefined) delete process.env.CONSOLIDATION_ENGINE_VERSION;
      else process.env.CONSOLIDATION_ENGINE_VERSION = previous;
    }
  });

  it('an editor holds unsaved text in a plan source and in the plan', async () => {
    const read = (f: string) => fs.readFileSync(path.join(WORKSPACE, f), 'utf8');
    await afterChange(
      () => {},
      (cold, before) => {
        assert.notEqual(cold, before.cold);
        assert.match(cold, /64mb/);
      },
      {
        'manifests/cart.yaml': read('manifests/cart.yaml').replace('memory: 128Mi', 'memory: 64mb'),
        'shop.plan.yaml': read('shop.plan.yaml').replace('pods: 10', 'pods: 1'),
      },
    );
  });

  it('a damaged index, snapshot and model are ignored (and written again)', async () => {
    await afterChange((_ws, storage) => {
      const all = entries(storage.dir);
      for (const named of [INDEX, SNAPSHOT]) {
        const file = path.join(
          storage.dir,
          all.find((f) => named.test(f))!,
        );
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 3] ^= 0xff;
        fs.writeFileSync(file, bytes);
      }
      const model = path.join(storage.dir, models(storage.dir)[0]);
      fs.writeFileSync(model, fs.readFileSync(model).subarray(0, 40));
    });
  });

  it('a plan with a usage snapshot: the stored results hold until the snapshot would turn stale', async () => {
    const ws = tempWorkspace({ copyFrom: path.join(__dirname, '..', '..', 'examples', 'live-usage') });
    const storage = tempWorkspace({ prefix: 'consolidation-storage-' });
    try {
      const plan = 'fine-on-paper.plan.yaml';
      // Taken an hour ago, with a maxAge of 3 days: stale 3 days after.
      ws.write(plan, ws.read(plan).replace('maxAge: 520w', 'maxAge: 3d'));
      const takenAt = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      ws.write(
        'usage.yaml',
        ws.read('usage.yaml').replace(/takenAt: .*/, `takenAt: "${new Date(takenAt).toISOString()}"`),
      );
      const cold = await session(ws.dir, undefined, {}, plan);
      assert.match(cold, /usage\/request-below-usage/);
      assert.equal(await session(ws.dir, storage.dir, {}, plan), cold, 'the start that fills the cache');
      const cache = new PersistentCache(path.join(storage.dir, 'model-cache'), engineVersion(SERVER, '0.1.0'));
      const stored = cache.getNamed('start-snapshot', (v): v is { clock: { validUntil: number | null } } => !!v);
      assert.equal(stored?.clock.validUntil, takenAt + 3 * 86_400_000);
      assert.equal(await session(ws.dir, storage.dir, {}, plan), cold, 'the warm start');
    } finally {
      ws.dispose();
      storage.dispose();
    }
  });
});
