import * as path from 'node:path';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { ToolRenderer } from '../tools/toolRenderer';
import { toolTimeoutSeconds } from './toolFlags';

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
