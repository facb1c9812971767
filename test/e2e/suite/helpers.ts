// Helpers for the extension integration tests (run inside VS Code's extension host).
// Waits are on VS Code events with a timeout, never on sleeps.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'consolidation-dev.consolidation-plans';
export const LANGUAGE_ID = 'consolidation-plan';
export const PLAN = 'shop.plan.yaml';
export const UNOPENED_MANIFEST = 'manifests/payment-service.yaml';
/** How long a diagnostic may take to appear or go (the first one includes starting the server). */
export const DIAGNOSTICS_TIMEOUT_MS = Number(process.env.E2E_DIAGNOSTICS_TIMEOUT_MS ?? 20_000);

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the folder test/workspaces/e2e open (none is)');
  return folder.uri;
}

export function fileUri(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

export async function openPlan(): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument(fileUri(PLAN));
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor };
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function withCode(diags: readonly vscode.Diagnostic[], code: string): vscode.Diagnostic[] {
  return diags.filter((d) => codeOf(d) === code);
}

export function describeDiagnostics(diags: readonly vscode.Diagnostic[]): string {
  if (diags.length === 0) return '(none)';
  return diags
    .map((d) => `  ${codeOf(d)} ${fmtRange(d.range)} ${vscode.DiagnosticSeverity[d.severity]}: ${d.message}`)
    .join('\n');
}

export function fmtRange(r: vscode.Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

/**
 * Resolves with the diagnostics of `uri` once `predicate` holds for them: checks now, then on every
 * onDidChangeDiagnostics event for that URI. Rejects after `timeoutMs`, showing what there was.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diags: readonly vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = DIAGNOSTICS_TIMEOUT_MS,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    const done = (): boolean => {
      const diags = vscode.languages.getDiagnostics(uri);
      if (!predicate(diags)) return false;
      cleanup();
      resolve(diags);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === key)) done();
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what} on ${vscode.workspace.asRelativePath(uri)}; ` +
            `its diagnostics:\n${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`,
        ),
      );
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      subscription.dispose();
    }
    done();
  });
}

/** Resolves once the document's text satisfies `predicate` (on onDidChangeTextDocument). */
export function waitForText(
  doc: vscode.TextDocument,
  predicate: (text: string) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate(doc.getText())) return resolve();
    const subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === doc.uri.toString() && predicate(e.document.getText())) {
        cleanup();
        resolve();
      }
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; text:\n${doc.getText()}`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      subscription.dispose();
    }
  });
}

/** The range of the `occurrence`-th (0-based) `needle` in `text`. */
export function rangeIn(text: string, needle: string, occurrence = 0): vscode.Range {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    assert.ok(index >= 0, `the test file lost its text "${needle}" (occurrence ${occurrence})`);
  }
  return new vscode.Range(positionAt(text, index), positionAt(text, index + needle.length));
}

/** The range of `needle` on the first line that matches `lineRe`. */
export function rangeOnLine(text: string, lineRe: RegExp, needle: string): vscode.Range {
  const lines = text.split(/\r?\n/);
  const line = lines.findIndex((l) => lineRe.test(l));
  assert.ok(line >= 0, `the test file has no line matching ${lineRe}`);
  const character = lines[line]!.indexOf(needle);
  assert.ok(character >= 0, `line ${line + 1} has no "${needle}"`);
  return new vscode.Range(line, character, line, character + needle.length);
}

export function lineOf(text: string, lineRe: RegExp): number {
  const line = text.split(/\r?\n/).findIndex((l) => lineRe.test(l));
  assert.ok(line >= 0, `the test file has no line matching ${lineRe}`);
  return line;
}

function positionAt(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return new vscode.Position(line, offset - (before.lastIndexOf('\n') + 1));
}

export async function readWorkspaceFile(relative: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(fileUri(relative)));
}

/** Replaces `from` with `to` in the document through a WorkspaceEdit. */
export async function replaceInDocument(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, rangeIn(doc.getText(), from), to);
  assert.ok(await vscode.workspace.applyEdit(edit), `the WorkspaceEdit "${from}" -> "${to}" was not applied`);
}

/** Plain text of hover contents (MarkdownString, MarkedString or string). */
export function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))
    .join('\n');
}

export function completionLabel(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

export function assertRangeEqual(actual: vscode.Range, expected: vscode.Range, what: string): void {
  assert.ok(actual.isEqual(expected), `${what}: range ${fmtRange(actual)}, expected ${fmtRange(expected)}`);
}

/** The text of a file on disk (through the workspace file system), or undefined when it does not exist. */
export async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}

/**
 * Resolves with the file's text on disk (undefined: no such file) once `predicate` holds for it:
 * checks now, on every file-system watcher event for that path, and every 250 ms as a fallback
 * (a watcher may miss an event on a loaded machine). Rejects after `timeoutMs` with what was there.
 */
export function waitForFile(
  uri: vscode.Uri,
  predicate: (text: string | undefined) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let last: string | undefined | Error;
    let settled = false;
    let checking = false;
    const check = async () => {
      if (settled || checking) return;
      checking = true;
      try {
        last = await readIfExists(uri);
        if (!settled && predicate(last)) {
          cleanup();
          resolve(last);
        }
      } catch (err) {
        last = err as Error;
      } finally {
        checking = false;
      }
    };
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const watcher = vscode.workspace.createFileSystemWatcher(
      folder ? new vscode.RelativePattern(folder, vscode.workspace.asRelativePath(uri, false)) : uri.fsPath,
    );
    watcher.onDidCreate(() => void check());
    watcher.onDidChange(() => void check());
    watcher.onDidDelete(() => void check());
    const poll = setInterval(() => void check(), 250);
    const timer = setTimeout(() => {
      cleanup();
      const shown =
        last === undefined ? '(no such file)' : last instanceof Error ? `(error: ${last.message})` : `text:\n${last}`;
      reject(
        new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what} (${vscode.workspace.asRelativePath(uri)}); ${shown}`,
        ),
      );
    }, timeoutMs);
    function cleanup() {
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher.dispose();
    }
    void check();
  });
}

/** Resolves once `event` fires with a value for which `predicate` holds; rejects after `timeoutMs`. */
export function waitForEvent<T>(
  event: vscode.Event<T>,
  predicate: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const subscription = event((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
    }, timeoutMs);
  });
}

/** Rejects with `message` after `ms` unless `promise` settles first. */
export function within<T>(promise: Thenable<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(promise),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} (not within ${ms / 1000} s)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A CodeAction (not a plain Command) among what executeCodeActionProvider returned. */
export function isCodeAction(a: vscode.CodeAction | vscode.Command): a is vscode.CodeAction {
  return typeof a.command !== 'string';
}
