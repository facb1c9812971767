import {
  Alias,
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Node,
  Pair,
  Scalar,
  visit,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import type { OffsetRange } from '../model/location';

/** A YAML node as read from a document: aliases are resolved one level, never expanded recursively. */
export type YNode = Node;

const MERGE_KEY = '<<';

export function rangeOf(node: Node | null | undefined): OffsetRange | undefined {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

export function deref(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) {
    const target = resolveAlias(doc, node as Alias);
    return isAlias(target) ? undefined : target;
  }
  return (node ?? undefined) as Node | undefined;
}

const anchorIndex = new WeakMap<Document, Map<string, { start: number; node: Node }[]>>();

/**
 * The node an alias refers to: the last anchor of that name before it. `Alias.resolve` walks the
 * whole document on every call, which makes files with many `<<: *defaults` quadratic.
 */
function resolveAlias(doc: Document, alias: Alias): Node | undefined {
  let index = anchorIndex.get(doc);
  if (!index) {
    const built = new Map<string, { start: number; node: Node }[]>();
    visit(doc, (_key, node) => {
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
        const list = built.get(node.anchor) ?? [];
        list.push({ start: node.range?.[0] ?? 0, node });
        built.set(node.anchor, list);
      }
    });
    anchorIndex.set(doc, (index = built));
  }
  const at = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
  let found: Node | undefined;
  for (const candidate of index.get(alias.source) ?? []) if (candidate.start < at) found = candidate.node;
  return found;
}

export function asMap(doc: Document, node: unknown): YAMLMap<unknown, unknown> | undefined {
  const value = deref(doc, node);
  return isMap(value) ? value : undefined;
}

export function asSeq(doc: Document, node: unknown): YAMLSeq<unknown> | undefined {
  const value = deref(doc, node);
  return isSeq(value) ? value : undefined;
}

export function asScalar(doc: Document, node: unknown): Scalar | undefined {
  const value = deref(doc, node);
  return isScalar(value) ? value : undefined;
}

export function keyText(key: unknown): string | undefined {
  if (!isScalar(key) || key.value === null) return undefined;
  // With `merge: true` the parser gives the merge key a symbol value.
  if (typeof key.value === 'symbol') return MERGE_KEY;
  return String(key.value);
  return undefined;
}

/** The pairs of a mapping, including those brought in by `<<` merge keys (own keys win). */
const mergedPairs = new WeakMap<YAMLMap<unknown, unknown>, Pair<unknown, unknown>[]>();

export function pairsOf(doc: Document, map: YAMLMap<unknown, unknown>, depth = 0): Pair<unknown, unknown>[] {
  // Most mappings have no merge key: their pairs are their items (no copy, and no entry in the WeakMap,
  // which the garbage collector pays for on every mapping of every document).
  if (plainPairs(map)) return map.items;
  let pairs = mergedPairs.get(map);
  if (!pairs) {
    pairs = collectPairs(doc, map, depth);
    mergedPairs.set(map, pairs);
  }
  return pairs;
}

/** Whether every item is a pair and none is a merge key. */
function plainPairs(map: YAMLMap<unknown, unknown>): boolean {
  for (const item of map.items) if (!isPair(item) || keyText(item.key) === MERGE_KEY) return false;
  return true;
}

function collectPairs(doc: Document, map: YAMLMap<unknown, unknown>, depth: number): Pair<unknown, unknown>[] {
  const own: Pair<unknown, unknown>[] = [];
  const merged: Pair<unknown, unknown>[] = [];
  for (const item of map.items) {
    if (!isPair(item)) continue;
    if (keyText(item.key) === MERGE_KEY && depth < 8) {
      const sources = asSeq(doc, item.value)?.items ?? [item.value];
      for (const source of sources) {
        const sourceMap = asMap(doc, source);
        if (sourceMap) merged.push(...pairsOf(doc, sourceMap, depth + 1));
      }
    } else {
      own.push(item);
    }
  }
  if (merged.length === 0) return own;
  const ownKeys = new Set(own.map((pair) => keyText(pair.key)));
  return [...own, ...merged.filter((pair) => !ownKeys.has(keyText(pair.key)))];
}

export function getPair(
  doc: Document,
  map: YAMLMap<unknown, unknown> | undefined,
  key: string,
): Pair<unknown, unknown> | undefined {
  if (!map) return undefined;
  let merges = false;
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const text = keyText(item.key);
    if (text === key) return item;
    if (text === MERGE_KEY) merges = true;
  }
  return merges ? pairsOf(doc, map).find((pair) => keyText(pair.key) === key) : undefined;
}

export function get(doc: Document, map: YAMLMap<unknown, unknown> | undefined, key: string): Node | undefined {
  return deref(doc, getPair(doc, map, key)?.value);
}

/** Follows a path of mapping keys. */
export function getIn(doc: Document, node: unknown, path: readonly string[]): Node | undefined {
  let current: Node | undefined = deref(doc, node);
  for (const key of path) {
    current = get(doc, asMap(doc, current), key);
    if (!current) return undefined;
  }
  return current;
}

export function scalarValue(doc: Document, node: unknown): unknown {
  return asScalar(doc, node)?.value;
}

export function stringValue(doc: Document, node: unknown): string | undefined {
  const value = scalarValue(doc, node);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The source text of a scalar, e.g. `512Mi`, `0.5` or `"2"` without its quotes. */
export function scalarSource(doc: Document, node: unknown): string | number | undefined {
  const scalar = asScalar(doc, node);
  if (!scalar) return undefined;
  if (typeof scalar.value === 'number') {
    return typeof scalar.source === 'string' && /^[-+.0-9eE]+$/.test(scalar.source) ? scalar.source : scalar.value;
  }
  return typeof scalar.value === 'string' ? scalar.value : undefined;
}

/** A string-to-string mapping such as labels or a selector; other values are ignored. */
export function stringMap(doc: Document, node: unknown): Record<string, string> | undefined {
  const map = asMap(doc, node);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairsOf(doc, map)) {
    const key = keyText(pair.key);
    const value = stringValue(doc, pair.value);
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Plain JS value of a node with a bound on alias expansion: alias bombs stop with an error, while
 * compose files with anchors inside anchors (a few hundred expansions) still read.
 */
export function toPlain(doc: Document, node: unknown): unknown {
  const value = deref(doc, node);
  if (!value) return undefined;
  return value.toJS(doc, { maxAliasCount: 10_000 });
}

/** The pairs of a node when it is a mapping, else none. */
export function entries(doc: Document, node: unknown): Pair<unknown, unknown>[] {
  const map = asMap(doc, node);
  return map ? pairsOf(doc, map) : [];
}
