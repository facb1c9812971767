// The language server as an editor sees it: `node dist/server.js --stdio`, driven over JSON-RPC by
// test/helpers/lspClient.ts, on a temp copy of test/lsp/workspace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  CodeActionKind,
  DiagnosticSeverity,
  FileChangeType,
  type CodeAction,
  type Diagnostic,
  type DocumentSymbol,
  type MarkupContent,
  type Position,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { LspClient, messageText, uriOf } from '../helpers/lspClient';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const WORKSPACE = path.join(__dirname, 'workspace');

interface Session {
  client: LspClient;
  ws: TempWorkspace;
  planUri: string;
  uri(relative: string): string;
  /** Settings `workspace/configuration` answers with from now on. */
  setSettings(value: unknown): void;
}

/** A fresh copy of the workspace and a fresh server; both are gone when `body` ends, whatever happens. */
async function withServer(
  body: (session: Session) => Promise<void>,
  initialSettings: unknown = { rules: {} },
): Promise<void> {
  const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-lsp-' });
  let settings = initialSettings;
  let client: LspClient | undefined;
  try {
    client = await LspClient.start({ folder: ws.dir, settings: () => settings });
    await body({
      client,
      ws,
      planUri: uriOf(ws.file('shop.plan.yaml')),
      uri: (relative) => uriOf(ws.file(relative)),
      setSettings: (value) => (settings = value),
    });
  } finally {
    await client?.dispose();
    ws.dispose();
  }
}

const codes = (p: PublishDiagnosticsParams | Diagnostic[]) => (Array.isArray(p) ? p : p.diagnostics).map((d) => d.code);
const has = (code: string, text?: string) => (p: PublishDiagnosticsParams) =>
  p.diagnostics.some((d) => d.code === code && (text === undefined || messageText(d.message).includes(text)));
const lacks = (code: string) => (p: PublishDiagnosticsParams) => !p.diagnostics.some((d) => d.code === code);
const find = (p: PublishDiagnosticsParams, code: string) => {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${JSON.stringify(codes(p))}`);
  return d;
};
const markdown = (contents: unknown) => (contents as MarkupContent).value;
const positionAt = (line: number, character: number): Position => ({ line, character });

// shop.plan.yaml, 0-based: line 20 `            - cart-service`, line 21 `            - checkout-servce`,
// line 16 `    - name: merge-backend`, line 24 `    - name: trim`, line 25 `      remove: [payment-service]`.

describe('language server over stdio', () => {
  it('initializes, pulls its settings and publishes diagnostics for the plan and for a manifest it reads that was never opened', async () => {
    await withServer(async ({ client, planUri, uri }) => {
      const capabilities = client.initializeResult?.capabilities;
      assert.ok(
        capabilities?.hoverProvider &&
          capabilities.definitionProvider &&
          capabilities.documentSymbolProvider &&
          capabilities.codeLensProvider,
      );
      assert.ok(capabilities.completionProvider && capabilities.codeActionProvider);

      const plan = await client.waitForDiagnostics(planUri, has('plan/unknown-workload'));
      const typo = find(plan, 'plan/unknown-workload');
      assert.deepEqual(typo.range, { start: positionAt(21, 14), end: positionAt(21, 29) });
      assert.equal(typo.severity, DiagnosticSeverity.Error);
      assert.equal(typo.source, 'consolidation');
      assert.equal(
        messageText(typo.message),
        'Phase merge-backend: no workload "checkout-servce" in the plan\'s sources. Did you mean "checkout-service"?',
      );
      assert.equal(plan.version, undefined, 'the plan is not open: no version');

      const payment = await client.waitForDiagnostics(uri('manifests/payment.yaml'), has('manifest/invalid-quantity'));
      const quantity = find(payment, 'manifest/invalid-quantity');
      assert.deepEqual(quantity.range, { start: positionAt(16, 42), end: positionAt(16, 47) });
      assert.match(
        messageText(quantity.message),
        /^memory: "512mb" is not a valid Kubernetes quantity\. Did you mean 512Mi\?/,
      );
      const worker = await client.waitForDiagnostics(uri('manifests/worker.yaml'), has('manifest/missing-resources'));
      assert.equal(find(worker, 'manifest/missing-resources').severity, DiagnosticSeverity.Information);

      assert.ok(
        client.configurationRequests.some((items) => items.some((item) => item.section === 'consolidation')),
        'the server pulled the consolidation section',
      );
    });
  });

  it('updates the diagnostics of an open plan on didOpen and didChange, with matching versions', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      const text = ws.read('shop.plan.yaml');
      await client.open(ws.file('shop.plan.yaml'), text);
      const opened = await client.waitForVersion(planUri, 1);
      assert.ok(has('plan/unknown-workload', 'checkout-servce')(opened), JSON.stringify(codes(opened)));

      // Fix the typo (full text).
      const fixed = text.replace('- checkout-servce', '- checkout-service');
      const v2 = await client.replaceText(planUri, fixed);
      const afterFix = await client.waitForVersion(planUri, v2);
      assert.deepEqual(
        afterFix.diagnostics.filter((d) => d.code?.toString().startsWith('plan/')),
        [],
        'no plan/* finding once the typo is fixed',
      );

      // A new typo by an incremental edit: line 21 `            - checkout-service`, characters 14-30.
      const v3 = await client.edit(planUri, { start: positionAt(21, 14), end: positionAt(21, 30) }, 'checkout-svc');
      const afterEdit = await client.waitForVersion(planUri, v3);
      const typo = find(afterEdit, 'plan/unknown-workload');
      assert.match(messageText(typo.message), /no workload "checkout-svc"/);
      assert.deepEqual(typo.range, { start: positionAt(21, 14), end: positionAt(21, 26) });
    });
  });

  it('hovers a workload reference with its requests and where it is defined, and a phase name with its totals', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      const hover = await client.hover(planUri, positionAt(20, 18));
      assert.ok(hover, 'a hover on cart-service');
      const text = markdown(hover.contents);
      assert.match(text, /Deployment shop\/cart-service/);
      assert.match(text, /2 pods × 1 container \(cart\)/);
      const requests = /^\| requests \| (.*) \| (.*) \|$/m.exec(text);
      assert.ok(requests, text);
      assert.deepEqual(requests[1].split(', ').sort(), ['cpu 100m', 'memory 128Mi'], 'per pod');
      assert.deepEqual(requests[2].split(', ').sort(), ['cpu 200m', 'memory 256Mi'], 'total');
      assert.match(text, /^\| limits \| memory 256Mi \| memory 512Mi \|$/m);
      assert.match(text, /Defined in `manifests\/cart\.yaml:4`/);

      const phase = await client.hover(planUri, positionAt(16, 16));
      assert.ok(phase);
      assert.match(markdown(phase.contents), /After phase merge-backend/);
      assert.match(markdown(phase.contents), /5 pods \(25%\)/);

      assert.equal(await client.hover(planUri, positionAt(0, 0)), null, 'nothing to say about a comment');
    });
  });

  it('lists cpu before memory in hovers, whichever of them the container limits', async () => {
    // cart-service requests {cpu: 100m, memory: 128Mi} and limits only memory. Everywhere else (the
    // report, budget messages, the docs' "requests 500m cpu, 12Gi memory") cpu comes first.
    await withServer(async ({ client, ws, planUri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      const hover = await client.hover(planUri, positionAt(20, 18));
      assert.match(markdown(hover?.contents), /^\| requests \| cpu 100m, memory 128Mi \| cpu 200m, memory 256Mi \|$/m);
    });
  });

  it('completes workload names in a block `from:` list item', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      const text = ws
        .read('shop.plan.yaml')
        .replace('            - checkout-servce\n', '            - checkout-servce\n            - \n');
      await client.open(ws.file('shop.plan.yaml'), text);
      const items = await client.completion(planUri, positionAt(22, 14));
      const labels = items.map((i) => i.label);
      for (const name of ['cart-service', 'checkout-service', 'payment-service', 'worker'])
        assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
      const checkout = items.find((i) => i.label === 'checkout-service')!;
      assert.deepEqual(checkout.textEdit, {
        range: { start: positionAt(22, 14), end: positionAt(22, 14) },
        newText: 'checkout-service',
      });
      assert.match(checkout.detail ?? '', /^Deployment · 1 pod · requests /);
      assert.deepEqual(
        checkout.detail
          ?.replace(/^.* requests /, '')
          .split(', ')
          .sort(),
        ['cpu 200m', 'memory 256Mi'],
      );

      // With a prefix typed: the edit replaces the prefix.
      await client.edit(planUri, { start: positionAt(22, 14), end: positionAt(22, 14) }, 'pay');
      const prefixed = await client.completion(planUri, positionAt(22, 17));
      const payment = prefixed.find((i) => i.label === 'payment-service');
      assert.deepEqual(payment?.textEdit, {
        range: { start: positionAt(22, 14), end: positionAt(22, 17) },
        newText: 'payment-service',
      });
    });
  });

  it('completes workload names in a flow `[a, ]` list (the editor closed the bracket)', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      const text = ws
        .read('shop.plan.yaml')
        .replace('      remove: [payment-service]', '      remove: [payment-service, ]');
      await client.open(ws.file('shop.plan.yaml'), text);
      const items = await client.completion(planUri, positionAt(25, 32));
      const labels = items.map((i) => i.label);
      for (const name of ['cart-service', 'checkout-service', 'worker'])
        assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
      assert.deepEqual(items.find((i) => i.label === 'worker')?.textEdit, {
        range: { start: positionAt(25, 32), end: positionAt(25, 32) },
        newText: 'worker',
      });
    });
  });

  it('completes workload names in a flow `[a, ` list being typed (not yet closed)', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      const text = ws
        .read('shop.plan.yaml')
        .replace('      remove: [payment-service]', '      remove: [payment-service, ');
      await client.open(ws.file('shop.plan.yaml'), text);
      const items = await client.completion(planUri, positionAt(25, 32));
      const labels = items.map((i) => i.label);
      for (const name of ['cart-service', 'checkout-service', 'worker'])
        assert.ok(labels.includes(name), `${name} in [${labels.join(', ')}]`);
    });
  });

  it('goes from a reference to the workload name in its manifest', async () => {
    await withServer(async ({ client, ws, planUri, uri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      // manifests/cart.yaml line 3 (0-based) is `  name: cart-service`.
      assert.deepEqual(await client.definition(planUri, positionAt(20, 14)), [
        { uri: uri('manifests/cart.yaml'), range: { start: positionAt(3, 8), end: positionAt(3, 20) } },
      ]);
      assert.deepEqual(await client.definition(planUri, positionAt(25, 20)), [
        { uri: uri('manifests/payment.yaml'), range: { start: positionAt(3, 8), end: positionAt(3, 23) } },
      ]);
      assert.deepEqual(
        await client.definition(planUri, positionAt(21, 16)),
        [],
        'an unknown workload has no definition',
      );
    });
  });

  it('shows a code lens with the pods above the budget and each phase', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      const lenses = await client.codeLenses(planUri);
      const titles = lenses.map((l) => l.command?.title ?? '');
      assert.equal(lenses.length, 3, titles.join('\n'));
      assert.match(titles[0], /^current: 5 pods \(25%\)/);
      assert.match(titles[1], /^after merge-backend: 5 pods \(25%\)/);
      assert.match(titles[2], /^after trim: 4 pods \(20%\)/);
      assert.deepEqual(
        lenses.slice(1).map((l) => l.range.start),
        [positionAt(16, 6), positionAt(24, 6)],
      );
    });
  });

  it('lists the budget, the phases and their merges as document symbols', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      const symbols = (await client.documentSymbols(planUri)) as DocumentSymbol[];
      assert.deepEqual(
        symbols.map((s) => s.name),
        ['budget', 'merge-backend', 'trim'],
      );
      const [, mergeBackend, trim] = symbols;
      assert.deepEqual(mergeBackend.selectionRange, { start: positionAt(16, 12), end: positionAt(16, 25) });
      assert.deepEqual(
        mergeBackend.children?.map((c) => c.name),
        ['backend'],
      );
      assert.deepEqual(mergeBackend.children?.[0].selectionRange, {
        start: positionAt(18, 16),
        end: positionAt(18, 23),
      });
      assert.deepEqual(
        trim.children?.map((c) => [c.name, c.detail]),
        [['payment-service', 'remove']],
      );
    });
  });

  it('offers quick fixes from diagnostic data: the did-you-mean reference, and 512mb → 512Mi', async () => {
    await withServer(async ({ client, ws, planUri, uri }) => {
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      const typo = find(await client.waitForVersion(planUri, 1), 'plan/unknown-workload');
      const actions = (await client.codeActions(
        planUri,
        typo.range,
        [typo],
        [CodeActionKind.QuickFix],
      )) as CodeAction[];
      const fix = actions.find((a) => a.title === 'Change to checkout-service');
      assert.ok(fix, actions.map((a) => a.title).join(', '));
      assert.equal(fix.kind, CodeActionKind.QuickFix);
      assert.deepEqual(fix.edit?.changes?.[planUri], [{ range: typo.range, newText: 'checkout-service' }]);
      // Applying it clears the finding.
      const version = await client.edit(planUri, typo.range, 'checkout-service');
      assert.ok(lacks('plan/unknown-workload')(await client.waitForVersion(planUri, version)));

      const paymentUri = uri('manifests/payment.yaml');
      await client.open(ws.file('manifests/payment.yaml'), ws.read('manifests/payment.yaml'));
      const quantity = find(await client.waitForVersion(paymentUri, 1), 'manifest/invalid-quantity');
      const quantityActions = (await client.codeActions(paymentUri, quantity.range, [quantity])) as CodeAction[];
      const toMi = quantityActions.find((a) => a.title === 'Change to 512Mi');
      assert.ok(toMi, quantityActions.map((a) => a.title).join(', '));
      assert.deepEqual(toMi.edit?.changes?.[paymentUri], [
        { range: { start: positionAt(16, 42), end: positionAt(16, 47) }, newText: '512Mi' },
      ]);
    });
  });

  it('answers consolidation/report with the text table and the JSON numbers', async () => {
    await withServer(async ({ client, planUri }) => {
      const report = await client.request<{
        text: string;
        json: { plan: string; name: string; states: { phase: string | null; pods: number }[] };
      } | null>('consolidation/report', { uri: planUri });
      assert.ok(report);
      assert.equal(report.json.plan, 'shop.plan.yaml');
      assert.equal(report.json.name, 'shop');
      assert.deepEqual(
        report.json.states.map((s) => [s.phase, s.pods]),
        [
          [null, 5],
          ['merge-backend', 5],
          ['trim', 4],
        ],
      );
      assert.match(report.text, /^Plan shop \(shop\.plan\.yaml\)\n/);
      assert.match(report.text, /^state\s+workloads\s+pods/m);
      assert.match(report.text, /^current\s+4\s+5 \(25%\)/m);
      assert.match(report.text, /^trim\s+3\s+4 \(20%\)/m);
      assert.equal(await client.request('consolidation/report', { uri: uriOf('/nowhere/not-a-plan.yaml') }), null);
    });
  });

  it('pulls the settings again on didChangeConfiguration: a rule turned off disappears, a severity changes', async () => {
    await withServer(async ({ client, planUri, uri, setSettings }) => {
      const workerUri = uri('manifests/worker.yaml');
      await client.waitForDiagnostics(workerUri, has('manifest/missing-resources'));
      await client.waitForDiagnostics(planUri, has('plan/unknown-workload'));
      const pulls = client.configurationRequests.length;

      setSettings({ rules: { 'manifest/missing-resources': 'off', 'plan/unknown-workload': 'warning' } });
      await client.changeConfiguration();
      const worker = await client.waitForDiagnostics(workerUri, lacks('manifest/missing-resources'));
      assert.deepEqual(worker.diagnostics, []);
      const plan = await client.waitForDiagnostics(planUri, (p) =>
        p.diagnostics.some((d) => d.code === 'plan/unknown-workload' && d.severity === DiagnosticSeverity.Warning),
      );
      assert.ok(plan);
      assert.ok(client.configurationRequests.length > pulls, 'the server asked for the settings again');
    });
  });

  it('re-reads a manifest changed on disk on workspace/didChangeWatchedFiles: the plan gets budget findings', async () => {
    await withServer(async ({ client, ws, planUri, uri }) => {
      const before = await client.waitForDiagnostics(planUri, has('plan/unknown-workload'));
      assert.ok(lacks('budget/requests-exceeded')(before) && lacks('budget/pods-exceeded')(before));

      ws.write('manifests/cart.yaml', ws.read('manifests/cart.yaml').replace('replicas: 2', 'replicas: 40'));
      await client.watchedFilesChanged([{ uri: uri('manifests/cart.yaml'), type: FileChangeType.Changed }]);
      // Memory: 40 × 128Mi (cart) + 256Mi (checkout) + 1Gi (payment: its 512mb request is invalid, so it
      // requests its 1Gi limit) = 6,400Mi of 4Gi. CPU: 40 × 100m + 200m + 100m = 4300m of 4. Pods: 40 + 1 + 1 + 1.
      const after = await client.waitForDiagnostics(planUri, has('budget/requests-exceeded'));
      const messages = after.diagnostics.map((d) => messageText(d.message));
      assert.ok(
        messages.includes('current state: memory requests 6,400Mi = 156% of budget 4,096Mi.'),
        messages.join('\n'),
      );
      assert.ok(messages.includes('current state: CPU requests 4,300m = 108% of budget 4,000m.'), messages.join('\n'));
      assert.ok(messages.includes('current state: 43 pods, budget 20 pods.'), messages.join('\n'));
      assert.deepEqual(find(after, 'budget/requests-exceeded').range, {
        start: positionAt(11, 2),
        end: positionAt(11, 8),
      });
    });
  });

  it('picks up a plan created on disk, and clears the findings of a manifest deleted from disk', async () => {
    await withServer(async ({ client, ws, planUri, uri }) => {
      const workerUri = uri('manifests/worker.yaml');
      await client.waitForDiagnostics(workerUri, has('manifest/missing-resources'));
      await client.waitForDiagnostics(planUri, has('budget/missing-requests'));

      const second = ws.write(
        'ops.plan.yaml',
        'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: ops}\nspec:\n  sources: [manifests/*.yaml, jobs/*.yaml]\n  namespace: shop\n',
      );
      await client.watchedFilesChanged([{ uri: uriOf(second), type: FileChangeType.Created }]);
      const ops = await client.waitForDiagnostics(uriOf(second), has('plan/source-empty'));
      assert.equal(
        messageText(find(ops, 'plan/source-empty').message),
        '"jobs/*.yaml" matches no file (globs are relative to the plan file).',
      );

      ws.remove('manifests/worker.yaml');
      await client.watchedFilesChanged([{ uri: workerUri, type: FileChangeType.Deleted }]);
      assert.deepEqual((await client.waitForDiagnostics(workerUri, (p) => p.diagnostics.length === 0)).diagnostics, []);
      await client.waitForDiagnostics(planUri, lacks('budget/missing-requests'));
    });
  });

  it('takes pushed settings (workspace/didChangeConfiguration with settings) from a client that cannot be asked', async () => {
    const ws = tempWorkspace({ copyFrom: WORKSPACE, prefix: 'consolidation-lsp-' });
    let client: LspClient | undefined;
    try {
      client = await LspClient.start({ folder: ws.dir, pullConfiguration: false });
      const workerUri = uriOf(ws.file('manifests/worker.yaml'));
      await client.waitForDiagnostics(workerUri, has('manifest/missing-resources'));
      assert.deepEqual(client.configurationRequests, [], 'a client without workspace.configuration is never asked');
      await client.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { consolidation: { rules: { 'manifest/missing-resources': 'off' } } },
      });
      await client.waitForDiagnostics(workerUri, lacks('manifest/missing-resources'));
    } finally {
      await client?.dispose();
      ws.dispose();
    }
  });

  it('reports a plan that is not valid YAML and keeps answering', async () => {
    await withServer(async ({ client, ws, planUri }) => {
      const brokenFile = ws.file('broken.plan.yaml');
      const brokenText =
        'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: broken\nspec:\n  sources: [manifests/*.yaml]\n';
      const brokenUri = await client.open(brokenFile, brokenText);
      const broken = await client.waitForVersion(brokenUri, 1);
      assert.ok(broken.diagnostics.length > 0);
      assert.ok(
        broken.diagnostics.every((d) => d.code === 'plan/schema' && d.severity === DiagnosticSeverity.Error),
        JSON.stringify(broken.diagnostics),
      );

      // Requests on the broken plan are answered (emptily), and the rest of the workspace still works.
      await client.hover(brokenUri, positionAt(2, 12));
      await client.completion(brokenUri, positionAt(4, 14));
      await client.codeLenses(brokenUri);
      await client.documentSymbols(brokenUri);
      await client.open(ws.file('shop.plan.yaml'), ws.read('shop.plan.yaml'));
      assert.ok(await client.hover(planUri, positionAt(20, 18)));
      assert.ok(has('plan/unknown-workload')(await client.waitForVersion(planUri, 1)));

      // Fixed, it is a plan like any other.
      const version = await client.replaceText(brokenUri, brokenText.replace('{name: broken', '{name: broken}'));
      const fixed = await client.waitForVersion(brokenUri, version);
      assert.deepEqual(
        fixed.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error),
        [],
      );
    });
  });
});
