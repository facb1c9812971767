import * as vscode from 'vscode';
import { ReportRequest } from '../../server/src/protocol/messages';
import type { Ctx } from './ctx';

export const REPORT_SCHEME = 'consolidation-report';
const REFRESH_DELAY_MS = 400;

/**
 * One read-only Markdown document per plan with its budget report: showing it again refreshes the
 * same document (no untitled copies asking to be saved), and while it is open it follows edits to
 * the plan and its manifests.
 */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscriptions: vscode.Disposable[];
  private refreshTimer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === 'file' && /\.ya?ml$/i.test(e.document.uri.path)) this.scheduleRefresh();
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === REPORT_SCHEME) this.texts.delete(doc.uri.toString());
      }),
    ];
  }

  /** The report document of a plan: `consolidation-report:/<plan> budget report.md?<plan uri>`. */
  static uriFor(plan: vscode.Uri): vscode.Uri {
    const name = plan.path
      .split('/')
      .pop()!
      .replace(/\.plan\.ya?ml$/i, '');
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name} budget report.md`, query: plan.toString() });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      '# Budget report\n\nNot available: run *Consolidation: Show Budget Report* again.\n'
    );
  }

  /** Asks the server for the plan's report; the document's URI, or undefined when the plan cannot be read. */
  async load(plan: vscode.Uri): Promise<vscode.Uri | undefined> {
    const uri = ReportDocuments.uriFor(plan);
    return (await this.refresh(uri)) ? uri : undefined;
  }

  private async refresh(uri: vscode.Uri): Promise<boolean> {
    const client = this.ctx.languageClient;
    if (!client) return false;
    const report = await client.sendRequest(ReportRequest, { uri: uri.query });
    if (!report) return false;
    const text = `# Budget report: ${vscode.workspace.asRelativePath(vscode.Uri.parse(uri.query))}\n\n\`\`\`\n${report.text}\`\`\`\n`;
    if (this.texts.get(uri.toString()) !== text) {
      this.texts.set(uri.toString(), text);
      this.changed.fire(uri);
    }
    return true;
  }

  private scheduleRefresh(): void {
    if (this.texts.size === 0) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      for (const key of [...this.texts.keys()]) {
        this.refresh(vscode.Uri.parse(key)).catch((error) =>
          this.ctx.output.warn(`budget report not refreshed: ${(error as Error).message}`),
        );
      }
    }, REFRESH_DELAY_MS);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}
