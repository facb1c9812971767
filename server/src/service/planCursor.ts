/**
 * Where the cursor is in a plan, read from the text around it rather than from a parse tree: while
 * the user types, the line is usually incomplete YAML.
 */
export type CursorContext =
  | { kind: 'workload-list'; key: 'from' | 'remove'; prefix: string; replaceStart: number }
  | { kind: 'workload-key'; key: 'scale' | 'resize'; prefix: string; replaceStart: number }
  | { kind: 'other' };

const LIST_KEYS = ['from', 'remove'] as const;
const MAP_KEYS = ['scale', 'resize'] as const;

export function cursorContext(text: string, offset: number): CursorContext {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);

  const flow = /^\s*(?:-\s+)?(from|remove)\s*:\s*\[([^\]]*)$/.exec(before);
  if (flow) {
    const prefix = /[^\s,[]*$/.exec(flow[2])?.[0] ?? '';
    return { kind: 'workload-list', key: flow[1] as 'from' | 'remove', prefix, replaceStart: offset - prefix.length };
  }
  const item = /^(\s*)-\s*([^\s:#]*)$/.exec(before);
  if (item) {
    const parent = parentKey(text, lineStart, item[1].length, true);
    if ((LIST_KEYS as readonly string[]).includes(parent ?? '')) {
      return {
        kind: 'workload-list',
        key: parent as 'from' | 'remove',
        prefix: item[2],
        replaceStart: offset - item[2].length,
      };
    }
  }
  const key = /^(\s+)([^\s:#-][^\s:#]*|)$/.exec(before);
  if (key) {
    const parent = parentKey(text, lineStart, key[1].length, false);
    if ((MAP_KEYS as readonly string[]).includes(parent ?? '')) {
      return {
        kind: 'workload-key',
        key: parent as 'scale' | 'resize',
        prefix: key[2],
        replaceStart: offset - key[2].length,
      };
    }
  }
  return { kind: 'other' };
}

/** The key of the nearest earlier line indented less (or equally, for a `- ` item under its key). */
function parentKey(text: string, lineStart: number, indent: number, sameIndentAllowed: boolean): string | undefined {
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    if (/^\s*(#|$)/.test(line)) continue;
    const lineIndent = /^\s*/.exec(line)![0].length;
    const isItem = /^\s*-\s/.test(line);
    if (lineIndent < indent || (sameIndentAllowed && lineIndent === indent && !isItem)) {
      const match = /^\s*(?:-\s+)?([A-Za-z0-9_./-]+)\s*:\s*(#.*)?$/.exec(line);
      return match?.[1];
    }
    if (start === 0) break;
  }
  return undefined;
}
