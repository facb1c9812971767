// Kustomize sources in the language server: no external tool runs until the client says the
// workspace is trusted, whatever tool path the workspace's settings name.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));

const PLAN = ['apiVersion: consolidation.dev/v1alpha1', 'kind: ConsolidationPlan', 'metadata:', '  name: t', 'spec:', '  sources:', '    - kustomize: overlay', '  phases: []', ''].join('\n');
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: api, image: x, resources: {requests: {cpu: 2m, memory: 1Mi}, limits: {cpu: 1m, memory: 1Mi}}}]\n';

describe('rendered sources in the language server', () => {
  it('an untrusted workspace never runs the tool its settings name; trust granted, it renders', async () => {
    const ws = tempWorkspace({ files: { 'consolidation.plan.yaml': PLAN, 'overlay/kustomization.yaml': 'resources: []\n' } });
    temps.push(ws);
    const marker = ws.file('tool-ran');
    // The "tool" a hostile workspace could name: it leaves a mark when run, and prints a Deployment.
    const tool = ws.write('bin/kustomize', `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nprocess.stdout.write(${JSON.stringify(DEPLOYMENT)});\n`);
    fs.chmodSync(tool, 0o755);
    const client = await LspClient.start({ folder: ws.dir, settings: () => ({ tools: { kustomize: tool } }), initializationOptions: { settings: { tools: { kustomize: tool } }, trusted: false } });
    try {
      const planUri = uriOf(ws.file('consolidation.plan.yaml'));
      const untrusted = await client.waitForDiagnostics(planUri, (p) => p.diagnostics.some((d) => d.code === 'plan/source-render'));
      const render = untrusted.diagnostics.filter((d) => d.code === 'plan/source-render');
      assert.equal(render.length, 1);
      assert.match(messageText(render[0].message), /not trusted/);
      assert.equal(fs.existsSync(marker), false);

      await client.connection.sendNotification('consolidation/workspaceTrust', { trusted: true });
      const trusted = await client.waitForDiagnostics(planUri, (p) => !p.diagnostics.some((d) => d.code === 'plan/source-render'));
      assert.equal(fs.existsSync(marker), true);
      // The rendered Deployment's request over its limit: no file to point at, so on the source entry, naming the object.
      const exceeds = trusted.diagnostics.filter((d) => d.code === 'manifest/request-exceeds-limit');
      assert.ok(exceeds.length > 0, JSON.stringify(trusted.diagnostics));
      for (const d of exceeds) {
        assert.match(messageText(d.message), /Deployment\/api, rendered by kustomize from this source/);
        assert.equal(d.range.start.line, 6);
      }
      for (const uri of client.diagnostics.keys()) assert.ok(!uri.includes('sources%5B') && !uri.includes('sources['), uri);
    } finally {
      await client.dispose();
    }
  });
});
