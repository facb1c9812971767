// Kustomize sources in the language server: no external tool runs until the client says the
// workspace is trusted, whatever tool path the workspace's settings name.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));

const PLAN = [
  'apiVersion: consolidation.dev/v1alpha1',
  'kind: ConsolidationPlan',
  'metadata:',
  '  name: t',
  'spec:',
  '  sources:',
  '    - kustomize: overlay',
  '  phases: []',
  '',
].join('\n');
const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: api, image: x, resources: {requests: {cpu: 2m, memory: 1Mi}, limits: {cpu: 1m, memory: 1Mi}}}]\n';

describe('rendered sources in the language server', () => {
  it('an untrusted workspace never runs the tool its settings name; trust granted, it renders', async () => {
    const ws = tempWorkspace({
      files: { 'consolidation.plan.yaml': PLAN, 'overlay/kustomization.yaml': 'resources: []\n' },
    });
    temps.push(ws);
    const marker = ws.file('tool-ran');
    // The "tool" a hostile workspace could name: it leaves a mark when run, and prints a Deployment.
    const tool = ws.write(
      'bin/kustomize',
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nprocess.stdout.write(${JSON.stringify(DEPLOYMENT)});\n`,
    );
    fs.chmodSync(tool, 0o755);
    const client = await LspClient.start({
      folder: ws.dir,
      settings: () => ({ tools: { kustomize: tool } }),
      initializationOptions: { settings: { tools: { kustomize: tool } }, trusted: false },
    });
    try {
      const planUri = uriOf(ws.file('consolidation.plan.yaml'));
      const untrusted = await client.waitForDiagnostics(planUri, (p) =>
        p.diagnostics.some((d) => d.code === 'plan/source-render'),
      );
      const render = untrusted.diagnostics.filter((d) => d.code === 'plan/source-render');
      assert.equal(render.length, 1);
      assert.match(messageText(render[0].message), /not trusted/);
      assert.equal(fs.existsSync(marker), false);

      await client.connection.sendNotification('consolidation/workspaceTrust', { trusted: true });
      const trusted = await client.waitForDiagnostics(
        planUri,
        (p) => !p.diagnostics.some((d) => d.code === 'plan/source-render'),
      );
      assert.equal(fs.existsSync(marker), true);
      // The rendered Deployment's request over its limit: no file to point at, so on the source entry, naming the object.
      const exceeds = trusted.diagnostics.filter((d) => d.code === 'manifest/request-exceeds-limit');
      assert.ok(exceeds.length > 0, JSON.stringify(trusted.diagnostics));
      for (const d of exceeds) {
        assert.match(messageText(d.message), /Deployment\/api, rendered by kustomize from this source/);
        assert.equal(d.range.start.line, 6);
      }
      for (const uri of client.diagnostics.keys())
        assert.ok(!uri.includes('sources%5B') && !uri.includes('sources['), uri);
    } finally {
      await client.dispose();
    }
  });

  it("a tool that hangs: the server keeps answering (hover, other files' diagnostics) while it runs, then a timeout diagnostic on the source entry", async () => {
    const ws = tempWorkspace({
      files: {
        'consolidation.plan.yaml': [
          'apiVersion: consolidation.dev/v1alpha1',
          'kind: ConsolidationPlan',
          'metadata:',
          '  name: t',
          'spec:',
          '  sources:',
          '    - kustomize: overlay',
          '    - "plain/*.yaml"',
          '  phases:',
          '    - name: one',
          '      scale: {api: 1}',
          '',
        ].join('\n'),
        'overlay/kustomization.yaml': 'resources: []\n',
        'plain/db.yaml': DEPLOYMENT.replace('name: api', 'name: db'),
      },
    });
    temps.push(ws);
    // The "kustomize" the settings name: it never ends (the server must stop it).
    const tool = ws.write('bin/kustomize', `#!${process.execPath}\nsetInterval(() => {}, 1000);\n`);
    fs.chmodSync(tool, 0o755);
    const settings = { tools: { kustomize: tool, timeoutSeconds: 8 } };
    const client = await LspClient.start({
      folder: ws.dir,
      settings: () => settings,
      initializationOptions: { settings, trusted: true },
    });
    try {
      const planUri = uriOf(ws.file('consolidation.plan.yaml'));
      const dbUri = uriOf(ws.file('plain/db.yaml'));
      const rendering = (d: { code?: unknown; severity?: number; message: string | { value: string } }) =>
        d.code === 'plan/source-render' && /is being rendered/.test(messageText(d.message));
      const timedOut = (d: { code?: unknown; message: string | { value: string } }) =>
        d.code === 'plan/source-render' && /did not finish in 8 s: stopped/.test(messageText(d.message));
      const pending = await client.waitForDiagnostics(planUri, (p) => p.diagnostics.some(rendering));
      // While it renders: the entry says so (information), and `api`, which only the render can define, is not called unknown.
      assert.deepEqual(
        pending.diagnostics.map((d) => [d.code, d.severity]),
        [['plan/source-render', 3]],
      );
      assert.equal(pending.diagnostics[0].range.start.line, 6);
      // The other sources' findings are published meanwhile.
      const db = await client.waitForDiagnostics(dbUri, (p) =>
        p.diagnostics.some((d) => d.code === 'manifest/request-exceeds-limit'),
      );
      assert.ok(db.diagnostics.length > 0);
      // Requests are answered while the tool runs, not after it.
      const dbText = ws.read('plain/db.yaml');
      await client.open(ws.file('plain/db.yaml'), dbText);
      const hover = await client.hover(dbUri, { line: 2, character: 17 });
      const planText = ws.read('consolidation.plan.yaml');
      await client.open(ws.file('consolidation.plan.yaml'), planText);
      const lenses = await client.codeLenses(planUri);
      assert.ok(
        !(client.diagnostics.get(planUri)?.diagnostics ?? []).some(timedOut),
        'the requests were answered only once the render had stopped',
      );
      assert.ok(hover !== undefined);
      assert.match(lenses[0]?.command?.title ?? '', /totals wait for a source being rendered/);
      // Then the timeout, once, on the source entry.
      const failed = await client.waitForDiagnostics(planUri, (p) => p.diagnostics.some(timedOut));
      const render = failed.diagnostics.filter((d) => d.code === 'plan/source-render');
      assert.equal(render.length, 1);
      assert.equal(render[0].severity, 1);
      assert.equal(render[0].range.start.line, 6);
    } finally {
      await client.dispose();
    }
  });
});
