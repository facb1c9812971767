// "Show Budget Report": one read-only report document per plan, refreshed in place when shown again
// and when the plan is edited (no untitled copies that ask to be saved).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openPlan, replaceInDocument, waitForText } from './helpers';

const SCHEME = 'consolidation-report';

function reportDocuments(): vscode.TextDocument[] {
  return vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SCHEME);
}

describe('budget report', () => {
  it('opens one report document per plan, refreshed when shown again and when the plan changes', async () => {
    const { doc } = await openPlan();
    await vscode.commands.executeCommand('consolidation.showReport', doc.uri);
    const [report, ...others] = reportDocuments();
    assert.ok(
      report,
      `no ${SCHEME}: document after Show Budget Report; open: ${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')}`,
    );
    assert.equal(others.length, 0);
    assert.equal(report.languageId, 'markdown');
    const text = report.getText();
    assert.match(text, /^# Budget report: shop\.plan\.yaml/);
    assert.match(text, /Budget: cpu 2, memory 1Gi, 20 pods/);
    assert.match(text, /^state\s+workloads\s+pods\s+jobs\s+cpu req/m);
    assert.match(text, /^merge-backend\s/m);

    await vscode.commands.executeCommand('consolidation.showReport', doc.uri);
    assert.equal(reportDocuments().length, 1, 'showing the report again must reuse its document');

    await replaceInDocument(doc, 'pods: 20}', 'pods: 40}');
    try {
      await waitForText(
        report,
        (t) => t.includes('Budget: cpu 2, memory 1Gi, 40 pods'),
        'the report to follow the edited budget',
      );
    } finally {
      await replaceInDocument(doc, 'pods: 40}', 'pods: 20}');
    }
    await waitForText(
      report,
      (t) => t.includes('Budget: cpu 2, memory 1Gi, 20 pods'),
      'the report to follow the edit back',
    );
    if (doc.isDirty) await doc.save();
  });
});
