import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic } from 'vscode-languageserver-types';
import type { FixData } from '../engine/rules/types';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

/** Quick fixes chosen by the diagnostic's code and its typed data, never by its message. */
export function quickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !isFixData(diagnostic.data)) continue;
    const data = diagnostic.data;
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
  const d = data as Partial<FixData> & { replacement?: unknown; replacements?: unknown };
  return (d.fix === 'replace' && typeof d.replacement === 'string') || (d.fix === 'choose' && Array.isArray(d.replacements));
}
