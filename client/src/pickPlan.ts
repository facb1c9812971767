import * as vscode from 'vscode';
import { ListPlansRequest, PlanSummaryRequest, type PlanSummary } from '../../server/src/protocol/messages';
import type { CtxInit } from './ctx';
import { PLAN_LANGUAGE } from './ctx';

/** Asks for a plan when the command was not given one: the active plan editor, else a quick pick. */
export async function pickPlan(ctx: CtxInit, given: unknown): Promise<vscode.Uri | undefined> {
  if (typeof given === 'string') return given.includes('://') ? vscode.Uri.parse(given) : vscode.Uri.file(given);
  if (given instanceof vscode.Uri) return given;
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === PLAN_LANGUAGE) return active.uri;
  const plans = await ctx.languageClient.sendRequest(ListPlansRequest, {});
  if (plans.length === 0) {
    void vscode.window.showInformationMessage('No consolidation plan (*.plan.yaml) in this workspace.');
    return undefined;
  }
  if (plans.length === 1) return vscode.Uri.parse(plans[0].uri);
  const picked = await vscode.window.showQuickPick(
    plans.map((p) => ({
      label: p.name ?? vscode.workspace.asRelativePath(vscode.Uri.parse(p.uri)),
      description: vscode.workspace.asRelativePath(vscode.Uri.parse(p.uri)),
      uri: p.uri,
    })),
    { placeHolder: 'Which plan?' },
  );
  return picked && vscode.Uri.parse(picked.uri);
}

/** The plan's phases as the server reads them (the extension never parses a plan); null when it is not one. */
export async function planSummary(ctx: CtxInit, uri: vscode.Uri): Promise<PlanSummary | null> {
  return ctx.languageClient.sendRequest(PlanSummaryRequest, { uri: uri.toString() });
}
