import {
  Alias,
  CST,
  Document,
  isMap as isMapNode,
  isPair,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Node,
} from 'yaml';
import type { CollectionTag, ScalarTag } from 'yaml';
import { lexYaml } from './fastLex';

/**
 * Builds the `yaml` package's documents straight from its Lexer's tokens for the plain YAML that
 * manifests are made of, and declines anything else, which the caller then parses with the
 * package's own Parser and Composer (they report every error).
 *
 * Why: for a 5 MB workspace the Parser's CST (a token object per space, indicator and newline) and the
 * Composer's checks cost twice what the Lexer does, and a cold start is nearly all YAML parsing.
 *
 * Accepted: block mappings and sequences (also compact `- key: value` and sequences at their key's
 * indentation), one-line flow collections, plain, quoted and block scalars, anchors on values,
 * aliases, merge keys, `---`/`...` markers, comments at column 0 and indented comments followed by
 * content at least as indented. Declined: tags, directives, explicit keys, tabs, multi-line plain or
 * quoted scalars and flow collections, duplicate keys, anchors on keys, any error token, anything
 * else. An accepted text gives the same nodes, values and ranges as `parseAllDocuments` (without
 * comments); test/engine/yaml/fastCompose.test.ts compares the two on every corpus file, fixture and
 * thousands of mutations.
 */
export const PARSE_OPTIONS = { prettyErrors: false, merge: true, uniqueKeys: true, logLevel: 'error' } as const;

const DECLINE = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

/** The documents of `source`, or undefined when it is not in the subset read here. Never throws. */
export function composeFast(source: string): Document.Parsed[] | undefined {
  try {
    return new FastComposer(source).run();
  } catch {
    // DECLINE, or anything unexpected (deep nesting included): the full parser reports it.
    return undefined;
  }
}

interface Tags {
  all: (ScalarTag | CollectionTag)[];
  str: ScalarTag;
}
let sharedTags: Tags | undefined;

/** The tags of the core schema with merge keys, as each parsed document gets them (a copy). */
function schemaTags(): Tags {
  if (!sharedTags) {
    const all = new Document(undefined, PARSE_OPTIONS).schema.tags.slice();
    const str = all.find((t) => t.tag === 'tag:yaml.org,2002:str' && !t.collection) as ScalarTag | undefined;
    if (!str) decline();
    sharedTags = { all, str };
  }
  return sharedTags;
}

/**
 * Nodes made without their constructors: those mark every node with `Object.defineProperty(this,
 * NODE_TYPE, ...)` (and every collection once more with its schema), calls V8 does not optimize, which
 * cost about a fifth of composing. Here the mark is on a prototype between the node and its class
 * instead, where the package's type checks (`isScalar`, `isMap`, `instanceof`) find it just the same;
 * the own properties are those the constructor sets, in its order. A collection's schema, which the
 * constructor makes a non-enumerable own property, is there too: one core schema that every document
 * read here shares (nothing changes a parsed document's schema). Should a later version of the package
 * mark nodes otherwise, the check below sees it and the constructors are used.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');

function markedPrototype<T extends object>(instance: T): T {
  const proto = Object.create(Object.getPrototypeOf(instance)) as T;
  Object.defineProperty(proto, NODE_TYPE, { value: (instance as Record<symbol, unknown>)[NODE_TYPE] });
  return proto;
}

const SCALAR_PROTO = markedPrototype(new Scalar(null));
const PAIR_PROTO = markedPrototype(new Pair(null));
const SHARED_SCHEMA = new Document(undefined, PARSE_OPTIONS).schema;
const MAP_PROTO = collectionPrototype(new YAMLMap(SHARED_SCHEMA));
const SEQ_PROTO = collectionPrototype(new YAMLSeq(SHARED_SCHEMA));

function collectionPrototype<T extends YAMLMap | YAMLSeq>(instance: T): T {
  const proto = markedPrototype(instance);
  Object.defineProperty(proto, 'schema', {
    value: SHARED_SCHEMA,
    configurable: true,
    enumerable: false,
    writable: true,
  });
  return proto;
}

function makeMap(): YAMLMap {
  const map = Object.create(MAP_PROTO) as YAMLMap;
  map.items = [];
  return map;
}

function makeSeq(): YAMLSeq {
  const seq = Object.create(SEQ_PROTO) as YAMLSeq;
  seq.items = [];
  return seq;
}

function makeScalar(value: unknown): Scalar {
  const scalar = Object.create(SCALAR_PROTO) as Scalar;
  scalar.value = value;
  return scalar;
}

function makePair(key: unknown, value: unknown): Pair {
  const pair = Object.create(PAIR_PROTO) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}

const PROTOTYPES_WORK =
  isScalar(makeScalar(1)) &&
  makeScalar(1) instanceof Scalar &&
  isPair(makePair(null, null)) &&
  makePair(null, null) instanceof Pair &&
  isMapNode(makeMap()) &&
  makeMap() instanceof YAMLMap &&
  makeMap().schema === SHARED_SCHEMA &&
  isSeq(makeSeq()) &&
  makeSeq() instanceof YAMLSeq;
const newScalar = PROTOTYPES_WORK ? makeScalar : (value: unknown) => new Scalar(value);
const newPair = PROTOTYPES_WORK ? makePair : (key: unknown, value: unknown) => new Pair(key, value);
const newMap = PROTOTYPES_WORK ? makeMap : () => new YAMLMap(SHARED_SCHEMA);
const newSeq = PROTOTYPES_WORK ? makeSeq : () => new YAMLSeq(SHARED_SCHEMA);

const MAX_DEPTH = 64;
const DOC_MARKER = '\x02';
const SCALAR_MARKER = '\x1f';
const isNewline = (t: string | undefined) => t === '\n' || t === '\r\n' || t === '';
const isSpace = (t: string | undefined) => t !== undefined && (t[0] === ' ' || t[0] === '\t');
const isQuoted = (t: string | undefined) => t !== undefined && (t[0] === '"' || t[0] === "'");

class FastComposer {
  /** Lexemes; the two markers have no width. */
  private readonly t: string[];
  /** Offset of each lexeme. */
  private readonly o: number[];
  private i = 0;
  private lineStart = 0;
  private doc!: Document.Parsed;
  private readonly tags = schemaTags();
  /** Collections open around the cursor. Deeper than manifests ever go is left to the Composer. */
  private depth = 0;

  constructor(source: string) {
    // The package's Lexer's lexemes, from a port without its generators (fastLex.ts), which gives up
    // on what is declined here anyway.
    const lexed = lexYaml(source);
    if (!lexed) decline();
    this.t = lexed.tokens;
    this.o = lexed.offsets;
  }

  private get atEnd(): boolean {
    return this.i >= this.t.length - 1;
  }

  private column(): number {
    return this.o[this.i] - this.lineStart;
  }

  run(): Document.Parsed[] {
    const docs: Document.Parsed[] = [];
    while (!this.atEnd) {
      const token = this.t[this.i];
      if (token === DOC_MARKER) {
        this.i++;
        docs.push(this.document());
      } else if (token === '---' && docs.length > 0 && this.column() === 0) {
        docs.push(this.document());
      } else if (isNewline(token)) {
        this.newline();
      } else if (isSpace(token) || token[0] === '#') {
        this.i++;
      } else {
        decline();
      }
    }
    return docs;
  }

  private newline(): void {
    this.i++;
    this.lineStart = this.o[this.i];
  }

  private document(): Document.Parsed {
    const doc = new Document(undefined, PARSE_OPTIONS) as unknown as Document.Parsed;
    // The same core schema as its own, shared with its collections (see SHARED_SCHEMA).
    doc.schema = SHARED_SCHEMA;
    this.doc = doc;
    const offset = this.o[this.i];
    let emptyAt = offset;
    let startComment = false;
    if (this.t[this.i] === '---') {
      doc.directives.docStart = true;
      this.i++;
      emptyAt = this.o[this.i];
      if (isSpace(this.t[this.i])) {
        emptyAt += this.t[this.i].length;
        this.i++;
        if (this.t[this.i][0] === '#') {
          startComment = true;
          this.i++;
        }
      }
      if (!isNewline(this.t[this.i])) decline();
      if (!this.atEnd) this.newline();
    }
    const next = this.peekLine();
    let contents: Node;
    if (next === undefined) {
      // An empty document: a null at the marker, whose range takes in any comment after it.
      if (!doc.directives.docStart) decline();
      const end = startComment || this.trailingComment >= 0 ? this.o[this.i] : emptyAt;
      contents = this.nullScalar(emptyAt, end);
    } else {
      contents = this.blockNode(next, -1, false);
      // What follows the root node up to the next document: blank lines and comments only.
      if (this.peekLine() !== undefined) decline();
    }
    const contentEnd = contents.range![2];
    doc.contents = contents as never;
    // Lines after an empty last value belong to it (and add nothing), other trailing lines to the document.
    doc.range = [offset, contentEnd, next === undefined || this.lastValueEmpty ? contentEnd : this.o[this.i]];
    if (this.t[this.i] === '...') {
      doc.directives.docEnd = true;
      this.i++;
      doc.range[2] = this.restOfLine(true);
    }
    return doc;
  }

  /** The largest column of the comment lines skipped since content was last read, or -1. */
  private trailingComment = -1;
  /** Whether the last value read was an empty one (its mapping's or sequence's trailing lines are its own). */
  private lastValueEmpty = false;

  /**
   * Moves to the first content token of the next line that has any (skipping blank and comment
   * lines) and returns its column; undefined at the end of the document. Comment lines that would
   * end up inside a closing collection (more indented than what follows) are declined.
   */
  private peekLine(): number | undefined {
    for (;;) {
      if (this.atEnd) break;
      let token = this.t[this.i];
      const lineIndex = this.i;
      if (isSpace(token)) {
        if (token.includes('\t')) decline();
        this.i++;
        token = this.t[this.i];
      }
      if (isNewline(token) && !this.atEnd) {
        this.newline();
        continue;
      }
      if (token[0] === '#') {
        this.trailingComment = Math.max(this.trailingComment, this.column());
        this.i++;
        if (!isNewline(this.t[this.i])) decline();
        if (!this.atEnd) this.newline();
        continue;
      }
      if (token === DOC_MARKER || ((token === '---' || token === '...') && this.column() === 0)) {
        this.i = lineIndex;
        break;
      }
      if (this.atEnd) break;
      const column = this.column();
      if (this.trailingComment > column) decline();
      return column;
    }
    if (this.trailingComment > 0) decline();
    return undefined;
  }

  /** A block node whose first token is at `column` (the cursor is on it). */
  private blockNode(column: number, parentColumn: number, inMap: boolean): Node {
    if (column <= parentColumn && !(inMap && column === parentColumn && this.t[this.i] === '-')) decline();
    const token = this.t[this.i];
    if (token === '-') return this.blockSeq(column);
    if (this.atKey()) return this.blockMap(column);
    // A one-line value on the line below its key, e.g. `annotations:` then `  {}`.
    if (
      parentColumn >= 0 &&
      column > parentColumn &&
      (token === '[' || token === '{' || token === SCALAR_MARKER || isQuoted(token))
    ) {
      return this.inlineValue(column, true);
    }
    decline();
  }

  /** Whether the cursor is on an implicit key: a one-line plain or quoted scalar and `:`. */
  private atKey(): boolean {
    const token = this.t[this.i];
    if (token === SCALAR_MARKER) return this.t[this.i + 2] === ':';
    return isQuoted(token) && this.t[this.i + 1] === ':';
  }

  private blockMap(column: number): YAMLMap {
    this.enter();
    const map = newMap();
    const start = this.o[this.i];
    const keys = new Set<unknown>();
    let end: number;
    for (;;) {
      if (!this.atKey()) decline();
      const key = this.flowScalar(true);
      if (keys.has(key.value)) decline();
      keys.add(key.value);
      this.i++; // ':'
      const value = this.value(column, true, this.o[this.i]);
      end = value.range![2];
      map.items.push(newPair(key, value));
      const next = this.peekLine();
      if (next === undefined || next < column) break;
      if (next > column) decline();
    }
    map.range = [start, end, end];
    this.depth--;
    return map;
  }

  private blockSeq(column: number): YAMLSeq {
    this.enter();
    const seq = newSeq();
    const start = this.o[this.i];
    let end = start;
    for (;;) {
      if (this.t[this.i] !== '-') break;
      this.i++;
      const item = this.value(column, false, this.o[this.i]);
      end = item.range![2];
      seq.items.push(item);
      const next = this.peekLine();
      if (next === undefined || next < column) break;
      if (next > column) decline();
      if (this.t[this.i] !== '-') {
        // A sequence at its key's indentation keeps comment lines at that column when it ends.
        if (this.trailingComment >= column) decline();
        break;
      }
    }
    seq.range = [start, end, end];
    this.depth--;
    return seq;
  }

  /**
   * The value after a `key:` or a `-` at `column`: on the same line, or on the next lines, or
   * empty. `indicatorEnd` is where the indicator ends (an empty value sits there, after spaces).
   */
  private value(column: number, inMap: boolean, indicatorEnd: number): Node {
    let emptyAt = indicatorEnd;
    const token = this.t[this.i];
    if (isSpace(token)) {
      if (token.includes('\t')) decline();
      emptyAt += token.length;
      this.i++;
    } else if (!isNewline(token) && !(token[0] === '#')) {
      decline();
    }
    let anchor: string | undefined;
    if (this.t[this.i][0] === '&') {
      anchor = this.t[this.i].substring(1);
      if (anchor === '' || anchor.endsWith(':')) decline();
      this.i++;
      if (isSpace(this.t[this.i]) && !isNewline(this.t[this.i + 1]) && this.t[this.i + 1][0] !== '#') {
        this.i++;
        return this.withAnchor(this.inlineValue(column, inMap), anchor, true);
      }
    }
    if (isSpace(this.t[this.i])) this.i++;
    const here = this.t[this.i];
    if (here[0] === '#' || isNewline(here)) {
      // The value is on the next lines, or there is none.
      if (here[0] === '#') {
        if (!isSpace(this.t[this.i - 1])) decline();
        this.i++;
      }
      const hadComment = here[0] === '#';
      if (!this.atEnd) this.newline();
      const next = this.peekLine();
      if (next !== undefined && (next > column || (inMap && next === column && this.t[this.i] === '-'))) {
        return this.withAnchor(this.blockNode(next, column, inMap), anchor, false);
      }
      // An empty value with a comment after it takes the comment into its range: left to the Composer.
      if (hadComment || this.trailingComment >= 0 || anchor !== undefined) decline();
      this.lastValueEmpty = true;
      return this.nullScalar(emptyAt, emptyAt);
    }
    if (anchor !== undefined) decline();
    return this.inlineValue(column, inMap);
  }

  /** An anchor on a scalar or flow collection of the same line, or on a block collection below it. */
  private withAnchor(node: Node, anchor: string | undefined, inline: boolean): Node {
    if (anchor === undefined) return node;
    const block = (node instanceof YAMLMap || node instanceof YAMLSeq) && !node.flow;
    if (node instanceof Alias || block !== !inline) decline();
    (node as Scalar).anchor = anchor;
    return node;
  }

  /** A value that starts on the current line, after `key: ` or `- `. */
  private inlineValue(column: number, inMap: boolean): Node {
    const token = this.t[this.i];
    const valueColumn = this.column();
    if (token === '-') {
      if (inMap) decline();
      return this.blockSeq(valueColumn);
    }
    if (this.atKey()) {
      if (inMap) decline();
      return this.blockMap(valueColumn);
    }
    if (token === SCALAR_MARKER || isQuoted(token)) {
      const scalar = this.flowScalar(false);
      scalar.range![2] = this.restOfLine(true);
      return scalar;
    }
    if (token[0] === '*') {
      const name = token.substring(1);
      if (name === '' || name.endsWith(':')) decline();
      const alias = new Alias(name);
      const start = this.o[this.i];
      this.i++;
      alias.range = [start, start + token.length, this.restOfLine(true)];
      return alias;
    }
    if (token === '[' || token === '{') {
      const collection = this.flowCollection();
      collection.range![2] = this.restOfLine(true);
      return collection;
    }
    if (token[0] === '|' || token[0] === '>') return this.blockScalar(column);
    decline();
  }

  /**
   * Declines nesting deeper than any manifest: besides being rare, running out of stack deep in a
   * recursion can take V8's regular-expression compiler down with the process instead of throwing.
   */
  private enter(): void {
    if (++this.depth > MAX_DEPTH) decline();
  }

  /** Spaces, a comment and the line break after a node; returns where they end. */
  private restOfLine(requireSpace: boolean): number {
    this.contentRead();
    let hasSpace = false;
    if (isSpace(this.t[this.i])) {
      hasSpace = true;
      this.i++;
    }
    if (this.t[this.i][0] === '#') {
      if (requireSpace && !hasSpace) decline();
      this.i++;
    }
    const token = this.t[this.i];
    if (!isNewline(token)) decline();
    if (this.atEnd) return this.o[this.i];
    this.newline();
    return this.o[this.i];
  }

  private contentRead(): void {
    this.trailingComment = -1;
    this.lastValueEmpty = false;
  }

  private flowScalar(atKey: boolean): Scalar {
    let token = this.t[this.i];
    let type: 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar';
    if (token === SCALAR_MARKER) {
      this.i++;
      token = this.t[this.i];
      type = 'scalar';
    } else {
      type = token[0] === '"' ? 'double-quoted-scalar' : 'single-quoted-scalar';
    }
    // Keys over 1024 characters are an error to the Composer.
    if (token.includes('\n') || token.includes('\r') || (atKey && token.length > 1000)) decline();
    const offset = this.o[this.i];
    this.i++;
    const end = offset + token.length;
    const simple = simpleScalarValue(type, token);
    if (simple !== undefined)
      return this.toScalar(
        { value: simple, type: SCALAR_TYPES[type], range: [offset, end, end] },
        type === 'scalar',
        atKey,
      );
    const resolved = CST.resolveAsScalar({ type, offset, indent: 0, source: token }, true, decline);
    if (!resolved) decline();
    return this.toScalar(resolved, type === 'scalar', atKey);
  }

  private toScalar(
    resolved: { value: string; type: Scalar.Type | null; range: [number, number, number] },
    plain: boolean,
    atKey: boolean,
  ): Scalar {
    const { value, type, range } = resolved;
    let tag = this.tags.str;
    if (plain && !startsAsString(value)) {
      for (const candidate of this.tags.all) {
        if ((candidate.default === true || (atKey && candidate.default === 'key')) && candidate.test?.test(value)) {
          tag = candidate as ScalarTag;
          break;
        }
      }
    }
    const result = tag.resolve(value, decline, this.doc.options);
    const scalar = isScalar(result) ? result : newScalar(result);
    scalar.range = range;
    scalar.source = value;
    if (type) scalar.type = type;
    if (tag.format) scalar.format = tag.format;
    return scalar;
  }

  private nullScalar(at: number, end: number): Scalar {
    const scalar = this.toScalar({ value: '', type: Scalar.PLAIN, range: [at, at, at] }, true, false);
    scalar.range![2] = end;
    return scalar;
  }

  /** `|` or `>` with its content; no indentation indicator and no leading empty lines. */
  private blockScalar(column: number): Scalar {
    const header = this.t[this.i];
    if (/\d/.test(header)) decline();
    const offset = this.o[this.i];
    const props: CST.SourceToken[] = [{ type: 'block-scalar-header', offset, indent: column, source: header }];
    this.i++;
    let hasSpace = false;
    while (!isNewline(this.t[this.i])) {
      const token = this.t[this.i];
      if (isSpace(token)) hasSpace = true;
      else if (token[0] !== '#' || !hasSpace) decline();
      props.push({ type: isSpace(token) ? 'space' : 'comment', offset: this.o[this.i], indent: column, source: token });
      this.i++;
    }
    props.push({ type: 'newline', offset: this.o[this.i], indent: column, source: this.t[this.i] });
    if (this.atEnd) decline();
    this.newline();
    let source = '';
    if (this.t[this.i] === SCALAR_MARKER) {
      source = this.t[this.i + 1];
      this.i += 2;
    }
    if (/^[ ]*(\r?\n|$)/.test(source) && source !== '') decline();
    const resolved = CST.resolveAsScalar(
      { type: 'block-scalar', offset, indent: column, props, source },
      true,
      decline,
    );
    if (!resolved) decline();
    // The content ends at a line start (or at the end of the text).
    this.lineStart = this.o[this.i];
    this.contentRead();
    return this.toScalar(resolved, false, false);
  }

  /** `[...]` or `{...}` on one line, of scalars and flow collections. */
  private flowCollection(): YAMLMap | YAMLSeq {
    this.enter();
    const open = this.t[this.i];
    const isMap = open === '{';
    const collection = isMap ? newMap() : newSeq();
    collection.flow = true;
    const start = this.o[this.i];
    const close = isMap ? '}' : ']';
    const keys = new Set<unknown>();
    this.i++;
    this.skipFlowSpace();
    let first = true;
    while (this.t[this.i] !== close) {
      if (!first) {
        if (this.t[this.i] !== ',') decline();
        this.i++;
        this.skipFlowSpace();
        if (this.t[this.i] === close) break;
      }
      first = false;
      if (isMap) {
        if (this.t[this.i] !== SCALAR_MARKER && !isQuoted(this.t[this.i])) decline();
        const key = this.flowScalar(true);
        if (this.t[this.i] !== ':' || keys.has(key.value)) decline();
        keys.add(key.value);
        const colonEnd = this.o[this.i] + 1;
        this.i++;
        let emptyAt = colonEnd;
        if (isSpace(this.t[this.i])) {
          emptyAt += this.t[this.i].length;
          this.skipFlowSpace();
        }
        const value =
          this.t[this.i] === ',' || this.t[this.i] === close ? this.nullScalar(emptyAt, emptyAt) : this.flowItem();
        (collection as YAMLMap).items.push(newPair(key, value));
      } else {
        (collection as YAMLSeq).items.push(this.flowItem());
      }
    }
    const closeEnd = this.o[this.i] + 1;
    this.i++;
    collection.range = [start, closeEnd, closeEnd];
    this.depth--;
    return collection;
  }

  /** A scalar or flow collection inside a flow collection, with the spaces after it. */
  private flowItem(): Node {
    const token = this.t[this.i];
    let node: Node;
    if (token === '[' || token === '{') node = this.flowCollection();
    else if (token === SCALAR_MARKER || isQuoted(token)) node = this.flowScalar(false);
    else decline();
    if (this.t[this.i] === ':') decline();
    node.range![2] = this.skipFlowSpace();
    return node;
  }

  private skipFlowSpace(): number {
    if (isSpace(this.t[this.i])) {
      if (this.t[this.i].includes('\t')) decline();
      this.i++;
    }
    return this.o[this.i];
  }
}

const SCALAR_TYPES = {
  scalar: Scalar.PLAIN,
  'single-quoted-scalar': Scalar.QUOTE_SINGLE,
  'double-quoted-scalar': Scalar.QUOTE_DOUBLE,
} as const;

/**
 * The value of a one-line scalar that needs no unescaping or folding (most of them), as the
 * package's resolveFlowScalar would give it; undefined for the others, which go through it.
 */
function simpleScalarValue(
  type: 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar',
  source: string,
): string | undefined {
  if (type === 'scalar') {
    // Characters a plain scalar may not start with are reported by the package: let it.
    return '\t,%|>@`'.includes(source[0] ?? '') && source !== '' ? undefined : source;
  }
  if (source.length < 2) return undefined;
  const inner = source.slice(1, -1);
  if (type === 'double-quoted-scalar')
    return source.endsWith('"') && !inner.includes('\\') && !inner.includes('"') ? inner : undefined;
  return source.endsWith("'") && !inner.includes("'") ? inner : undefined;
}

/**
 * Whether a plain scalar is a string whatever the core schema's other tags say: those (null, bool,
 * int, float, merge key) all start with one of `~nNtTfF0-9+-.<` or are empty.
 */
function startsAsString(value: string): boolean {
  const c = value.charCodeAt(0);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return false;
  return !'nNtTfF'.includes(value[0]);
}
