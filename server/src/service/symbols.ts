import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { toRange } from './positions';

/** Phases, and in each its merges and steps. */
export function documentSymbols(workspace: ConsolidationWorkspace, planFile: string): DocumentSymbol[] {
  const plan = workspace.planModel(planFile);
  if (!plan) return [];
  const r = (range: { start: number; end: number }) => toRange(workspace, planFile, range);
  const symbols: DocumentSymbol[] = [];
  if (plan.budget)
    symbols.push({
      name: 'budget',
      kind: SymbolKind.Object,
      range: r(plan.budget.location.range),
      selectionRange: r(plan.budget.location.range),
    });
  for (const phase of plan.phases) {
    const children: DocumentSymbol[] = [
      ...phase.merge.map((m) => ({
        name: m.name || '(unnamed merge)',
        detail: `${m.strategy} merge of ${m.from.length}`,
        kind: SymbolKind.Class,
        range: r(m.location.range),
        selectionRange: r(m.nameLocation.range),
      })),
      ...phase.remove.map((ref) => ({
        name: ref.text,
        detail: 'remove',
        kind: SymbolKind.Field,
        range: r(ref.location.range),
        selectionRange: r(ref.location.range),
      })),
      ...phase.scale.map((s) => ({
        name: s.ref.text,
        detail: `scale to ${s.replicas}`,
        kind: SymbolKind.Field,
        range: r(s.ref.location.range),
        selectionRange: r(s.ref.location.range),
      })),
      ...phase.resize.map((s) => ({
        name: s.ref.text,
        detail: 'resize',
        kind: SymbolKind.Field,
        range: r(s.ref.location.range),
        selectionRange: r(s.ref.location.range),
      })),
    ];
    symbols.push({
      name: phase.name || '(unnamed phase)',
      detail: 'phase',
      kind: SymbolKind.Namespace,
      range: r(phase.location.range),
      selectionRange: r(phase.nameLocation.range),
      children,
    });
  }
  return symbols;
}
