import * as vscode from 'vscode';
import { GenerateRequest, ListPlansRequest, OPEN_FILE_COMMAND } from '../../server/src/protocol/messages';
import { registerClusterCommands } from './cluster/clusterCommands';
import type { Ctx } from './ctx';
import { pickPlan } from './pickPlan';
import { REPORT_SCHEME, ReportDocuments } from './reportDocuments';
import { BudgetViews } from './budgetView';
import { BudgetStatus } from './budgetStatus';

export function registerCommands(ctx: Ctx): void {
  registerClusterCommands(ctx);
  const reports = new ReportDocuments(ctx);
  const budgetViews = new BudgetViews(ctx);
  ctx.push(
    reports,
    budgetViews,
    new BudgetStatus(ctx),
    vscode.commands.registerCommand('consolidation.showBudget', async (plan?: unknown) => {
      const uri = await pickPlan(ctx, plan);
      if (uri) budgetViews.show(uri);
    }),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.commands.registerCommand('consolidation.showReport', async (plan?: unknown) => {
      const uri = await pickPlan(ctx, plan);
      if (!uri || !ctx.languageClient) return;
      const report = await reports.load(uri);
      if (!report) {
        void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(uri)} could not be read as a plan.`);
        return;
      }
      const document = await vscode.workspace.openTextDocument(report);
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand(OPEN_FILE_COMMAND, async (uri: string) => {
      await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: false });
    }),
    vscode.commands.registerCommand('consolidation.generateMergedManifests', async (plan?: unknown) => generateFromPalette(ctx, plan)),
    vscode.commands.registerCommand('consolidation.restartServer', async () => {
      await ctx.restart();
      void vscode.window.setStatusBarMessage('Consolidation language server restarted', 3000);
    }),
  );
}

/** The palette form of the code action: pick a plan and a phase, then apply the server's edit. */
async function generateFromPalette(ctx: Ctx, given: unknown): Promise<void> {
  const uri = await pickPlan(ctx, given);
  const client = ctx.languageClient;
  if (!uri || !client) return;
  const plans = await client.sendRequest(ListPlansRequest, {});
  const phases = plans.find((p) => p.uri === uri.toString() || vscode.Uri.parse(p.uri).fsPath === uri.fsPath)?.phases.filter((p) => p.merges.length > 0) ?? [];
  if (phases.length === 0) {
    void vscode.window.showInformationMessage('This plan has no merges to generate.');
    return;
  }
  const phase = phases.length === 1 ? phases[0] : (await vscode.window.showQuickPick(phases.map((p) => ({ label: p.name, description: p.merges.join(', '), phase: p }))))?.phase;
  if (!phase) return;
  const result = await client.sendRequest(GenerateRequest, { planUri: uri.toString(), phase: phase.name });
  if ('reason' in result) {
    void vscode.window.showErrorMessage(`Not generated: ${result.reason}`);
    return;
  }
  // As a refactoring, so VS Code saves the files as it does for the light bulb's action.
  await vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(result.edit), { isRefactoring: true });
  await vscode.window.showTextDocument(vscode.Uri.parse(result.open), { preview: false });
}
