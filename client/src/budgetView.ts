import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  BUDGET_VIEW_TYPE,
  ReportRequest,
  type BudgetViewState,
  type BudgetViewToExtension,
  type ExtensionToBudgetView,
} from '../../server/src/protocol/messages';
import type { PlanReport } from '../../server/src/engine/report/report';
import { renderPage, renderReportBody, VSCODE_THEME_CSS } from '../../server/src/engine/report/view/page';
import type { Ctx } from './ctx';

/** After an edit of a plan or manifest, how long to wait for more typing before asking for the report. */
const EDIT_SETTLE_MS = 60;

/**
 * The budget view: one webview panel per plan with the same pictures as `consolidate report
 * --format html`, redrawn in place when the server publishes new diagnostics or a plan or manifest
 * changes. It survives being hidden (the page keeps its state with setState and asks for content
 * again) and VS Code restarting (the panel serializer).
 */
export class BudgetViews implements vscode.Disposable {
  private readonly panels = new Map<string, BudgetPanel>();
  private readonly subscriptions: vscode.Disposable[];
  private editTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(BUDGET_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: BudgetViewState | undefined) => {
          if (!state?.planUri) {
            panel.dispose();
            return;
          }
          this.adopt(panel, vscode.Uri.parse(state.planUri));
        },
      }),
      // The server publishes diagnostics after it has taken in an edit: the report is then current.
      vscode.languages.onDidChangeDiagnostics(() => this.refreshAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panels.size === 0 || e.contentChanges.length === 0 || !/\.(ya?ml|env)$/i.test(e.document.uri.path)) return;
        if (this.editTimer) clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => this.refreshAll(), EDIT_SETTLE_MS);
      }),
    ];
  }

  /** Opens (or brings forward) the view of a plan, beside the active editor. */
  show(plan: vscode.Uri): void {
    const existing = this.panels.get(plan.toString());
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(BUDGET_VIEW_TYPE, titleOf(plan), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions());
    this.adopt(panel, plan);
  }

  /** The open panel of a plan, for tests and the status bar. */
  has(plan: vscode.Uri): boolean {
    return this.panels.has(plan.toString());
  }

  private adopt(panel: vscode.WebviewPanel, plan: vscode.Uri): void {
    panel.webview.options = webviewOptions();
    panel.title = titleOf(plan);
    const view = new BudgetPanel(this.ctx, panel, plan);
    this.panels.set(plan.toString(), view);
    panel.onDidDispose(() => {
      this.panels.delete(plan.toString());
      view.dispose();
    });
  }

  private refreshAll(): void {
    for (const view of this.panels.values()) view.refresh();
  }

  dispose(): void {
    if (this.editTimer) clearTimeout(this.editTimer);
    for (const s of this.subscriptions) s.dispose();
    for (const view of [...this.panels.values()]) view.panel.dispose();
  }
}

function titleOf(plan: vscode.Uri): string {
  return `Budget: ${path.posix.basename(plan.path).replace(/\.plan\.ya?ml$/i, '')}`;
}

function webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  // Nothing is loaded from anywhere: no local resource roots, scripts only with the page's nonce.
  return { enableScripts: true, localResourceRoots: [], enableFindWidget: true };
}

class BudgetPanel {
  private body: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    private readonly plan: vscode.Uri,
  ) {
    const nonce = randomBytes(16).toString('base64');
    const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${panel.webview.cspSource} data:`;
    panel.webview.html = renderPage({
      title: titleOf(plan),
      csp,
      themeCss: VSCODE_THEME_CSS,
      nonceAttribute: ` nonce="${nonce}"`,
      body: '<p aria-busy="true">Reading the plan…</p>',
    });
    this.subscriptions.push(panel.webview.onDidReceiveMessage((message: BudgetViewToExtension) => this.receive(message)));
  }

  private receive(message: BudgetViewToExtension): void {
    switch (message?.type) {
      case 'ready':
        // A new page (first load, or shown again): it has no content yet.
        this.body = undefined;
        this.refresh();
        return;
      case 'reveal':
        void this.reveal(message.file, message.line);
        return;
    }
  }

  /** Asks the server for the report and redraws if it changed; calls during a request run once more after it. */
  refresh(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.load()
      .catch((error) => this.ctx.output.warn(`budget view not refreshed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  private async load(): Promise<void> {
    const client = this.ctx.languageClient;
    if (!client) return;
    const result = await client.sendRequest(ReportRequest, { uri: this.plan.toString() });
    const body = result ? renderReportBody(result.json as PlanReport) : `<p>${vscode.workspace.asRelativePath(this.plan)} could not be read as a plan.</p>`;
    if (body === this.body) return;
    this.body = body;
    const message: ExtensionToBudgetView = { type: 'update', planUri: this.plan.toString(), body };
    await this.panel.webview.postMessage(message);
  }

  /** Opens a file of the report (relative to the plan's folder) at a 0-based line, beside the view. */
  private async reveal(file: string, line: number): Promise<void> {
    if (typeof file !== 'string' || !Number.isInteger(line) || line < 0) return;
    const target = vscode.Uri.file(path.resolve(path.dirname(this.plan.fsPath), file));
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.plan.toString());
    const column = shown?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const position = new vscode.Position(line, 0);
    const editor = await vscode.window.showTextDocument(target, { viewColumn: column, selection: new vscode.Range(position, position), preview: true });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
