import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic, type Position } from 'vscode-languageserver-types';
import type { FixData } from '../engine/rules/types';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

/** Quick fixes chosen by the diagnostic's code and its typed data, never by its message. */
export function quickFixes(
  uri: string,
  diagnostics: Diagnostic[],
  positionAt: (offset: number) => Position,
): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !isFixData(diagnostic.data)) continue;
    const data = diagnostic.data;
    if (data.fix === 'edits') {
      for (const action of data.actions) {
        actions.push({
          title: action.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: {
            changes: {
              [uri]: action.changes.map((c) =>
                TextEdit.replace({ start: positionAt(c.start), end: positionAt(c.end) }, c.newText),
              ),
            },
          },
        });
      }
      continue;
    }
    const replacements = data.fix === 'replace' ? [data.replacement] : data.replacements;
    for (const replacement of replacements) {
      actions.push({
        title: data.fix === 'replace' ? data.title : `${data.title} ${replacement}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: replacements.length === 1,
        edit: { changes: { [uri]: [TextEdit.replace(diagnostic.range, replacement)] } },
      });
    }
  }
  return actions;
}

function isFixData(data: unknown): data is FixData {
  if (!data || typeof data !== 'object') return false;
  const d = data as { fix?: unknown; replacement?: unknown; replacements?: unknown; actions?: unknown };
  return (
    (d.fix === 'replace' && typeof d.replacement === 'string') ||
    (d.fix === 'choose' && Array.isArray(d.replacements)) ||
    (d.fix === 'edits' && Array.isArray(d.actions))
  );
}
