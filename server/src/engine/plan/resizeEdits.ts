import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { asMap, asSeq, get, keyText, rangeOf } from '../yaml/nodes';
import { parseYaml } from '../yaml/parse';
import type { TextChange } from './planEdits';
import type { PhaseSpec } from './types';

/** Keys to set: a string is a scalar to write, an object a mapping to set keys in. */
export interface KeyTree {
  [key: string]: string | KeyTree;
}

/**
 * Sets keys inside a phase, keeping everything else the user wrote: existing scalars named in the
 * tree are replaced, missing keys are added to their mapping in its style (flow `{...}` or block).
 * `{resize: {api: {requests: {cpu: '250m'}}}}` adds or updates one request of one workload.
 * Undefined when the plan's text does not have the phase where the model says it is.
 */
export function setInPhase(text: string, phase: PhaseSpec, tree: KeyTree): TextChange[] | undefined {
  const doc = parseYaml(text).documents[0];
  if (!doc) return undefined;
  const phases = asSeq(doc, get(doc, asMap(doc, get(doc, asMap(doc, doc.contents), 'spec')), 'phases'));
  const phaseMap = phases?.items
    .map((item) => asMap(doc, item))
    .find((m) => m && rangeOf(m)?.start === phase.location.range.start);
  if (!phaseMap) return undefined;
  const changes: TextChange[] = [];
  return setIn(doc, text, phaseMap, tree, changes) ? changes : undefined;
}

function setIn(
  doc: Document,
  text: string,
  map: YAMLMap<unknown, unknown>,
  tree: KeyTree,
  changes: TextChange[],
): boolean {
  const missing: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    const pair = map.items.find((p) => keyText(p.key) === key);
    if (!pair) {
      missing.push(`${yamlKey(key)}: ${flow(value)}`);
      continue;
    }
    const child = asMap(doc, pair.value);
    if (child && typeof value === 'object') {
      if (!setIn(doc, text, child, value, changes)) return false;
      continue;
    }
    const valueRange = rangeOf(pair.value as never);
    const empty =
      pair.value === null ||
      (isScalar(pair.value) && pair.value.value === null && (!valueRange || valueRange.end === valueRange.start));
    if (empty) {
      const keyRange = rangeOf(pair.key as never);
      if (!keyRange) return false;
      const colon = text.indexOf(':', keyRange.end);
      if (colon === -1) return false;
      changes.push({ range: { start: colon + 1, end: colon + 1 }, newText: ` ${flow(value)}` });
      continue;
    }
    // A scalar (or a value of another type) is replaced whole.
    if (!valueRange || isSeq(pair.value) || (isMap(pair.value) && typeof value === 'string')) return false;
    changes.push({
      range: { start: valueRange.start, end: trimmedEnd(text, valueRange.start, valueRange.end) },
      newText: flow(value),
    });
  }
  if (missing.length > 0) {
    const change = addEntries(text, map, missing);
    if (!change) return false;
    changes.push(change);
  }
  return true;
}

/** `{a: 1, b: {c: 2}}` for a tree, the text itself for a scalar. */
function flow(value: string | KeyTree): string {
  if (typeof value === 'string') return value;
  return `{${Object.entries(value)
    .map(([k, v]) => `${yamlKey(k)}: ${flow(v)}`)
    .join(', ')}}`;
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9][-A-Za-z0-9_./]*$/.test(key) ? key : JSON.stringify(key);
}

/** Adds entries to a mapping in its style: `, a: 1` before a flow map's `}`, or lines at its keys' indentation. */
function addEntries(text: string, map: YAMLMap<unknown, unknown>, entries: string[]): TextChange | undefined {
  const range = rangeOf(map);
  if (!range) return undefined;
  if (map.flow || text[range.start] === '{') {
    const close = text.lastIndexOf('}', range.end - 1);
    if (close < range.start) return undefined;
    const empty = text.slice(range.start + 1, close).trim() === '';
    return { range: { start: close, end: close }, newText: `${empty ? '' : ', '}${entries.join(', ')}` };
  }
  const firstKey = rangeOf(map.items[0]?.key as never)?.start ?? range.start;
  const lineStart = text.lastIndexOf('\n', firstKey - 1) + 1;
  const indent = ' '.repeat(firstKey - lineStart);
  const end = trimmedEnd(text, range.start, range.end);
  return { range: { start: end, end }, newText: entries.map((e) => `\n${indent}${e}`).join('') };
}

/** The end of the text in [start, end) without trailing blank lines and whole-line comments. */
function trimmedEnd(text: string, start: number, end: number): number {
  const slice = text.slice(start, end).replace(/(\n[ \t]*(#[^\n]*)?)*\s*$/, '');
  return start + slice.length;
}
