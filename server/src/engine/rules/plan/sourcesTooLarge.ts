import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  if (bytes < MIB) return `${(bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`;
  return `${(bytes / MIB).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;
}

/** One finding, on the glob where a plan's sources reach their limit: what was read, what was not. */
export const sourcesTooLarge: Rule<PlanContext> = {
  code: 'plan/sources-too-large',
  defaultSeverity: 'error',
  where: 'plan: the glob where a limit is reached',
  description: "The plan's sources are over the limit in files or bytes; the files past it are not read.",
  check({ sourceProblems = [] }, addFinding) {
    for (const problem of sourceProblems) {
      if (problem.kind !== 'limit') continue;
      const { limits, files, bytes, unread } = problem;
      const overFiles = files + 1 > limits.maxFiles;
      const limit = overFiles ? `${limits.maxFiles.toLocaleString('en-US')} files` : `${mib(limits.maxBytes)}`;
      const what =
        unread === undefined
          ? 'it matches more files than can be listed; they are not read'
          : `${unread.toLocaleString('en-US')} file${unread === 1 ? '' : 's'} it matches ${unread === 1 ? 'is' : 'are'} not read`;
      addFinding({
        message:
          `The plan's sources reach their limit of ${limit} at "${problem.source.pattern}": ${what}, nor any later source. ` +
          `Read: ${files.toLocaleString('en-US')} files, ${mib(bytes)}; findings past this point are incomplete. ` +
          'Narrow the globs, or raise the limit: consolidation.sources.maxFiles and consolidation.sources.maxSizeMb in the editor, --max-source-files and --max-source-size-mb on the command line.',
        location: problem.source.location,
      });
    }
  },
};
