// Every file a plan reads is watched, whatever its name: the client's fixed watchers cover YAML,
// `.env` and Helm/Kustomize inputs in the workspace folders (STATIC_WATCH_GLOBS); the server
// registers watchers for the rest (server/src/lsp/watchedFiles.ts). Here: a usage snapshot in JSON
// (spec.usage: usage.json), on a copy of examples/live-usage, through dist/server.js over JSON-RPC.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type DidChangeWatchedFilesRegistrationOptions,
  type Registration,
  type RelativePattern,
} from 'vscode-languageserver-protocol';
import { parse as parseYaml } from 'yaml';
import { STATIC_WATCH_GLOBS } from '../../server/src/protocol/watchedFiles';
import { extraWatchers, staticallyWatched } from '../../server/src/lsp/watchedFiles';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace } from '../helpers/tempWorkspace';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'live-usage');
const PLAN = 'fine-on-paper.plan.yaml';

/** The {baseUri, pattern} watchers of the server's didChangeWatchedFiles registrations in force. */
function fileWatchers(registered: Registration[]): RelativePattern[] {
  return registered
    .filter((r) => r.method === DidChangeWatchedFilesNotification.method)
    .flatMap((r) =>
      (r.registerOptions as DidChangeWatchedFilesRegistrationOptions).watchers.map(
        (w) => w.globPattern as RelativePattern,
      ),
    );
}

/** Whether a registered watcher reports changes to `file` (as VS Code matches a RelativePattern). */
function watches(registered: Registration[], file: string): boolean {
  return fileWatchers(registered).some((w) => {
    const base = typeof w.baseUri === 'string' ? w.baseUri : w.baseUri.uri;
    return base === uriOf(path.dirname(file)) && picomatch.isMatch(path.basename(file), w.pattern, { dot: true });
  });
}

describe('watching the files a plan reads', () => {
  it('registers a watcher for a JSON usage snapshot, and a changed snapshot on disk gives new diagnostics', async () => {
    const ws = tempWorkspace({ copyFrom: EXAMPLE, prefix: 'consolidation-lsp-watch-' });
    // The same snapshot as JSON, named by the plan (JSON is YAML: the engine reads it as is).
    const snapshot = parseYaml(ws.read('usage.yaml')) as { workloads: unknown[] };
    ws.write('usage.json', JSON.stringify(snapshot, null, 2) + '\n');
    ws.remove('usage.yaml');
    ws.write(
      PLAN,
      ws.read(PLAN).replace('usage: {file: usage.yaml, maxAge: 520w}', 'usage: {file: usage.json, maxAge: 520w}'),
    );
    const client = await LspClient.start({ folder: ws.dir, settings: () => ({ rules: {} }) });
    try {
      const planUri = await client.open(ws.file(PLAN), ws.read(PLAN));
      const first = await client.waitForDiagnostics(planUri, (p) =>
        p.diagnostics.some((d) => d.code === 'usage/no-data'),
      );
      assert.match(messageText(first.diagnostics.find((d) => d.code === 'usage/no-data')!.message), /cart/);

      const registered = await client.waitForRegistrations(
        (r) => watches(r, ws.file('usage.json')),
        'a file watcher for usage.json',
      );
      // Only what the fixed watchers miss: the YAML manifests are not registered again.
      assert.deepEqual(
        fileWatchers(registered).map((w) => w.pattern),
        ['usage.json'],
      );

      // The code lenses show usage beside requests; the workload without data is named.
      const lensTitles = async () => (await client.codeLenses(planUri)).map((l) => l.command?.title ?? '').join('\n');
      assert.match(
        await lensTitles(),
        /current: .* · CPU use p95 980m \(49%\) · mem use p95 952Mi \(23%\) · 1 without usage data/,
      );

      // The snapshot is recorded again, with cart: the no-data finding goes, and the editor is asked
      // for new code lenses (they changed with a file on disk, not with an edit).
      const refreshes = client.codeLensRefreshes;
      snapshot.workloads.push({
        name: 'cart',
        namespace: 'shop',
        containers: [
          {
            name: 'cart',
            samples: 10,
            cpu: { p50: 5, p95: 10, max: 20 },
            memory: { p50: 1048576, p95: 2097152, max: 3145728 },
          },
        ],
      });
      ws.write('usage.json', JSON.stringify(snapshot, null, 2) + '\n');
      await client.watchedFilesChanged([{ uri: uriOf(ws.file('usage.json')), type: FileChangeType.Changed }]);
      await client.waitForDiagnostics(
        planUri,
        (p) => !p.diagnostics.some((d) => d.code === 'usage/no-data'),
        'no usage/no-data after usage.json changed',
      );
      await client.waitForCodeLensRefresh(refreshes);
      assert.doesNotMatch(await lensTitles(), /current: .*without usage data/);

      // The plan names another snapshot: the watcher follows it, and the old one is no longer watched.
      ws.write('usage-2026-12.snapshot', JSON.stringify(snapshot));
      const text = ws.read(PLAN).replace('usage: {file: usage.json,', 'usage: {file: usage-2026-12.snapshot,');
      await client.replaceText(planUri, text);
      const moved = await client.waitForRegistrations(
        (r) => watches(r, ws.file('usage-2026-12.snapshot')) && !watches(r, ws.file('usage.json')),
        'the watcher to move to usage-2026-12.snapshot',
      );
      assert.deepEqual(
        fileWatchers(moved).map((w) => w.pattern),
        ['usage-2026-12.snapshot'],
      );
      // Deleting it on disk is seen too: the plan says the snapshot is missing.
      ws.remove('usage-2026-12.snapshot');
      await client.watchedFilesChanged([
        { uri: uriOf(ws.file('usage-2026-12.snapshot')), type: FileChangeType.Deleted },
      ]);
      const gone = await client.waitForDiagnostics(
        planUri,
        (p) => p.diagnostics.some((d) => d.code === 'usage/snapshot-invalid'),
        'usage/snapshot-invalid after the snapshot was deleted',
      );
      assert.match(
        messageText(gone.diagnostics.find((d) => d.code === 'usage/snapshot-invalid')!.message),
        /usage-2026-12\.snapshot does not exist/,
      );
    } finally {
      await client.dispose();
      ws.dispose();
    }
  });

  it('the fixed watchers cover YAML, .env and Helm/Kustomize inputs in the workspace folders; everything else gets a watcher per folder', () => {
    assert.ok(STATIC_WATCH_GLOBS.includes('**/*.{yaml,yml}') && STATIC_WATCH_GLOBS.includes('**/.env'));
    const folder = '/ws';
    for (const file of [
      '/ws/a.yaml',
      '/ws/deep/b.yml',
      '/ws/.env',
      '/ws/compose/prod.env',
      '/ws/chart/templates/_helpers.tpl',
      '/ws/k/Kustomization',
      '/ws/k/app.properties',
    ]) {
      assert.ok(staticallyWatched(file, [folder]), file);
    }
    for (const file of ['/ws/usage.json', '/ws/usage', '/elsewhere/a.yaml', '/ws/manifests/web.json'])
      assert.ok(!staticallyWatched(file, [folder]), file);

    const many = Array.from({ length: 21 }, (_, i) => `/ws/json/m${i}.json`);
    const watchers = extraWatchers(
      [
        '/ws/a.yaml',
        '/ws/usage.json',
        '/ws/odd[1].json',
        '/ws/sub/a.json',
        '/ws/sub/b.json',
        '/elsewhere/a.yaml',
        ...many,
      ],
      [folder],
      true,
    );
    assert.deepEqual(
      watchers.map((w) => w.globPattern),
      [
        { baseUri: uriOf('/elsewhere'), pattern: 'a.yaml' },
        { baseUri: uriOf('/ws'), pattern: '{odd?1?.json,usage.json}' },
        { baseUri: uriOf('/ws/json'), pattern: '*' },
        { baseUri: uriOf('/ws/sub'), pattern: '{a.json,b.json}' },
      ],
    );
    // A client without RelativePattern support gets the folder's path in front.
    assert.deepEqual(
      extraWatchers(['/ws/usage.json'], [folder], false).map((w) => w.globPattern),
      ['/ws/usage.json'],
    );
  });
});
