// The language server keeps a plan's sources inside its workspace folder (unless the settings allow
// more) and bounded: `node dist/server.js`, driven over JSON-RPC on a temp workspace.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { deploymentYaml, tempWorkspace } from '../helpers/tempWorkspace';

const plan = (sources: string[]) =>
  [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata: {name: shop}',
    'spec:',
    `  sources: ${JSON.stringify(sources)}`,
    '  phases:',
    '    - name: one',
    '      scale: {api: 1}',
    '',
  ].join('\n');

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));

describe('language server: plan sources', () => {
  it('a glob outside the workspace folder is not read until the settings allow it; limits come from the settings', async () => {
    const ws = tempWorkspace({
      prefix: 'lsp-sources-',
      files: {
        'outside/app.yaml': deploymentYaml('api'),
        'project/shop.plan.yaml': plan(['../outside/*.yaml']),
        'project/limited.plan.yaml': plan(['manifests/*.yaml']),
        'project/manifests/a.yaml': deploymentYaml('api'),
        'project/manifests/b.yaml': deploymentYaml('b'),
        'project/manifests/c.yaml': deploymentYaml('c'),
      },
    });
    let settings: unknown = { rules: {} };
    let client: LspClient | undefined;
    try {
      client = await LspClient.start({ folder: path.join(ws.dir, 'project'), settings: () => settings });
      const planUri = uriOf(ws.file('project/shop.plan.yaml'));
      const limitedUri = uriOf(ws.file('project/limited.plan.yaml'));
      const refused = await client.waitForDiagnostics(planUri, (p) =>
        codes(p).includes('plan/source-outside-workspace'),
      );
      const finding = refused.diagnostics.find((d) => d.code === 'plan/source-outside-workspace')!;
      assert.equal(finding.range.start.line, 4);
      assert.match(
        messageText(finding.message),
        /reaches \.\.\/outside, outside the plan's workspace \(the plan's folder\): not read/,
      );
      assert.ok(codes(refused).includes('plan/unknown-workload'), 'api is unknown: its file was not read');
      await client.waitForDiagnostics(limitedUri, (p) => !codes(p).includes('plan/sources-too-large'));

      settings = { rules: {}, sources: { allowOutsideWorkspace: true, maxFiles: 2, maxSizeMb: 64 } };
      await client.changeConfiguration();
      const allowed = await client.waitForDiagnostics(
        planUri,
        (p) => !codes(p).includes('plan/source-outside-workspace'),
      );
      assert.ok(!codes(allowed).includes('plan/unknown-workload'), JSON.stringify(codes(allowed)));
      const limited = await client.waitForDiagnostics(limitedUri, (p) => codes(p).includes('plan/sources-too-large'));
      assert.match(
        messageText(limited.diagnostics.find((d) => d.code === 'plan/sources-too-large')!.message),
        /limit of 2 files at "manifests\/\*\.yaml": 1 file it matches is not read/,
      );
    } finally {
      await client?.dispose();
      ws.dispose();
    }
  });
});
