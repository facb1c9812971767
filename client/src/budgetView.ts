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
import { renderPage, renderReportBody, VSCODE_THEME_CSS } from '../../server/src/engine/report/view/page';
import { renderCompactChart } from '../../server/src/engine/report/view/compactChart';
import { esc } from '../../server/src/engine/report/view/svg';
import type { Ctx } from './ctx';
import { PLAN_LANGUAGE } from './ctx';

/** The side bar's compact view (contributed under the Explorer). */
export const BUDGET_SIDEBAR_VIEW = 'consolidation.budgetSidebar';

/** After an edit of a plan or manifest, how long to wait for more typing before asking for the report. */
const EDIT_SETTLE_MS = 60;

/**
 * The budget view: one webview panel per plan with the same pictures as `consolidate report
 * --format html`, and a compact chart of the active plan in the side bar; both redrawn in place when
 * the server publishes new diagnostics or a plan or manifest changes. A panel survives being hidden
 * (the page keeps its state with setState and asks for content again) and VS Code restarting (the
 * panel serializer).
 */
export class BudgetViews implements vscode.Disposable, vscode.WebviewViewProvider {
  private readonly panels = new Map<string, BudgetPage>();
  private sidebar: BudgetPage | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private editTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {
    // The extension runs only where there are plans: the side bar view may show.
    void vscode.commands.executeCommand('setContext', 'consolidation.hasPlans', true);
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
      vscode.window.registerWebviewViewProvider(BUDGET_SIDEBAR_VIEW, this),
      // The server publishes diagnostics after it has taken in an edit: the report is then current.
      vscode.languages.onDidChangeDiagnostics(() => this.refreshAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || !/\.(ya?ml|env)$/i.test(e.document.uri.path)) return;
        if (this.editTimer) clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => this.refreshAll(), EDIT_SETTLE_MS);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor?.document.languageId === PLAN_LANGUAGE && editor.document.uri.scheme === 'file')
          this.sidebar?.setPlan(editor.document.uri);
      }),
    ];
  }

  /** Opens (or brings forward) the view of a plan, beside the active editor. */
  show(plan: vscode.Uri): void {
    const existing = this.panels.get(plan.toString());
    if (existing?.panel) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      BUDGET_VIEW_TYPE,
      titleOf(plan),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(),
    );
    this.adopt(panel, plan);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = webviewOptions();
    const active = vscode.window.activeTextEditor?.document;
    const plan = active?.languageId === PLAN_LANGUAGE ? active.uri : undefined;
    const page = new BudgetPage(this.ctx, view.webview, plan, 'compact', () => vscode.ViewColumn.Active);
    this.sidebar = page;
    view.onDidDispose(() => {
      if (this.sidebar === page) this.sidebar = undefined;
      page.dispose();
    });
  }

  private adopt(panel: vscode.WebviewPanel, plan: vscode.Uri): void {
    panel.webview.options = webviewOptions();
    panel.title = titleOf(plan);
    const page = new BudgetPage(this.ctx, panel.webview, plan, 'full', () => {
      const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === plan.toString());
      return (
        shown?.viewColumn ??
        (panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One)
      );
    });
    page.panel = panel;
    this.panels.set(plan.toString(), page);
    panel.onDidDispose(() => {
      this.panels.delete(plan.toString());
      page.dispose();
    });
  }

  private refreshAll(): void {
    for (const page of this.panels.values()) page.refresh();
    this.sidebar?.refresh();
  }

  dispose(): void {
    if (this.editTimer) clearTimeout(this.editTimer);
    for (const s of this.subscriptions) s.dispose();
    for (const page of [...this.panels.values()]) page.panel?.dispose();
  }
}

function titleOf(plan: vscode.Uri): string {
  return `Budget: ${path.posix.basename(plan.path).replace(/\.plan\.ya?ml$/i, '')}`;
}

function webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  // Nothing is loaded from anywhere: no local resource roots, scripts only with the page's nonce.
  return { enableScripts: true, localResourceRoots: [], enableFindWidget: true };
}

/** One webview showing one plan's pictures: the page, its messages, its redraws. */
class BudgetPage {
  panel: vscode.WebviewPanel | undefined;
  private body: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly webview: vscode.Webview,
    private plan: vscode.Uri | undefined,
    private readonly layout: 'full' | 'compact',
    private readonly revealColumn: () => vscode.ViewColumn,
  ) {
    const nonce = randomBytes(16).toString('base64');
    webview.html = renderPage({
      title: plan ? titleOf(plan) : 'Budget',
      csp: `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${webview.cspSource} data:`,
      themeCss: VSCODE_THEME_CSS + (layout === 'compact' ? COMPACT_CSS : ''),
      nonceAttribute: ` nonce="${nonce}"`,
      body: plan ? '<p aria-busy="true">Reading the plan…</p>' : NO_PLAN,
    });
    this.subscriptions.push(webview.onDidReceiveMessage((message: BudgetViewToExtension) => this.receive(message)));
  }

  setPlan(plan: vscode.Uri): void {
    if (this.plan?.toString() === plan.toString()) return;
    this.plan = plan;
    this.refresh();
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
    const plan = this.plan;
    if (!client || !plan) return;
    const result = await client.sendRequest(ReportRequest, { uri: plan.toString() });
    const body = result
      ? this.layout === 'full'
        ? renderReportBody(result.json)
        : `<p class="muted">${esc(vscode.workspace.asRelativePath(plan))}</p>${renderCompactChart(result.json)}`
      : `<p>${esc(vscode.workspace.asRelativePath(plan))} could not be read as a plan.</p>`;
    if (body === this.body || plan !== this.plan) return;
    this.body = body;
    const message: ExtensionToBudgetView = { type: 'update', planUri: plan.toString(), body };
    await this.webview.postMessage(message);
  }

  /** Opens a file of the report (relative to the plan's folder) at a 0-based line. */
  private async reveal(file: string, line: number): Promise<void> {
    if (!this.plan || typeof file !== 'string' || !Number.isInteger(line) || line < 0) return;
    const target = vscode.Uri.file(path.resolve(path.dirname(this.plan.fsPath), file));
    const position = new vscode.Position(line, 0);
    const editor = await vscode.window.showTextDocument(target, {
      viewColumn: this.revealColumn(),
      selection: new vscode.Range(position, position),
      preview: true,
    });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

const NO_PLAN = '<p class="muted">Open a consolidation plan (*.plan.yaml) to see its budget.</p>';

/** The side bar is narrow: smaller margins, the chart scaled to its width. */
const COMPACT_CSS = 'body{padding:4px 8px}svg.chart{width:100%;height:auto;max-width:420px}';
