import * as vscode from 'vscode';
import type { PreviewEntry } from '../../../server/src/cluster/preview';

export const LIVE_SCHEME = 'consolidation-live';
export const RESULT_SCHEME = 'consolidation-result';

/**
 * Read-only documents for the preview's diff editors: `consolidation-live:` holds the live object,
 * `consolidation-result:` what the API server returned for the dry run. Each preview gets its own
 * id, so reopening an older diff shows what it showed.
 */
export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private nextId = 1;
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      '# This preview is no longer available: run Consolidation: Preview Phase again.\n'
    );
  }

  /** The pair of documents of each entry: [live, result]. */
  add(entries: PreviewEntry[]): { entry: PreviewEntry; live: vscode.Uri; result: vscode.Uri }[] {
    const id = this.nextId++;
    return entries.map((entry) => {
      const file = `/${entry.ref.namespace ?? '_'}/${entry.ref.kind}/${entry.ref.name}.yaml`;
      const live = vscode.Uri.from({ scheme: LIVE_SCHEME, path: file, query: `preview=${id}` });
      const result = vscode.Uri.from({ scheme: RESULT_SCHEME, path: file, query: `preview=${id}` });
      // A created object is diffed against an empty document: every line shows as added.
      this.texts.set(live.toString(), entry.live ? entry.liveYaml : '');
      this.texts.set(result.toString(), entry.resultYaml);
      return { entry, live, result };
    });
  }

  dispose(): void {
    this.texts.clear();
    this.changed.dispose();
  }
}
