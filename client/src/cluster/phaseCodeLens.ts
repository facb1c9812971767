import * as vscode from 'vscode';
import { readPlan } from '../../../server/src/engine/plan/readPlan';

/** Above each phase of a plan: Preview · Apply · Roll Back (trusted workspaces only). */
export class PhaseCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('consolidation.codeLens.enabled')) this.changed.fire();
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || !vscode.workspace.getConfiguration('consolidation').get<boolean>('codeLens.enabled', true)) return [];
    let phases;
    try {
      phases = readPlan(document.uri.fsPath, document.getText()).phases;
    } catch {
      return [];
    }
    const lenses: vscode.CodeLens[] = [];
    for (const phase of phases) {
      if (!phase.name || phase.remove.length + phase.scale.length + phase.resize.length + phase.merge.length === 0) continue;
      const at = document.positionAt(phase.nameLocation.range.start);
      const range = new vscode.Range(at, at);
      const args = [document.uri, phase.name];
      lenses.push(
        new vscode.CodeLens(range, { title: '$(eye) Preview', tooltip: `Dry-run phase ${phase.name} on the cluster and show the diff`, command: 'consolidation.previewPhase', arguments: args }),
        new vscode.CodeLens(range, { title: '$(cloud-upload) Apply', tooltip: `Apply phase ${phase.name} to the cluster (asks first)`, command: 'consolidation.applyPhase', arguments: args }),
        new vscode.CodeLens(range, { title: '$(history) Roll Back', tooltip: `Restore what applying phase ${phase.name} recorded`, command: 'consolidation.rollbackPhase', arguments: args }),
      );
    }
    return lenses;
  }
}
