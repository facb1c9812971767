// Language features on the plan: hover, completion, code lens, go to definition, quick fix.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  completionLabel,
  describeDiagnostics,
  fmtRange,
  hoverText,
  lineOf,
  openPlan,
  rangeIn,
  readWorkspaceFile,
  replaceInDocument,
  waitForDiagnostics,
  waitForText,
  withCode,
} from './helpers';

describe('language features on shop.plan.yaml', () => {
  let doc: vscode.TextDocument;

  before(async () => {
    doc = (await openPlan()).doc;
    // The server has analysed the plan once it published the typo's diagnostic.
    await waitForDiagnostics(doc.uri, (d) => withCode(d, 'plan/unknown-workload').length > 0, 'plan/unknown-workload');
  });

  it('hover on a workload reference shows its requests', async () => {
    const ref = rangeIn(doc.getText(), 'checkout-service');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      ref.start.translate(0, 3),
    );
    const text = hoverText(hovers ?? []);
    assert.ok(text.length > 0, 'no hover on checkout-service');
    assert.match(text, /request/i, `the hover should mention requests:\n${text}`);
    assert.match(text, /\b(256Mi|512Mi)\b/, `the hover should show checkout-service's memory requests:\n${text}`);
  });

  it('completion in a from: list offers the workload names', async () => {
    const position = rangeIn(doc.getText(), 'cart-servce').start; // just after "from: ["
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      position,
    );
    const labels = (list?.items ?? []).map(completionLabel);
    for (const name of ['cart-service', 'catalog-service', 'payment-service']) {
      assert.ok(labels.includes(name), `completion should offer ${name}; got: ${labels.slice(0, 30).join(', ')}`);
    }
  });

  it('code lens on the phase shows its pods', async () => {
    const text = doc.getText();
    const phaseLine = lineOf(text, /^\s*- name: merge-backend/);
    const targetsLine = lineOf(text, /^\s*targets:/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      doc.uri,
      100, // resolve them
    );
    const described = (lenses ?? []).map((l) => `${fmtRange(l.range)} ${l.command?.title ?? '(unresolved)'}`);
    const onPhase = (lenses ?? []).filter(
      (l) =>
        l.range.start.line >= phaseLine && l.range.start.line <= targetsLine && /pods?\b/i.test(l.command?.title ?? ''),
    );
    assert.ok(
      onPhase.length > 0,
      `a code lens on phase merge-backend (lines ${phaseLine + 1}-${targetsLine + 1}) mentioning pods; got:\n${described.join('\n') || '(none)'}`,
    );
  });

  it('go to definition from a workload reference lands in its manifest', async () => {
    const ref = rangeIn(doc.getText(), 'checkout-service');
    const results = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
      'vscode.executeDefinitionProvider',
      doc.uri,
      ref.start.translate(0, 3),
    );
    const targets = (results ?? []).map((r) =>
      'targetUri' in r ? { uri: r.targetUri, range: r.targetSelectionRange ?? r.targetRange } : r,
    );
    assert.ok(targets.length > 0, 'no definition for checkout-service');
    const inManifest = targets.filter((t) => t.uri.path.endsWith('/manifests/checkout-service.yaml'));
    assert.ok(
      inManifest.length > 0,
      `the definition should be in manifests/checkout-service.yaml; got ${targets.map((t) => t.uri.toString()).join(', ')}`,
    );
    const nameLine = lineOf(await readWorkspaceFile('manifests/checkout-service.yaml'), /^\s+name: checkout-service/);
    assert.ok(
      inManifest.some((t) => t.range.start.line <= nameLine && t.range.end.line >= nameLine),
      `the definition should cover the Deployment's name (line ${nameLine + 1}); got ${inManifest.map((t) => fmtRange(t.range)).join(', ')}`,
    );
  });

  it('quick fix on the typo replaces it and the diagnostic goes away', async () => {
    const typo = rangeIn(doc.getText(), 'cart-servce');
    const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      typo,
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = (actions ?? []).map((a) => a.title);
    // A Command has a string `command`; a CodeAction has an optional Command object there.
    const isCodeAction = (a: vscode.CodeAction | vscode.Command): a is vscode.CodeAction =>
      typeof a.command !== 'string';
    const fix = (actions ?? []).filter(isCodeAction).find((a) => /cart-service/.test(a.title));
    assert.ok(fix, `a quick fix mentioning cart-service expected; got: ${titles.join(' | ') || '(none)'}`);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" is not a quickfix`);
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit), `the edit of "${fix.title}" was not applied`);
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.ok(fix.edit || fix.command, `"${fix.title}" has neither an edit nor a command`);

    await waitForText(
      doc,
      (t) => t.includes('from: [cart-service, checkout-service]'),
      'the quick fix to edit the plan',
    );
    const after = await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').length === 0,
      'plan/unknown-workload to go after the quick fix',
    );
    assert.equal(withCode(after, 'plan/unknown-workload').length, 0, describeDiagnostics(after));

    // Put the typo back for whatever runs next (the workspace is a temporary copy anyway).
    await replaceInDocument(doc, 'cart-service, checkout', 'cart-servce, checkout');
    await waitForDiagnostics(doc.uri, (d) => withCode(d, 'plan/unknown-workload').length > 0, 'the typo back');
  });
});
