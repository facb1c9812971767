import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver-types';
import { namespaceOf } from '../engine/budget/resolve';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { describeList } from './describe';
import { cursorContext } from './planCursor';
import { toRange } from './positions';

/** Workload names where the plan expects a workload reference. */
export function completion(workspace: ConsolidationWorkspace, planFile: string, offset: number): CompletionItem[] {
  const text = workspace.text(planFile);
  const result = workspace.plan(planFile);
  if (text === undefined || !result) return [];
  const context = cursorContext(text, offset);
  if (context.kind === 'other') return [];
  const range = toRange(workspace, planFile, { start: context.replaceStart, end: offset });
  const names = new Map<string, number>();
  for (const w of result.workloads) names.set(w.name, (names.get(w.name) ?? 0) + 1);
  const items: CompletionItem[] = [];
  const current = result.analysis.states[0];
  for (const entry of current.workloads) {
    const w = entry.workload;
    const label = names.get(w.name)! > 1 ? `${namespaceOf(w, result.plan.namespace)}/${w.name}` : w.name;
    const insert = context.kind === 'workload-key' ? `${label}: ` : label;
    items.push({
      label,
      kind: CompletionItemKind.Module,
      detail: `${w.kind} · ${entry.pods} pod${entry.pods === 1 ? '' : 's'} · requests ${describeList(entry.perPod.requests)}`,
      textEdit: { range, newText: insert },
      filterText: label,
      sortText: label,
    });
  }
  for (const phase of result.plan.phases) {
    for (const merge of phase.merge) {
      if (!merge.name) continue;
      items.push({
        label: merge.name,
        kind: CompletionItemKind.Module,
        detail: `merged in phase ${phase.name} (${merge.strategy})`,
        textEdit: { range, newText: context.kind === 'workload-key' ? `${merge.name}: ` : merge.name },
        sortText: `~${merge.name}`,
      });
    }
  }
  return items;
}
