import * as path from 'node:path';
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { describeWorkload, summarizeState } from './describe';
import { findAt } from './findAt';
import { usageOfState, usageOfWorkload } from '../engine/usage/lookup';

export function hover(workspace: ConsolidationWorkspace, planFile: string, offset: number): Hover | undefined {
  const result = workspace.plan(planFile);
  if (!result) return undefined;
  const target = findAt(result, offset);
  if (!target) return undefined;
  const planDir = path.dirname(planFile);
  // With a snapshot: the workload's usage, or null when the snapshot has none for it.
  const usageOf = (entry: Parameters<typeof usageOfWorkload>[1]) =>
    result.usage ? (usageOfWorkload(result.usage, entry) ?? null) : undefined;
  let value: string | undefined;
  switch (target.kind) {
    case 'reference': {
      const r = target.fact.resolution;
      if (target.state) value = describeWorkload(workspace, target.state, planDir, usageOf(target.state));
      if (r.status === 'gone')
        value = `${value ?? ''}\n\nAlready ${r.gone.how === 'removed' ? 'removed' : `merged into ${r.gone.into}`} in phase ${r.gone.phase}.`;
      if (r.status === 'same-phase')
        value = `Created by merge **${r.merge.name}** of this phase (from ${r.merge.from.map((f) => f.text).join(', ')}): it exists from the next phase on.`;
      break;
    }
    case 'merge':
      if (target.state)
        value = `${describeWorkload(workspace, target.state, planDir, usageOf(target.state))}\n\nAfter phase ${target.phase.name}.`;
      break;
    case 'phase':
      value = `**After phase ${target.phase.name}**\n\n${summarizeState(target.state, result.plan.budget, usageOfState(result.usage, target.state))}`;
      break;
    case 'budget':
      value = `**Current state**\n\n${summarizeState(target.state, result.plan.budget, usageOfState(result.usage, target.state))}`;
      break;
  }
  return value ? { contents: { kind: MarkupKind.Markdown, value: value.trim() } } : undefined;
}
