// Activation and diagnostics: the extension activates on a plan, diagnoses the plan and the
// manifests it references (also the ones nobody opened), and follows edits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  LANGUAGE_ID,
  PLAN,
  UNOPENED_MANIFEST,
  assertRangeEqual,
  describeDiagnostics,
  fileUri,
  openPlan,
  rangeIn,
  rangeOnLine,
  readWorkspaceFile,
  replaceInDocument,
  waitForDiagnostics,
  withCode,
} from './helpers';

describe('activation and diagnostics', () => {
  it('activates on opening shop.plan.yaml (language consolidation-plan)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(
      extension,
      `extension ${EXTENSION_ID} is not loaded; loaded: ${vscode.extensions.all
        .filter((e) => !e.id.startsWith('vscode.'))
        .map((e) => e.id)
        .join(', ')}`,
    );
    const { doc } = await openPlan();
    assert.equal(doc.languageId, LANGUAGE_ID, `${PLAN} opened as "${doc.languageId}"`);
    // Diagnostics can only come from the extension: once the plan has some, it is active.
    await waitForDiagnostics(doc.uri, (d) => d.length > 0, 'the first diagnostics of the plan');
    assert.equal(extension.isActive, true, 'diagnostics arrived but the extension is not active');
  });

  it('reports the misspelt workload and the exceeded memory budget on the plan', async () => {
    const { doc } = await openPlan();
    const text = doc.getText();
    const typo = rangeIn(text, 'cart-servce');
    const budgetKey = rangeOnLine(text, /^\s*budget:/, 'budget');
    const diags = await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').length > 0 && withCode(d, 'budget/requests-exceeded').length > 0,
      'plan/unknown-workload and budget/requests-exceeded',
    );
    const unknown = withCode(diags, 'plan/unknown-workload');
    assert.equal(unknown.length, 1, `one unknown workload expected:\n${describeDiagnostics(diags)}`);
    assertRangeEqual(unknown[0]!.range, typo, 'plan/unknown-workload');
    assert.equal(unknown[0]!.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unknown[0]!.message, /cart-servce/);
    assert.match(unknown[0]!.message, /cart-service/, 'the message suggests the right name (did you mean)');

    const exceeded = withCode(diags, 'budget/requests-exceeded').filter((d) => /memory/i.test(d.message));
    assert.ok(exceeded.length > 0, `a memory budget/requests-exceeded expected:\n${describeDiagnostics(diags)}`);
    assert.ok(
      exceeded.some((d) => d.range.start.line === budgetKey.start.line && d.range.intersection(budgetKey)),
      `budget/requests-exceeded (memory) should be on the budget key ${budgetKey.start.line + 1}:` +
        `${budgetKey.start.character + 1}:\n${describeDiagnostics(exceeded)}`,
    );
  });

  it('reports the invalid quantity 512mb in a manifest nobody opened', async () => {
    const uri = fileUri(UNOPENED_MANIFEST);
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()),
      `premise: ${UNOPENED_MANIFEST} must not be open in the editor`,
    );
    const value = rangeOnLine(await readWorkspaceFile(UNOPENED_MANIFEST), /^\s*memory:\s*512mb/, '512mb');
    const diags = await waitForDiagnostics(
      uri,
      (d) => withCode(d, 'manifest/invalid-quantity').length > 0,
      'manifest/invalid-quantity',
    );
    const invalid = withCode(diags, 'manifest/invalid-quantity');
    assert.equal(invalid.length, 1, `one invalid quantity expected:\n${describeDiagnostics(diags)}`);
    assertRangeEqual(invalid[0]!.range, value, 'manifest/invalid-quantity');
  });

  it('updates the diagnostics when the plan is edited (typo fixed, then back)', async () => {
    const { doc } = await openPlan();
    await replaceInDocument(doc, 'cart-servce', 'cart-service');
    const fixed = await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').length === 0,
      'plan/unknown-workload to go after the fix',
    );
    assert.ok(
      withCode(fixed, 'budget/requests-exceeded').length > 0,
      `the budget is still exceeded after the fix:\n${describeDiagnostics(fixed)}`,
    );

    await replaceInDocument(doc, 'cart-service, checkout', 'cart-servce, checkout');
    const typo = rangeIn(doc.getText(), 'cart-servce');
    await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').some((x) => x.range.isEqual(typo)),
      'plan/unknown-workload to come back with the typo',
    );
  });
});
