import type { Range } from 'vscode-languageserver-types';
import type { OffsetRange } from '../engine/model/location';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';

/** LSP range of an offset range in a file the workspace knows. */
export function toRange(workspace: ConsolidationWorkspace, file: string, range: OffsetRange): Range {
  const lines = workspace.lineIndex(file);
  if (!lines) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { start: lines.positionAt(range.start), end: lines.positionAt(range.end) };
}

export function contains(range: OffsetRange, offset: number): boolean {
  return offset >= range.start && offset <= range.end;
}
