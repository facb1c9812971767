import * as vscode from 'vscode';
import { COMMANDS } from '../../../server/src/protocol/commands';
import { Config } from '../config';
import type { Ctx } from '../ctx';
import { planSummary } from '../pickPlan';

/**
 * Above each phase of a plan: Preview · Apply · Roll Back (trusted workspaces only). The phases and
 * their ranges come from the language server (PlanSummaryRequest): the extension never parses a plan.
 */
export class PhaseCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Config.affectsCodeLens(e)) this.changed.fire();
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted || !this.ctx.config.codeLensEnabled) return [];
    const ctx = await this.ctx.ready().catch(() => undefined);
    if (!ctx) return [];
    const summary = await planSummary(ctx, document.uri).catch(() => null);
    const lenses: vscode.CodeLens[] = [];
    for (const phase of summary?.phases ?? []) {
      if (!phase.name || phase.removes + phase.scales + phase.resizes + phase.merges.length === 0) continue;
      const at = ctx.languageClient.protocol2CodeConverter.asPosition(phase.nameRange.start);
      const range = new vscode.Range(at, at);
      const args = [document.uri, phase.name];
      lenses.push(
        new vscode.CodeLens(range, {
          title: '$(eye) Preview',
          tooltip: `Dry-run phase ${phase.name} on the cluster and show the diff`,
          command: COMMANDS.previewPhase,
          arguments: args,
        }),
        new vscode.CodeLens(range, {
          title: '$(cloud-upload) Apply',
          tooltip: `Apply phase ${phase.name} to the cluster (asks first)`,
          command: COMMANDS.applyPhase,
          arguments: args,
        }),
        new vscode.CodeLens(range, {
          title: '$(history) Roll Back',
          tooltip: `Restore what applying phase ${phase.name} recorded`,
          command: COMMANDS.rollbackPhase,
          arguments: args,
        }),
      );
    }
    return lenses;
  }
}
