import type { Finding } from '../engine/rules/types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { flattenParts } from '../engine/workspace/diagnose';
import { relative, type PositionedFinding } from './findingsOutput';

/** The findings of a run, with line and column positions and paths relative to `cwd`, in file and line order. */
export function positionFindings(
  workspace: ConsolidationWorkspace,
  byFile: Map<string, Finding[][]>,
  cwd: string,
): PositionedFinding[] {
  const out: PositionedFinding[] = [];
  for (const [file, parts] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lines = workspace.lineIndex(file);
    for (const f of flattenParts(parts)) {
      out.push({
        file: relative(cwd, file),
        range: {
          start: lines?.positionAt(f.location.range.start) ?? { line: 0, character: 0 },
          end: lines?.positionAt(f.location.range.end) ?? { line: 0, character: 0 },
        },
        severity: f.severity,
        code: f.code,
        message: f.message,
      });
    }
  }
  return out.sort((a, b) =>
    a.file < b.file
      ? -1
      : a.file > b.file
        ? 1
        : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}
