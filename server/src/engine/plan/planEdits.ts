import type { OffsetRange } from '../model/location';
import type { MergeSpec, WorkloadRef } from './types';

/** A change to the plan's text, computed where the plan's structure is known. */
export interface TextChange {
  range: OffsetRange;
  newText: string;
}

/** Adds `key: value` to a merge, in its own style (flow `{...}` or block). */
export function setMergeKey(text: string, merge: MergeSpec, key: string, value: string): TextChange {
  const { start, end } = merge.location.range;
  const body = text.slice(start, end);
  if (body.startsWith('{')) {
    const close = start + body.lastIndexOf('}');
    return { range: { start: close, end: close }, newText: `, ${key}: ${value}` };
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = ' '.repeat(start - lineStart);
  const contentEnd = start + body.replace(/\s+$/, '').length;
  return { range: { start: contentEnd, end: contentEnd }, newText: `\n${indent}${key}: ${value}` };
}

/** Removes one reference from a `from:`/`remove:` list, flow or block. */
export function removeListItem(text: string, ref: WorkloadRef): TextChange {
  const { start, end } = ref.location.range;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndIndex = text.indexOf('\n', end);
  const lineEnd = lineEndIndex === -1 ? text.length : lineEndIndex;
  if (/^\s*-\s*$/.test(text.slice(lineStart, start)) && /^\s*(#.*)?$/.test(text.slice(end, lineEnd))) {
    return { range: { start: lineStart, end: lineEndIndex === -1 ? lineEnd : lineEnd + 1 }, newText: '' };
  }
  const after = /^\s*,\s*/.exec(text.slice(end));
  if (after) return { range: { start, end: end + after[0].length }, newText: '' };
  const before = /,\s*$/.exec(text.slice(0, start));
  return { range: { start: before ? start - before[0].length : start, end }, newText: '' };
}

/** The flat form findings carry in their fix data. */
export function asChange(change: TextChange): { start: number; end: number; newText: string } {
  return { start: change.range.start, end: change.range.end, newText: change.newText };
}

/** Replaces one list item by several, in the list's style: `[ab, c]` → `[a, b, c]`, or one `- item` line each. */
export function replaceListItem(text: string, ref: WorkloadRef, items: string[]): TextChange {
  const { start, end } = ref.location.range;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const prefix = text.slice(lineStart, start);
  const block = /^\s*-\s*$/.test(prefix);
  return { range: { start, end }, newText: items.join(block ? `\n${prefix}` : ', ') };
}

/**
 * Removes one `key: value` entry of a mapping, flow (`{a: 1, b: 2}`) or block (its line). When it is the mapping's
 * only entry (`onlyEntry`), a block mapping becomes `{}` rather than nothing (`scale:` alone would be null).
 */
export function removeMapEntry(text: string, key: OffsetRange, value: OffsetRange, onlyEntry = false): TextChange {
  const start = key.start;
  const end = Math.max(key.end, value.end);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndIndex = text.indexOf('\n', end);
  const lineEnd = lineEndIndex === -1 ? text.length : lineEndIndex;
  if (/^\s*$/.test(text.slice(lineStart, start)) && /^\s*(#.*)?$/.test(text.slice(end, lineEnd))) {
    const parentEnd = lineStart - 1;
    if (
      onlyEntry &&
      parentEnd > 0 &&
      /:[ \t]*$/.test(text.slice(text.lastIndexOf('\n', parentEnd - 1) + 1, parentEnd))
    ) {
      const colon = text.lastIndexOf(':', parentEnd) + 1;
      return { range: { start: colon, end: lineEnd }, newText: ' {}' };
    }
    return { range: { start: lineStart, end: lineEndIndex === -1 ? lineEnd : lineEnd + 1 }, newText: '' };
  }
  const after = /^\s*,\s*/.exec(text.slice(end));
  if (after) return { range: { start, end: end + after[0].length }, newText: '' };
  const before = /,\s*$/.exec(text.slice(0, start));
  return { range: { start: before ? start - before[0].length : start, end }, newText: '' };
}
