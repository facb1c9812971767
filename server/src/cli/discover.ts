import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileHost } from '../engine/workspace/fileHost';
import { isPlanFile } from '../engine/workspace/consolidationWorkspace';

export class UsageError extends Error {}

/** Plans and YAML manifests named by the command line: files as given, folders searched. */
export function discoverInputs(host: FileHost, inputs: string[], cwd: string): { plans: string[]; manifests: string[] } {
  const plans = new Set<string>();
  const manifests = new Set<string>();
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new UsageError(`${input}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const file of host.glob(absolute, ['**/*.yaml', '**/*.yml'])) (isPlanFile(file) ? plans : manifests).add(file);
    } else {
      (isPlanFile(absolute) ? plans : manifests).add(absolute);
    }
  }
  return { plans: [...plans].sort(), manifests: [...manifests].sort() };
}
