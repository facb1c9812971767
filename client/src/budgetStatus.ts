import * as vscode from 'vscode';
import { COMMANDS } from '../../server/src/protocol/commands';
import { ReportRequest } from '../../server/src/protocol/messages';
import { worstShare } from '../../server/src/engine/report/view/figures';
import type { Ctx } from './ctx';
import { PLAN_LANGUAGE } from './ctx';

/**
 * The status bar item of the active plan: its worst share of a budget (requests, pods, extended
 * resources, in any state); a click opens the budget view.
 */
export class BudgetStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('consolidation.budget', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];
  private plan: vscode.Uri | undefined;
  private commandPlan: string | undefined;
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'Consolidation Budget';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
    ];
    this.follow();
  }

  /** Follows the active editor: a plan shows its figure, another text editor hides the item; a webview keeps it. */
  private follow(): void {
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.languageId === PLAN_LANGUAGE && editor.document.uri.scheme === 'file') {
      this.plan = editor.document.uri;
      this.schedule();
    } else if (editor) {
      this.plan = undefined;
      this.item.hide();
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), 30);
  }

  private async update(): Promise<void> {
    const plan = this.plan;
    const client = this.ctx.languageClient;
    if (!plan || !client) return;
    const generation = ++this.generation;
    const result = await client.sendRequest(ReportRequest, { uri: plan.toString() }).catch(() => null);
    if (generation !== this.generation || plan !== this.plan) return;
    const worst = result ? worstShare(result.json) : undefined;
    // Set only when the plan changes: each new command object with arguments replaces VS Code's
    // internal delegate for it, and a click on the item as drawn just before fails ("Actual command not found").
    if (this.commandPlan !== plan.toString()) {
      this.item.command = { title: 'Show Budget', command: COMMANDS.showBudget, arguments: [plan] };
      this.commandPlan = plan.toString();
    }
    if (!worst) {
      this.item.text = '$(graph) Budget';
      this.item.tooltip = 'This plan sets no budget. Click to show its figures.';
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(graph) ${worst.share} ${worst.metric}`;
      this.item.tooltip = `Worst budget share: ${worst.metric} ${worst.state}, ${worst.share} of the budget. Click to show the budget view.`;
      this.item.backgroundColor =
        worst.milliPercent > 100_000 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    this.item.accessibilityInformation = { label: `Consolidation budget: ${this.item.tooltip}` };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
