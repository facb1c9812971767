// The ported lexer (server/src/engine/yaml/fastLex.ts) against the `yaml` package's own Lexer: on every text it
// accepts, the same lexemes at the same offsets; and it gives up only on what fastCompose.ts declines anyway
// (a byte order mark, directives, tags, an error token, quoted scalars over several lines or without an end).
// Inputs: every corpus file, example and fixture, hand-picked edge cases and thousands of seeded mutations.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { globSync } from 'tinyglobby';
import { CST, Lexer } from 'yaml';
import { lexYaml } from '../../../server/src/engine/yaml/fastLex';
import { CORPUS, loadProjects, mutate, REPO_ROOT, Rng } from '../../helpers/fuzzInputs';

const DOCUMENT = '\x02';
const SCALAR = '\x1f';

/** The package's lexemes and offsets (its markers have no width), as fastCompose.ts used to build them. */
function packageLexemes(text: string): { tokens: string[]; offsets: number[] } {
  const tokens: string[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const lexeme of new Lexer().lex(text)) {
    tokens.push(lexeme);
    offsets.push(offset);
    if (lexeme !== DOCUMENT && lexeme !== SCALAR) offset += lexeme.length;
  }
  tokens.push('');
  offsets.push(offset);
  return { tokens, offsets };
}

/** Whether the package's lexemes hold something fastCompose.ts declines (so giving up there costs nothing). */
function declinedAnyway(tokens: string[]): boolean {
  return tokens.some((t, i) => {
    if (tokens[i - 1] === SCALAR) return false;
    const type = CST.tokenType(t);
    if (type === 'flow-error-end' || type === 'byte-order-mark' || type === 'directive-line' || type === 'tag')
      return true;
    const quoted = type === 'single-quoted-scalar' || type === 'double-quoted-scalar';
    // Cut short at a line end (an error the package reports), or running to the end of the text.
    return quoted && (t.includes('\n') || tokens[i + 1] === '' || t.length < 2 || t[t.length - 1] !== t[0]);
  });
}

/** Checks one text; returns whether the port accepted it. */
function check(text: string, label: string): boolean {
  const expected = packageLexemes(text);
  const lexed = lexYaml(text);
  if (!lexed) {
    assert.ok(declinedAnyway(expected.tokens), `${label}: the port gave up on a text the fast path could read`);
    return false;
  }
  assert.deepEqual(lexed.tokens, expected.tokens, `${label}: lexemes differ`);
  assert.deepEqual(lexed.offsets, expected.offsets, `${label}: offsets differ`);
  return true;
}

const EDGE_CASES: Record<string, string> = {
  empty: '',
  'only comments': '# a\n  # b\n\n',
  'a manifest':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the app\n  labels: {app: web, tier: "front"}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: "nginx:1.25"\n          args: [\'--port\', "80", x]\n          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n---\nkind: Service\n',
  'documents and markers': '# head\n---\na: 1\n...\n---\n- 1\n- 2\n--- \n...\n',
  'block scalars': 'a: |\n  one\n  two\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\nd: |2\n    indented\ne: |\n\tx\n',
  'multi-line plain scalar': 'a: one\n  two\n  # not a comment?\nb: 2\n',
  'multi-line flow': 'a: [1,\n  2]\nb: {c: d,\n e: f}\n',
  'flow at a lower indent': 'a:\n  b: [1,\n2]\n',
  'anchors, aliases, merge keys': 'x: &base\n  image: a\ny:\n  <<: *base\n  z: &l [1, *base]\n',
  'explicit keys and compact maps': '? a\n: 1\n- b: 1\n  c: 2\na: b: 1\n',
  'windows line ends': 'a: 1\r\nb:\r\n  - c # d\r\n  - "e"\r\n',
  'lone carriage return': 'a: 1\rb: 2\n',
  tabs: 'a:\t1\n\tb: 2\nc: [\t1 ]\n',
  'glued comment and colons': 'a: "x"# c\nb: http://x:80/y\nc: a:b\n:d\n',
  'flow edge cases': 'a: [a:b, c: d, "e":f, {g}, ]\nb: {? h : i, j}\nc: ]\nd: }\n',
  'quoted scalars': 'a: "x\\"y"\nb: \'it\'\'s\'\nc: "\\\\"\nd: \'\'\ne: "a\n  b"\nf: "open\n',
  'unterminated at the end': 'a: "abc\\"',
  'tags and directives': '%YAML 1.2\n---\na: !!str 1\nb: !<tag:x> y\n',
  'byte order mark': '\uFEFFa: 1\n',
  'document marker lookalikes': '---a\n--- # c\n...x\n- ---\n',
  'no final newline': 'a:\n  - b',
  'dashes and question marks': '- - a\n  -\n-\n? \n',
  'deep flow': 'a: ' + '['.repeat(100) + ']'.repeat(100) + '\n',
};

function files(patterns: string[], cwd: string): [string, string][] {
  if (!existsSync(cwd)) return [];
  return globSync(patterns, { cwd, absolute: true, dot: true, ignore: ['**/node_modules/**'] })
    .sort()
    .map((f) => [path.relative(REPO_ROOT, f), readFileSync(f, 'utf8')]);
}

// The shared corpus sits beside the main checkout; a worktree elsewhere reads it where it is.
const corpus = existsSync(CORPUS) ? CORPUS : '/work/shared/corpus';

describe('ported YAML lexer', () => {
  test("hand-picked cases: the package's lexemes whenever accepted, and plain manifests accepted", () => {
    const accepted = new Set<string>();
    for (const [label, text] of Object.entries(EDGE_CASES)) if (check(text, label)) accepted.add(label);
    for (const label of [
      'empty',
      'only comments',
      'a manifest',
      'documents and markers',
      'block scalars',
      'multi-line plain scalar',
      'multi-line flow',
      'windows line ends',
      'tabs',
      'flow edge cases',
      'no final newline',
      'deep flow',
    ]) {
      assert.ok(accepted.has(label), `${label} should be lexed by the port`);
    }
    for (const label of ['tags and directives', 'byte order mark', 'quoted scalars', 'unterminated at the end']) {
      assert.ok(!accepted.has(label), `${label} must be left to the package`);
    }
  });

  const realFiles = [
    ...files(['**/*.yaml', '**/*.yml'], corpus),
    ...files(['examples/**/*.yaml', 'test/fixtures/**/*.yaml', 'test/fixtures/**/*.yml'], REPO_ROOT),
  ];

  test("real manifests: the package's lexemes, and nearly all of them accepted", () => {
    assert.ok(realFiles.length > 100, `expected the corpus and fixtures, found ${realFiles.length} files`);
    let accepted = 0;
    for (const [name, text] of realFiles) if (check(text, name)) accepted++;
    assert.ok(
      accepted / realFiles.length > 0.9,
      `only ${accepted} of ${realFiles.length} files were lexed by the port`,
    );
  });

  test("seeded mutations of every project file: the package's lexemes whenever accepted", () => {
    const rng = new Rng(20261207);
    const texts = loadProjects().flatMap((p) =>
      [...p.files.entries()].filter(([f]) => /\.ya?ml$/.test(f)).map(([f, t]) => [`${p.name}/${f}`, t] as const),
    );
    let accepted = 0;
    let total = 0;
    for (let round = 0; round < 12; round++) {
      for (const [name, text] of texts) {
        const mutated = mutate(text, rng);
        total++;
        if (check(mutated.text, `${name} after ${mutated.applied.join(', ')} (round ${round})`)) accepted++;
      }
    }
    assert.ok(total > 300 && accepted > total / 2, `mutations checked: ${total}, accepted: ${accepted}`);
  });
});
