import type { CodeLens } from 'vscode-languageserver-types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { summarizeState } from './describe';
import { toRange } from './positions';
import { COMMANDS } from '../protocol/commands';
import { usageOfState } from '../engine/usage/lookup';

export const SHOW_REPORT_COMMAND = COMMANDS.showReport;

/** Above the budget and above each phase: the state's totals and share of the budget. */
export function codeLenses(workspace: ConsolidationWorkspace, planFile: string): CodeLens[] {
  const result = workspace.plan(planFile);
  if (!result) return [];
  const { plan, analysis } = result;
  const lenses: CodeLens[] = [];
  const lens = (range: { start: number; end: number }, title: string): CodeLens => ({
    range: toRange(workspace, planFile, range),
    command: { title, command: SHOW_REPORT_COMMAND, arguments: [planFile] },
  });
  // A source rendered for the first time: no totals yet, rather than totals that read as zero.
  const rendering = result.renderProblems?.filter((p) => p.reason === 'pending') ?? [];
  if (rendering.length > 0) {
    const title = `totals wait for ${rendering.length === 1 ? 'a source' : `${rendering.length} sources`} being rendered…`;
    lenses.push(lens(plan.budget?.location.range ?? plan.location.range, `current: ${title}`));
    plan.phases.forEach((phase, i) =>
      lenses.push(lens(phase.location.range, `after ${phase.name || `phase ${i + 1}`}: ${title}`)),
    );
    return lenses;
  }
  lenses.push(
    lens(
      plan.budget?.location.range ?? plan.location.range,
      `current: ${summarizeState(analysis.states[0], plan.budget, usageOfState(result.usage, analysis.states[0]))}`,
    ),
  );
  plan.phases.forEach((phase, i) => {
    lenses.push(
      lens(
        phase.location.range,
        `after ${phase.name || `phase ${i + 1}`}: ${summarizeState(analysis.states[i + 1], plan.budget, usageOfState(result.usage, analysis.states[i + 1]))}`,
      ),
    );
  });
  return lenses;
}
