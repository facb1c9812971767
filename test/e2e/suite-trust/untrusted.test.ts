// Restricted Mode (an untrusted workspace), run by test/e2e/run-trust.ts in a code-server with
// workspace trust on: the plan is still checked, and the commands that talk to a cluster are
// disabled. They are declared with `"enablement": "isWorkspaceTrusted"` (which hides them from the
// palette, checked by run-trust.ts's UI steps); executing one anyway (as an extension or a
// keybinding could) must do nothing. KUBECONFIG (set by run-trust.ts) names a kubeconfig whose
// user has an exec credential plugin that creates E2E_EXEC_MARKER: a command that got as far as
// talking to the cluster would run it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  UNOPENED_MANIFEST,
  describeDiagnostics,
  fileUri,
  openPlan,
  waitForDiagnostics,
  within,
  withCode,
} from '../suite/helpers';

/** The cluster commands and the arguments a person's click would give them (plan, phase). */
const CLUSTER_COMMANDS: Array<{ id: string; args: () => unknown[] }> = [
  { id: 'consolidation.previewPhase', args: () => [fileUri('shop.plan.yaml'), 'merge-backend'] },
  { id: 'consolidation.applyPhase', args: () => [fileUri('shop.plan.yaml'), 'merge-backend'] },
  { id: 'consolidation.rollbackPhase', args: () => [fileUri('shop.plan.yaml'), 'merge-backend'] },
  { id: 'consolidation.importClusterState', args: () => [] },
  { id: 'consolidation.selectContext', args: () => [] },
];

interface ContributedCommand {
  command: string;
  title?: string;
  enablement?: string;
}

function contributedCommands(): ContributedCommand[] {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  return (extension.packageJSON?.contributes?.commands ?? []) as ContributedCommand[];
}

function execMarker(): string {
  const marker = process.env.E2E_EXEC_MARKER;
  assert.ok(marker, 'E2E_EXEC_MARKER is not set (run this suite with test/e2e/run-trust.ts)');
  return marker;
}

describe('untrusted workspace (Restricted Mode)', () => {
  it('the folder is open in Restricted Mode (vscode.workspace.isTrusted is false)', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'premise of this suite: the workspace must not be trusted');
  });

  it('the extension activates and still diagnoses the plan and an unopened manifest', async () => {
    const { doc } = await openPlan();
    const diags = await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').length > 0 && withCode(d, 'budget/requests-exceeded').length > 0,
      'plan/unknown-workload and budget/requests-exceeded in Restricted Mode',
    );
    assert.match(withCode(diags, 'plan/unknown-workload')[0]!.message, /cart-servce/, describeDiagnostics(diags));
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true, 'the extension is active');
    await waitForDiagnostics(
      fileUri(UNOPENED_MANIFEST),
      (d) => withCode(d, 'manifest/invalid-quantity').length > 0,
      'manifest/invalid-quantity in Restricted Mode',
    );
  });

  for (const { id, args } of CLUSTER_COMMANDS) {
    it(`${id} is declared with enablement isWorkspaceTrusted, and executing it in Restricted Mode does nothing`, async () => {
      // Not contributed: the palette cannot hide it and this test would prove nothing. Fail.
      const commands = contributedCommands();
      const contributed = commands.find((c) => c.command === id);
      assert.ok(
        contributed,
        `${id} is not contributed in package.json (contributes.commands has: ${commands.map((c) => c.command).join(', ') || 'none'})`,
      );
      assert.match(
        contributed.enablement ?? '(no enablement)',
        /\bisWorkspaceTrusted\b/,
        `${id}'s "enablement" must need isWorkspaceTrusted`,
      );
      assert.equal(vscode.workspace.isTrusted, false, 'premise: the workspace is not trusted');
      const registered = await vscode.commands.getCommands(true);
      assert.ok(registered.includes(id), `${id} is contributed but the extension did not register it`);

      // In a trusted workspace each of these waits for the person (a quick pick, an input box, a
      // modal confirmation) or for the cluster; in Restricted Mode it must return at once.
      let outcome = 'returned';
      try {
        await within(
          vscode.commands.executeCommand(id, ...args()),
          15_000,
          `${id} returned (it seems to wait for a choice or a cluster: it ran)`,
        );
      } catch (err) {
        if (/returned \(it seems/.test((err as Error).message)) throw err;
        outcome = `was refused: ${(err as Error).message}`;
      }
      assert.equal(
        fs.existsSync(execMarker()),
        false,
        `${id} ${outcome}, but the kubeconfig's exec credential plugin ran: the command talked to the cluster`,
      );
    });
  }
});
