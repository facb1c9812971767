import * as path from 'node:path';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { UsageError } from './usageError';

/** `-` on the command line: rendered YAML on standard input (`helm template ... | consolidate check -`). */
export const STDIN_ARG = '-';
/** Findings on standard input are shown under this name. */
export const STDIN_NAME = '<stdin>';
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    if (bytes > MAX_STDIN_BYTES)
      throw new UsageError(`standard input is over ${MAX_STDIN_BYTES / 1024 / 1024} MiB: not read`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Puts standard input into the workspace as an in-memory file `<cwd>/<stdin>`; returns its path. */
export function stdinFile(workspace: ConsolidationWorkspace, cwd: string, text: string): string {
  const file = path.join(cwd, STDIN_NAME);
  workspace.setOverlay(file, text);
  return file;
}

/** A plan with no phases over standard input: what `report -` reports (the current state). */
export function stdinPlan(workspace: ConsolidationWorkspace, cwd: string, text: string): string {
  stdinFile(workspace, cwd, text);
  const plan = path.join(cwd, `${STDIN_NAME}.plan.yaml`);
  workspace.setOverlay(
    plan,
    [
      'apiVersion: consolidation.dev/v1alpha1',
      'kind: ConsolidationPlan',
      'metadata:',
      '  name: stdin',
      'spec:',
      '  sources:',
      `    - "${STDIN_NAME}"`,
      '  phases: []',
      '',
    ].join('\n'),
  );
  return plan;
}
