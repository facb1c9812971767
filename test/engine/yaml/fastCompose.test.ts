// The fast path (server/src/engine/yaml/fastCompose.ts) against the `yaml` package's own Composer: on every
// text it accepts it must build the same documents (node kinds, values, ranges, anchors, scalar types and
// sources, flow flags, plain values) from a text the Composer reads without an error or warning. Inputs:
// every corpus file, example and fixture, the benchmark's kind of manifest, hand-picked edge cases and
// thousands of seeded mutations of all of them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { globSync } from 'tinyglobby';
import { isAlias, isMap, isPair, isScalar, isSeq, Pair, parseAllDocuments, Scalar, visit, type Document } from 'yaml';
import { composeFast, PARSE_OPTIONS } from '../../../server/src/engine/yaml/fastCompose';
import { parseYaml } from '../../../server/src/engine/yaml/parse';
import { CORPUS, loadProjects, mutate, REPO_ROOT, Rng } from '../../helpers/fuzzInputs';

/** A node's own properties, without the comments and blank lines that the fast path does not keep. */
const ownKeys = (node: object) =>
  Object.keys(node)
    .filter((k) => !['comment', 'commentBefore', 'spaceBefore'].includes(k))
    .sort();

/** A description of a node tree that two equal parses share and any difference breaks. */
function shape(node: unknown): unknown {
  // Classes and own properties as the package's constructors make them (the fast path makes scalars and pairs without).
  if (isPair(node))
    return { key: shape(node.key), value: shape(node.value), pair: node instanceof Pair, own: ownKeys(node) };
  if (isAlias(node)) return { alias: node.source, range: node.range };
  if (isScalar(node)) {
    const value = typeof node.value === 'symbol' ? `symbol:${node.value.description}` : node.value;
    return {
      value,
      type: node.type,
      source: node.source,
      anchor: node.anchor,
      format: node.format,
      range: node.range,
      minFractionDigits: node.minFractionDigits,
      scalar: node instanceof Scalar,
      own: ownKeys(node),
    };
  }
  if (isMap(node) || isSeq(node)) {
    return {
      kind: isMap(node) ? 'map' : 'seq',
      flow: !!node.flow,
      anchor: node.anchor,
      tag: node.tag,
      range: node.range,
      items: node.items.map(shape),
    };
  }
  return node === null ? null : { unknown: String(node) };
}

function documentShape(doc: Document.Parsed): unknown {
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    plain = `throws ${(error as Error).message}`;
  }
  // Written back out (a clone, as an edit would), without the comments and blank lines the fast path does not keep.
  let written: string;
  try {
    const copy = doc.clone();
    copy.commentBefore = copy.comment = null;
    visit(copy, (_key, node) => {
      const n = node as { comment?: unknown; commentBefore?: unknown; spaceBefore?: unknown };
      delete n.comment;
      delete n.commentBefore;
      delete n.spaceBefore;
    });
    written = copy.toString();
  } catch (error) {
    written = `throws ${(error as Error).message}`;
  }
  return {
    range: doc.range,
    contents: shape(doc.contents),
    plain: JSON.stringify(plain, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
    written,
  };
}

/** Checks one text; returns whether the fast path accepted it. */
function check(text: string, label: string): boolean {
  const fast = composeFast(text);
  if (!fast) return false;
  const full = parseAllDocuments(text, PARSE_OPTIONS);
  const docs = Array.isArray(full) ? full : [];
  const problems = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
  assert.deepEqual(problems, [], `${label}: accepted by the fast path, but the Composer reports problems`);
  assert.equal(fast.length, docs.length, `${label}: number of documents`);
  fast.forEach((doc, i) =>
    assert.deepEqual(documentShape(doc), documentShape(docs[i]), `${label}: document ${i + 1} differs`),
  );
  return true;
}

function files(patterns: string[], cwd: string): [string, string][] {
  if (!existsSync(cwd)) return [];
  return globSync(patterns, { cwd, absolute: true, dot: true, ignore: ['**/node_modules/**'] })
    .sort()
    .map((f) => [path.relative(REPO_ROOT, f), readFileSync(f, 'utf8').replace(/\r(?!\n)/g, '\n')]);
}

const EDGE_CASES: Record<string, string> = {
  'empty values': 'a:\nb:\nc:\n  - \n  -\nd: ~\ne:\n\n',
  'empty value with a comment': 'a:\nb: # note\nc: 1\n',
  'comments closing a sequence at its key column': 'a:\n- x\n# c\n  # d\nb: 1\n',
  'indented comment after the last item': 'a:\n  b: 1\n  # c\n',
  'anchors and merge keys':
    'x-base: &base\n  image: a\n  env: &env [1, 2]\nsvc:\n  <<: *base\n  env: *env\n  list: &l\n    - 1\n',
  'two merge keys': 'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n',
  'numbers and booleans':
    'i: 10\nh: 0x1F\no: 0o17\nf: 1.50\ne: 1e3\nn: .nan\ninf: -.inf\nt: true\nT: True\ns: "10"\nq: \'x\'\nnull1: null\n',
  'block scalars': 'a: |\n  one\n  two\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\n',
  'documents and markers': '# head\n---\na: 1\n...\n---\n- 1\n- 2\n--- \n...\n',
  'nested sequences': '- - a\n  - b\n- c: 1\n  d: 2\n-\n  - e\n',
  'flow collections': 'a: [1, "two", {b: c}, [d]]\ne: {f: , g: h}\ni: []\nj: {}\nk: [x, y, ]\n',
  'comments everywhere': 'a: 1 # c\n# between\nb:\n  # inside\n  c: 2\n# end\n',
  'quoted keys': '"a b": 1\n\'c\': 2\n? d\n: 3\n',
  'duplicate keys': 'a: 1\na: 2\n',
  'tab indentation': 'a:\n\tb: 1\n',
  tags: 'a: !!str 1\nb: !custom x\n',
  directives: '%YAML 1.2\n---\na: 1\n',
  'glued comment': 'a: "x"# c\n',
  'multi-line flow': 'a: [1,\n  2]\n',
  'compact nested map': 'a: b: 1\n',
  'bad indentation': 'a:\n  b: 1\n c: 2\n',
  'anchor on a sequence': 'a: &x\n  - 1\nb: *x\n',
  'alias to nothing': 'a: *missing\n',
  'multi-line plain scalar': 'a: one\n  two\nb: 2\n',
  'unterminated quote': 'a: "open\n',
  'values on the line below their key': 'a:\n  {}\nb:\n  [x, y]\nc:\n  plain\nd:\n  "quoted" # c\ne:\n- f:\n    []\n',
  'quoted scalars with escapes': 'a: "x\\"y"\nb: \'it\'\'s\'\nc: "\\u0041\\t"\nd: \'\'\ne: ""\nf: "# not a comment"\n',
  'reserved first character': 'a: @x\n',
  'nesting as deep as manifests go': 'a: ' + '['.repeat(30) + ']'.repeat(30) + '\n',
  'nesting deeper than manifests go': 'a: ' + '['.repeat(100) + ']'.repeat(100) + '\n',
  'windows line ends': 'a: 1\r\nb:\r\n  - c\r\n',
};

describe('fast YAML composition', () => {
  test('hand-picked cases: same documents as the Composer whenever accepted, and the common ones accepted', () => {
    const accepted = new Set<string>();
    for (const [label, text] of Object.entries(EDGE_CASES)) if (check(text, label)) accepted.add(label);
    for (const label of [
      'empty values',
      'anchors and merge keys',
      'numbers and booleans',
      'block scalars',
      'documents and markers',
      'flow collections',
      'comments everywhere',
      'values on the line below their key',
      'quoted scalars with escapes',
      'nesting as deep as manifests go',
      'windows line ends',
    ]) {
      assert.ok(accepted.has(label), `${label} should take the fast path`);
    }
    for (const label of [
      'duplicate keys',
      'tab indentation',
      'tags',
      'directives',
      'glued comment',
      'compact nested map',
      'bad indentation',
      'unterminated quote',
      'reserved first character',
      'nesting deeper than manifests go',
    ]) {
      assert.ok(!accepted.has(label), `${label} must be left to the Composer`);
    }
  });

  const realFiles = [
    ...files(['**/*.yaml', '**/*.yml'], CORPUS),
    ...files(['examples/**/*.yaml', 'test/fixtures/**/*.yaml', 'test/fixtures/**/*.yml'], REPO_ROOT),
  ];

  test('real manifests: same documents, and most of them take the fast path', () => {
    assert.ok(realFiles.length > 100, `expected the corpus and fixtures, found ${realFiles.length} files`);
    let accepted = 0;
    for (const [name, text] of realFiles) if (check(text, name)) accepted++;
    // The corpus is ordinary Kubernetes and compose YAML: if the fast path declines much of it, it is useless.
    assert.ok(accepted / realFiles.length > 0.85, `only ${accepted} of ${realFiles.length} files took the fast path`);
  });

  test('seeded mutations of every project file: same documents whenever accepted', () => {
    const rng = new Rng(20261129);
    const texts = loadProjects().flatMap((p) =>
      [...p.files.entries()].filter(([f]) => /\.ya?ml$/.test(f)).map(([f, t]) => [`${p.name}/${f}`, t] as const),
    );
    let accepted = 0;
    let total = 0;
    for (let round = 0; round < Number(process.env.FAST_COMPOSE_ROUNDS ?? 12); round++) {
      for (const [name, text] of texts) {
        const mutated = mutate(text, rng);
        total++;
        if (check(mutated.text, `${name} after ${mutated.applied.join(', ')} (round ${round})`)) accepted++;
      }
    }
    assert.ok(total > 500 && accepted > 0, `mutations checked: ${total}, accepted: ${accepted}`);
  });

  test('parseYaml reports the same problems with or without the fast path', () => {
    for (const [label, text] of Object.entries(EDGE_CASES)) {
      const full = parseAllDocuments(text.replace(/\r(?!\n)/g, '\n'), PARSE_OPTIONS);
      const expected = (Array.isArray(full) ? full : []).flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]));
      assert.deepEqual(
        parseYaml(text)
          .problems.filter((p) => p.severity === 'error')
          .map((p) => p.message),
        expected,
        label,
      );
    }
  });
});
