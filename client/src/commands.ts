import * as vscode from 'vscode';
import { GENERATE_KIND, ListPlansRequest, OPEN_FILE_COMMAND, ReportRequest } from '../../server/src/protocol/messages';
import { registerClusterCommands } from './cluster/clusterCommands';
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
  registerClusterCommands(ctx);
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
  const at = new vscode.Position(phase.nameRange.start.line, phase.nameRange.start.character);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(at, at), GENERATE_KIND, 1);
  const action = actions?.find((a) => a.title.includes(`phase ${phase.name}`));
  if (!action) {
    void vscode.window.showWarningMessage(`Could not generate the manifests of phase ${phase.name}.`);
    return;
  }
  if (action.disabled) {
    void vscode.window.showErrorMessage(`Not generated: ${action.disabled.reason}`);
    return;
  }
  if (action.edit) await vscode.workspace.applyEdit(action.edit);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}
