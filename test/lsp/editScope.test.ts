// An edit is diagnosed by itself: while the plans' results stay the same, a pass looks only at the files
// that changed (server.ts, publishDiagnostics). These tests hold the server to the cases where more than
// the edited file must be looked at again: a `.env` the open compose files read, new settings, a plan that
// starts reading an open manifest; and to the files that did change: an edit, a close.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileChangeType, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from '../helpers/lspClient';
import { deploymentYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const has = (code: string) => (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => d.code === code);
const lacks = (code: string) => (p: PublishDiagnosticsParams) => !p.diagnostics.some((d) => d.code === code);
const RESOURCES = '{requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}';

async function withServer(
  files: Record<string, string>,
  body: (client: LspClient, ws: TempWorkspace, settings: (value: unknown) => void) => Promise<void>,
): Promise<void> {
  const ws = tempWorkspace({ files, prefix: 'consolidation-edit-scope-' });
  let settings: unknown = { rules: {} };
  let client: LspClient | undefined;
  try {
    client = await LspClient.start({ folder: ws.dir, settings: () => settings, keepPublished: true });
    await body(client, ws, (value) => (settings = value));
  } finally {
    await client?.dispose();
    ws.dispose();
  }
}

describe('language server: what an edit looks at again', () => {
  it('publishes the edited manifest alone, clears a closed one, and leaves the other open files as they were', async () => {
    await withServer(
      { 'a/one.yaml': deploymentYaml('one'), 'a/two.yaml': deploymentYaml('two') },
      async (client, ws) => {
        const one = await client.open(ws.file('a/one.yaml'), ws.read('a/one.yaml'));
        const two = await client.open(ws.file('a/two.yaml'), ws.read('a/two.yaml'));
        await client.waitForDiagnostics(one, has('manifest/missing-resources'));
        await client.waitForDiagnostics(two, has('manifest/missing-resources'));

        const before = client.published.length;
        const version = await client.replaceText(one, deploymentYaml('one', { resources: RESOURCES }));
        assert.deepEqual((await client.waitForVersion(one, version)).diagnostics, []);
        await client.close(one);
        await client.waitForDiagnostics(one, (p) => p.version === undefined && p.diagnostics.length === 0);
        const since = client.published.slice(before);
        assert.deepEqual(
          since.filter((p) => p.uri === two),
          [],
          'the file that did not change is not published again',
        );
        assert.ok(has('manifest/missing-resources')(client.diagnostics.get(two)!));
      },
    );
  });

  it('a .env changed on disk reaches the open compose file that reads it, though only the .env changed', async () => {
    await withServer(
      {
        'app/docker-compose.yaml': 'services:\n  web:\n    image: "example/web:${TAG}"\n',
        'app/.env': 'OTHER=1\n',
        'a/one.yaml': deploymentYaml('one'),
      },
      async (client, ws) => {
        const compose = await client.open(ws.file('app/docker-compose.yaml'), ws.read('app/docker-compose.yaml'));
        const one = await client.open(ws.file('a/one.yaml'), ws.read('a/one.yaml'));
        await client.waitForDiagnostics(compose, has('manifest/compose-variable'));
        await client.waitForDiagnostics(one, has('manifest/missing-resources'));

        ws.write('app/.env', 'TAG=1.0.0\n');
        await client.watchedFilesChanged([{ uri: uriOf(ws.file('app/.env')), type: FileChangeType.Changed }]);
        await client.waitForDiagnostics(compose, lacks('manifest/compose-variable'));
      },
    );
  });

  it('new settings reach every open manifest, not only the one edited last', async () => {
    await withServer(
      { 'a/one.yaml': deploymentYaml('one'), 'a/two.yaml': deploymentYaml('two') },
      async (client, ws, setSettings) => {
        const one = await client.open(ws.file('a/one.yaml'), ws.read('a/one.yaml'));
        const two = await client.open(ws.file('a/two.yaml'), ws.read('a/two.yaml'));
        await client.waitForDiagnostics(two, has('manifest/missing-resources'));
        await client.replaceText(one, `${ws.read('a/one.yaml')}# edited\n`);
        await client.waitForVersion(one, 2);

        setSettings({ rules: { 'manifest/missing-resources': 'off' } });
        await client.changeConfiguration();
        await client.waitForDiagnostics(one, lacks('manifest/missing-resources'));
        await client.waitForDiagnostics(two, lacks('manifest/missing-resources'));
      },
    );
  });

  it('an open manifest a plan starts reading gets the findings it has among the plan sources', async () => {
    // Alone, the Service in two.yaml selects nothing; read with one.yaml (the plan's sources), it selects one's pods.
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: one}\nspec:\n  selector: {app: one}\n';
    const plan = [
      'apiVersion: consolidation.dev/v1alpha1',
      'kind: ConsolidationPlan',
      'metadata: {name: p}',
      'spec:',
      '  sources: [a/*.yaml]',
      '',
    ].join('\n');
    await withServer(
      {
        'a/one.yaml': deploymentYaml('one', { resources: RESOURCES }),
        'a/two.yaml': `${deploymentYaml('two', { resources: RESOURCES })}---\n${service}`,
      },
      async (client, ws) => {
        const two = await client.open(ws.file('a/two.yaml'), ws.read('a/two.yaml'));
        await client.waitForDiagnostics(two, has('manifest/service-selects-nothing'));
        await client.open(ws.file('p.plan.yaml'), plan);
        await client.waitForDiagnostics(two, lacks('manifest/service-selects-nothing'));
      },
    );
  });
});
