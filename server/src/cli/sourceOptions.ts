import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SOURCE_MAX_FILES, DEFAULT_SOURCE_MAX_MB } from '../engine/files/fileSize';
import type { WorkspaceOptions } from '../engine/workspace/consolidationWorkspace';
import { UsageError } from './usageError';

/** The parseArgs options every command that reads a plan's sources takes. */
export const SOURCE_OPTIONS = {
  workspace: { type: 'string' },
  'max-source-files': { type: 'string' },
  'max-source-size-mb': { type: 'string' },
} as const;

export const SOURCE_USAGE = `      --workspace DIR            Sources must stay inside DIR (default: the current folder; a plan outside it: its own folder); --workspace / lifts it
      --max-source-files N       A plan's sources read at most N files (default ${DEFAULT_SOURCE_MAX_FILES})
      --max-source-size-mb N     ... and at most N MiB (default ${DEFAULT_SOURCE_MAX_MB})`;

/** Where a plan's sources may be read from, and how much of them, from the command line. */
export function sourceOptions(
  values: Record<string, unknown>,
  cwd: string,
): Pick<WorkspaceOptions, 'sourceRoots' | 'sourceLimits'> {
  const workspace = values.workspace as string | undefined;
  const root = path.resolve(cwd, workspace ?? '.');
  if (workspace !== undefined && !isFolder(root)) throw new UsageError(`--workspace ${workspace}: no such folder`);
  return {
    sourceRoots: [root],
    sourceLimits: {
      maxFiles: positive(values['max-source-files'], '--max-source-files', DEFAULT_SOURCE_MAX_FILES, 1),
      maxBytes: positive(
        values['max-source-size-mb'],
        '--max-source-size-mb',
        DEFAULT_SOURCE_MAX_MB * 1024 * 1024,
        1024 * 1024,
      ),
    },
  };
}

function positive(value: unknown, flag: string, fallback: number, unit: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not "${String(value)}"`);
  return Math.floor(n * unit);
}

function isFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
