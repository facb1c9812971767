import * as path from 'node:path';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { DEFAULT_TIMEOUT_MS, ToolRenderer } from '../tools/toolRenderer';
import { UsageError } from './discover';

/** Flags of the commands that read a plan's Kustomize and Helm sources. */
export const TOOL_FLAGS = {
  kustomize: { type: 'string' },
  helm: { type: 'string' },
  'tool-timeout': { type: 'string' },
} as const;

export const TOOL_USAGE = `      --kustomize PATH           Kustomize tool for {kustomize: DIR} sources (default: kustomize, else kubectl)
      --helm PATH                Helm tool for {helm: ...} sources (default: helm)
      --tool-timeout SECONDS     Stop a render after this long (default 60)`;

/** --tool-timeout in seconds (a usage error when it is not a positive number). */
export function toolTimeoutSeconds(values: Record<string, unknown>): number {
  const timeout = values['tool-timeout'] === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(values['tool-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--tool-timeout must be a positive number of seconds, not "${values['tool-timeout']}"`);
  return timeout;
}

/**
 * The command line renders with the user's tools (it is the user running it); a source may read
 * only inside the workspace roots (the current folder, or --workspace), or inside the plan's folder
 * when the plan is elsewhere, as plain globs may. Resolves when the plans' sources are rendered.
 */
export async function useTools(
  workspace: ConsolidationWorkspace,
  values: Record<string, unknown>,
  workspaceRoots: readonly string[],
  plans: string[],
): Promise<void> {
  const timeout = toolTimeoutSeconds(values);
  const renderer = new ToolRenderer({
    kustomize: values.kustomize as string | undefined,
    helm: values.helm as string | undefined,
    timeoutMs: timeout * 1000,
  });
  const inside = (root: string, file: string) => {
    const relative = path.relative(root, file);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  };
  const outside = (file: string) => !workspaceRoots.some((root) => inside(root, file));
  const roots = [...workspaceRoots, ...plans.filter(outside).map((p) => path.dirname(p))];
  workspace.setSourceRenderer(renderer, () => roots);
  await workspace.renderSourcesOf(plans.filter((plan) => workspace.text(plan) !== undefined));
}
