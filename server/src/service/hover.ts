import * as path from 'node:path';
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { describeWorkload, summarizeState } from './describe';
import { findAt } from './findAt';

export function hover(workspace: ConsolidationWorkspace, planFile: string, offset: number): Hover | undefined {
  const result = workspace.plan(planFile);
  if (!result) return undefined;
  const target = findAt(result, offset);
  if (!target) return undefined;
  const planDir = path.dirname(planFile);
  let value: string | undefined;
  switch (target.kind) {
    case 'reference': {
      const r = target.fact.resolution;
      if (target.state) value = describeWorkload(workspace, target.state, planDir);
      if (r.status === 'gone') value = `${value ?? ''}\n\nAlready ${r.gone.how === 'removed' ? 'removed' : `merged into ${r.gone.into}`} in phase ${r.gone.phase}.`;
      if (r.status === 'same-phase') value = `Created by merge **${r.merge.name}** of this phase (from ${r.merge.from.map((f) => f.text).join(', ')}): it exists from the next phase on.`;
      break;
    }
    case 'merge':
      if (target.state) value = `${describeWorkload(workspace, target.state, planDir)}\n\nAfter phase ${target.phase.name}.`;
      break;
    case 'phase':
      value = `**After phase ${target.phase.name}**\n\n${summarizeState(target.state, result.plan.budget)}`;
      break;
    case 'budget':
      value = `**Current state**\n\n${summarizeState(target.state, result.plan.budget)}`;
      break;
  }
  return value ? { contents: { kind: MarkupKind.Markdown, value: value.trim() } } : undefined;
}
