import * as path from 'node:path';
import type { FileHost } from '../engine/workspace/fileHost';
import { kindOf, type PathKind } from '../engine/workspace/resultCache';
import { isPlanFile } from '../engine/workspace/consolidationWorkspace';
import { UsageError } from './usageError';

/**
 * Plans and YAML manifests named by the command line: files as given, folders searched. `kind` says what
 * a path is (a recording host's, when the run's result is cached).
 */
export function discoverInputs(
  host: FileHost,
  inputs: string[],
  cwd: string,
  kind: (file: string) => PathKind = kindOf,
): { plans: string[]; manifests: string[] } {
  const plans = new Set<string>();
  const manifests = new Set<string>();
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const found = kind(absolute);
    if (found === 'missing') throw new UsageError(`${input}: no such file or folder`);
    if (found === 'folder') {
      for (const file of host.glob(absolute, ['**/*.yaml', '**/*.yml']))
        (isPlanFile(file) ? plans : manifests).add(file);
    } else {
      (isPlanFile(absolute) ? plans : manifests).add(absolute);
    }
  }
  return { plans: [...plans].sort(), manifests: [...manifests].sort() };
}
