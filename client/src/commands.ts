import * as vscode from 'vscode';
import { ListPlansRequest, ReportRequest } from '../../server/src/protocol/messages';
import type { Ctx } from './ctx';
import { PLAN_LANGUAGE } from './ctx';

/** Asks for a plan when the command was not given one: the active plan editor, else a quick pick. */
async function pickPlan(ctx: Ctx, given: unknown): Promise<vscode.Uri | undefined> {
  if (typeof given === 'string') return given.includes('://') ? vscode.Uri.parse(given) : vscode.Uri.file(given);
  if (given instanceof vscode.Uri) return given;
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === PLAN_LANGUAGE) return active.uri;
  const plans = (await ctx.languageClient?.sendRequest(ListPlansRequest, {})) ?? [];
  if (plans.length === 0) {
    void vscode.window.showInformationMessage('No consolidation plan (*.plan.yaml) in this workspace.');
    return undefined;
  }
  if (plans.length === 1) return vscode.Uri.parse(plans[0].uri);
  const picked = await vscode.window.showQuickPick(
    plans.map((p) => ({ label: p.name ?? vscode.workspace.asRelativePath(vscode.Uri.parse(p.uri)), description: vscode.workspace.asRelativePath(vscode.Uri.parse(p.uri)), uri: p.uri })),
    { placeHolder: 'Which plan?' },
  );
  return picked && vscode.Uri.parse(picked.uri);
}

export function registerCommands(ctx: Ctx): void {
  ctx.push(
    vscode.commands.registerCommand('consolidation.showReport', async (plan?: unknown) => {
      const uri = await pickPlan(ctx, plan);
      if (!uri || !ctx.languageClient) return;
      const report = await ctx.languageClient.sendRequest(ReportRequest, { uri: uri.toString() });
      if (!report) {
        void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(uri)} could not be read as a plan.`);
        return;
      }
      const document = await vscode.workspace.openTextDocument({ content: `# Budget report\n\n\`\`\`\n${report.text}\`\`\`\n`, language: 'markdown' });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand('consolidation.restartServer', async () => {
      await ctx.restart();
      void vscode.window.setStatusBarMessage('Consolidation language server restarted', 3000);
    }),
  );
}
