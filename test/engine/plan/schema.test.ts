// The plan format's editor assets: the JSON schema (with its fixtures), the snippets and the TextMate grammar.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const SCHEMA_PATH = path.join(ROOT, 'schemas/consolidation-plan.schema.json');
const FIXTURES = path.join(ROOT, 'test/fixtures/plans');
const SNIPPETS_PATH = path.join(ROOT, 'snippets/consolidation-plan.code-snippets');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes/consolidation-plan.tmLanguage.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as JsonObject;
const SCHEMA_ID = schema.$id as string;

/** Exactly how the language server compiles the schema. */
function serverAjv(): Ajv {
  return new Ajv({ allErrors: true, strict: false });
}
const validatePlan: ValidateFunction = serverAjv().compile(schema);

/** Ajv adds these on top of the error that says what is wrong; the server is expected to drop them. */
const WRAPPER_KEYWORDS = new Set(['if', 'propertyNames']);
const significant = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).filter((e) => !WRAPPER_KEYWORDS.has(e.keyword)).map((e) => `${e.instancePath} ${e.keyword}`);

function validate(value: unknown): string[] {
  return validatePlan(value) ? [] : significant(validatePlan.errors);
}

function readPlanFixture(name: string): unknown {
  return parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------------------------

describe('plan schema: structure', () => {
  it('is a draft-07 schema with the v1alpha1 $id', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(SCHEMA_ID, 'https://consolidation.dev/schemas/consolidation-plan-v1alpha1.json');
    assert.deepEqual(schema.required, ['apiVersion', 'kind', 'metadata', 'spec']);
    const props = schema.properties as JsonObject;
    assert.equal((props.apiVersion as JsonObject).const, 'consolidation.dev/v1alpha1');
    assert.equal((props.kind as JsonObject).const, 'ConsolidationPlan');
    assert.deepEqual((props.spec as JsonObject).required as Json[], ['sources']);
  });

  it('compiles in ajv strict mode once the editor annotation keywords are declared (no misspelt keyword)', () => {
    // strictRequired is off because `if: {required: [...]}` names properties declared by the parent schema.
    const strict = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    strict.addVocabulary([
      'markdownDescription',
      'defaultSnippets',
      'patternErrorMessage',
      'errorMessage',
      'enumDescriptions',
      'markdownEnumDescriptions',
    ]);
    assert.doesNotThrow(() => strict.compile(schema));
  });

  it('describes every property (description and markdownDescription), directly or through its $ref', () => {
    const definitions = schema.definitions as JsonObject;
    const resolve = (node: JsonObject): JsonObject => {
      const ref = node.$ref;
      return typeof ref === 'string' ? (definitions[ref.replace('#/definitions/', '')] as JsonObject) : node;
    };
    const missing: string[] = [];
    const walk = (node: Json, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`));
      if (!isObject(node)) return;
      if (isObject(node.properties)) {
        for (const [name, child] of Object.entries(node.properties)) {
          if (!isObject(child)) continue;
          const described = (key: string) => typeof child[key] === 'string' || typeof resolve(child)[key] === 'string';
          if (!described('description') || !described('markdownDescription'))
            missing.push(`${where}/properties/${name}`);
        }
      }
      for (const [key, child] of Object.entries(node)) {
        // if/then/else only restate properties declared next to them.
        if (!['if', 'then', 'else'].includes(key)) walk(child, `${where}/${key}`);
      }
    };
    walk(schema, '#');
    assert.deepEqual(missing, []);
  });

  it('closes every object except the maps keyed by user names', () => {
    const open: string[] = [];
    const walk = (node: Json, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`));
      if (!isObject(node)) return;
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (types.includes('object') && node.additionalProperties === undefined) open.push(where);
      for (const [key, child] of Object.entries(node)) walk(child, `${where}/${key}`);
    };
    walk(schema, '#');
    // valueFrom is a Kubernetes EnvVarSource, copied as is.
    assert.deepEqual(open, ['#/definitions/container/properties/env/items/properties/valueFrom']);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('plan schema: fixtures', () => {
  const files = fs
    .readdirSync(FIXTURES)
    .filter((f) => /\.plan\.ya?ml$/.test(f))
    .sort();

  it('has the fixtures this suite is about', () => {
    for (const required of [
      'full-example.plan.yaml',
      'minimal.plan.yaml',
      'unknown-key.plan.yaml',
      'wrong-type.plan.yaml',
      'missing-sources.plan.yaml',
      'bad-strategy.plan.yaml',
      'bad-quantity.plan.yaml',
      'bad-percent.plan.yaml',
      'negative-replicas.plan.yaml',
    ]) {
      assert.ok(files.includes(required), `missing fixture ${required}`);
    }
  });

  for (const file of files) {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const valid = /^# expect: valid$/m.test(text);
    const expected = [...text.matchAll(/^# expect-error: (\S*) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    const title = valid ? `${file} is valid` : `${file} fails with ${expected.join('; ')}`;
    it(title, () => {
      assert.ok(
        valid !== expected.length > 0,
        `${file} must say "# expect: valid" or list "# expect-error: <instancePath> <keyword>"`,
      );
      assert.deepEqual(validate(parse(text)).sort(), expected);
    });
  }

  it('the issue example: a pod merge may carry ports and container (ignored), a replace merge must have a container', () => {
    const plan = readPlanFixture('full-example.plan.yaml') as {
      spec: { phases: { merge: Record<string, unknown>[] }[] };
    };
    const merge = plan.spec.phases[0].merge[0];
    assert.equal(merge.strategy, 'pod');
    assert.deepEqual(validate(plan), []);
    merge.strategy = 'replace';
    assert.deepEqual(validate(plan), []);
    delete merge.container;
    assert.deepEqual(validate(plan), ['/spec/phases/0/merge/0 required']);
    delete merge.strategy;
    assert.deepEqual(validate(plan), [], 'strategy defaults to pod, which needs no container');
  });

  it('reports an unknown key with its name, where the server can find it', () => {
    assert.equal(validatePlan(readPlanFixture('unknown-key.plan.yaml')), false);
    const error = validatePlan.errors!.find((e) => e.keyword === 'additionalProperties');
    assert.deepEqual(error?.params, { additionalProperty: 'cpus' });
  });

  it('reports a bad quantity once, as a pattern error with its hint', () => {
    assert.equal(validatePlan(readPlanFixture('bad-quantity.plan.yaml')), false);
    assert.equal(validatePlan.errors!.length, 1);
    const [error] = validatePlan.errors!;
    assert.equal(error.schemaPath, '#/definitions/quantity/pattern');
    const quantity = (schema.definitions as JsonObject).quantity as JsonObject;
    assert.match(String(quantity.patternErrorMessage), /Not a Kubernetes quantity/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('plan schema: value grammars', () => {
  const ajv = serverAjv();
  ajv.addSchema(schema);
  const definition = (name: string) => ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${name}` });

  const cases: { name: string; valid: unknown[]; invalid: unknown[] }[] = [
    {
      name: 'quantity',
      valid: [
        '500m',
        '2',
        '0.5',
        '.5',
        '1.',
        '+1',
        '1Gi',
        '512Mi',
        '1.5G',
        '64M',
        '1k',
        '2Ei',
        '1e3',
        '1E-3',
        '12e+2',
        16,
        0.25,
        0,
        '3500m',
      ],
      invalid: [
        '512mb',
        '1GB',
        '1gi',
        '1Gib',
        'Mi',
        '-1',
        -1,
        '1.5.2',
        '',
        ' 1Gi',
        '1 Gi',
        '1Ki1',
        '1e',
        '0x10',
        'm',
        true,
        null,
      ],
    },
    {
      name: 'percent',
      valid: ['150%', '100%', '0%', '87.5%', '33.333%'],
      invalid: ['150', 150, 1.5, '50 %', '.5%', '5.%', '%', '150%%', '-10%', '1.5x'],
    },
    {
      name: 'percentOrQuantity',
      valid: ['60%', '87.5%', '12Gi', '8', 8, '7500m', '1e3'],
      invalid: ['60 %', '12GB', '-1', -1, 'sixty', ''],
    },
    {
      name: 'workloadRef',
      valid: [
        'tts-direct',
        'other-ns/old-api',
        'caddy_reverse_proxy',
        'worker_1',
        'legacy/nginx.v1',
        'API',
        '9to5',
        'a',
      ],
      invalid: ['Other_NS/old-api', 'a/b/c', '-x', 'x-', '_x', 'ns/', '/name', '', 'two words', 'ns-/x'],
    },
    {
      name: 'dnsLabel',
      valid: ['quick-wins', 'p1', '1', 'a'.repeat(63)],
      invalid: ['Quick-Wins', 'quick_wins', 'quick.wins', '-a', 'a-', '', 'a'.repeat(64)],
    },
    {
      name: 'portTarget',
      valid: [8080, 1, 65535, 'http', 'metrics-v2'],
      invalid: [0, 65536, 80.5, 'HTTP', 'a-very-long-port-name', '', '-http'],
    },
    {
      name: 'extendedResources',
      valid: [{ 'nvidia.com/gpu': 2 }, { 'example.com/fpga': '1', 'amd.com/gpu': 1 }, {}],
      invalid: [{ gpu: 2 }, { 'nvidia.com/gpu': '2x' }, { cpu: 1 }, { 'nvidia.com/': 1 }],
    },
  ];

  for (const { name, valid, invalid } of cases) {
    it(`${name} accepts ${valid.map((v) => JSON.stringify(v)).join(', ')}`, () => {
      const check = definition(name);
      for (const value of valid)
        assert.ok(check(value), `${JSON.stringify(value)} should be a valid ${name}: ${JSON.stringify(check.errors)}`);
    });
    it(`${name} rejects ${invalid.map((v) => JSON.stringify(v)).join(', ')}`, () => {
      const check = definition(name);
      for (const value of invalid) assert.ok(!check(value), `${JSON.stringify(value)} should not be a valid ${name}`);
    });
  }

  it('takes pods as whole numbers from 0: budget, node pools, targets', () => {
    const base = () => readPlanFixture('minimal.plan.yaml') as { spec: Record<string, unknown> };
    const withBudget = (budget: unknown) => ({ ...base(), spec: { ...base().spec, budget } });
    assert.deepEqual(validate(withBudget({ pods: 0 })), []);
    assert.deepEqual(validate(withBudget({ pods: 1.5 })), ['/spec/budget/pods type']);
    assert.deepEqual(validate(withBudget({ pods: '110' })), ['/spec/budget/pods type']);
    assert.deepEqual(validate(withBudget({ nodes: [{ name: 'a', cpu: 4, memory: '8Gi', count: 0 }] })), [
      '/spec/budget/nodes/0/count minimum',
    ]);
    assert.deepEqual(validate(withBudget({ nodes: [{ name: 'a', cpu: 4 }] })), ['/spec/budget/nodes/0 required']);
    const withTargets = (targets: unknown) => ({
      ...base(),
      spec: { ...base().spec, phases: [{ name: 'p', targets }] },
    });
    assert.deepEqual(validate(withTargets({ pods: 50 })), []);
    assert.deepEqual(validate(withTargets({ pods: '50%' })), ['/spec/phases/0/targets/pods type']);
    assert.deepEqual(validate(withTargets({ cpu: '50%' })), ['/spec/phases/0/targets additionalProperties']);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

/** JSON with comments and trailing commas, as VS Code reads .code-snippets files. */
function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

/**
 * Expands a snippet body as VS Code would when every placeholder keeps its default: `${1:default}` (nested too) gives
 * its default, `${1|a,b|}` the choice picked by `pick`, `$1`/`${1}` the default of the same tabstop if it has one,
 * variables their default or nothing, `\$` `\}` `\\` the character.
 */
function expandSnippet(body: string, pick: (choices: string[]) => string = (choices) => choices[0]): string {
  const defaults = new Map<string, string>();
  const parseUntil = (text: string, start: number, stop: string | undefined): [string, number] => {
    let out = '';
    let i = start;
    while (i < text.length) {
      const c = text[i];
      if (stop !== undefined && c === stop) return [out, i];
      if (c === '\\' && i + 1 < text.length && '$}\\,|'.includes(text[i + 1])) {
        out += text[i + 1];
        i += 2;
      } else if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
        const m = /^[0-9]+/.exec(text.slice(i + 1))![0];
        out += defaults.get(m) ?? '';
        i += 1 + m.length;
      } else if (c === '$' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
        i += 1 + /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))![0].length;
      } else if (c === '$' && text[i + 1] === '{') {
        const m = /^([0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i + 2));
        assert.ok(m, `bad snippet syntax at ${text.slice(i, i + 20)}`);
        const id = m[1];
        i += 2 + id.length;
        let value = '';
        if (text[i] === ':') {
          [value, i] = parseUntil(text, i + 1, '}');
        } else if (text[i] === '|') {
          const end = text.indexOf('|}', i + 1);
          assert.ok(end > i, 'unterminated choice');
          value = pick(text.slice(i + 1, end).split(','));
          i = end + 1;
        } else if (text[i] === '/') {
          assert.fail('snippet transforms are not supported by this expander');
        }
        assert.equal(text[i], '}', `unterminated placeholder \${${id}`);
        i++;
        if (/^[0-9]+$/.test(id)) {
          if (!defaults.has(id) && value !== '') defaults.set(id, value);
          value ||= defaults.get(id) ?? '';
        }
        out += value;
      } else {
        out += c;
        i++;
      }
    }
    assert.equal(stop, undefined, `missing "${stop}"`);
    return [out, i];
  };
  return parseUntil(body, 0, undefined)[0];
}

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line.trim() ? ' '.repeat(spaces) + line : line))
    .join('\n');

describe('snippets', () => {
  const snippets = parseJsonc(fs.readFileSync(SNIPPETS_PATH, 'utf8')) as Record<string, Snippet>;
  const bodyOf = (name: string) => {
    const body = snippets[name]?.body;
    assert.ok(body, `no snippet "${name}"`);
    return Array.isArray(body) ? body.join('\n') : body;
  };
  /** Every variant of a snippet: one per position in its choices. */
  const variants = (name: string): string[] => {
    const body = bodyOf(name);
    const widest = Math.max(1, ...[...body.matchAll(/\$\{[0-9]+\|([^|]*)\|\}/g)].map((m) => m[1].split(',').length));
    return Array.from({ length: widest }, (_, k) =>
      expandSnippet(body, (choices) => choices[Math.min(k, choices.length - 1)]),
    );
  };
  const planWith = (specExtra: string) =>
    [
      'apiVersion: consolidation.dev/v1alpha1',
      'kind: ConsolidationPlan',
      'metadata:',
      '  name: snippet-test',
      'spec:',
      '  sources: [manifests/*.yaml]',
      specExtra,
    ].join('\n');

  it('every snippet file is valid JSON (comments allowed) with a prefix and a body per snippet', () => {
    for (const file of fs
      .readdirSync(path.dirname(SNIPPETS_PATH))
      .filter((f) => f.endsWith('.code-snippets') || f.endsWith('.json'))) {
      const parsed = parseJsonc(fs.readFileSync(path.join(path.dirname(SNIPPETS_PATH), file), 'utf8')) as Record<
        string,
        Snippet
      >;
      for (const [name, snippet] of Object.entries(parsed)) {
        assert.ok(
          typeof snippet.prefix === 'string' || Array.isArray(snippet.prefix),
          `${file}: ${name} has no prefix`,
        );
        assert.ok(typeof snippet.body === 'string' || Array.isArray(snippet.body), `${file}: ${name} has no body`);
      }
    }
  });

  it('has the six snippets with their prefixes', () => {
    const prefixes = Object.fromEntries(Object.entries(snippets).map(([name, s]) => [name, s.prefix]));
    assert.deepEqual(prefixes, {
      'Consolidation plan': 'plan',
      Phase: 'phase',
      'Merge (pod)': 'merge',
      'Merge (replace)': 'merge-replace',
      Budget: 'budget',
      'Node pool': 'nodes',
    });
  });

  it('the snippet expander handles nesting, choices, mirrors and escapes', () => {
    assert.equal(expandSnippet('a: ${1:x${2:y}z} b: $1 c: ${3|p,q|} d: \\$4 e: $0'), 'a: xyz b: xyz c: p d: $4 e: ');
    assert.equal(
      expandSnippet('${1|p,q|}', (c) => c[1]),
      'q',
    );
  });

  it('the plan snippet, with its defaults, is a valid plan', () => {
    for (const text of variants('Consolidation plan')) assert.deepEqual(validate(parse(text)), [], text);
  });

  it('the budget and node pool snippets are valid where they go', () => {
    for (const budget of variants('Budget')) assert.deepEqual(validate(parse(planWith(indent(budget, 2)))), [], budget);
    const nodes = expandSnippet(bodyOf('Node pool'));
    assert.deepEqual(validate(parse(planWith(indent(`budget:\n  cpu: "8"\n${indent(nodes, 2)}`, 2)))), [], nodes);
  });

  it('the phase and merge snippets are valid where they go', () => {
    const phase = expandSnippet(bodyOf('Phase'));
    assert.deepEqual(validate(parse(planWith(`  phases:\n${indent(phase, 4)}`))), [], phase);
    for (const name of ['Merge (pod)', 'Merge (replace)']) {
      const merge = expandSnippet(bodyOf(name));
      const plan = planWith(`  phases:\n    - name: merge-phase\n      merge:\n${indent(merge, 8)}`);
      assert.deepEqual(validate(parse(plan)), [], plan);
    }
  });

  it('the merge snippets set the strategy they are named after', () => {
    assert.match(expandSnippet(bodyOf('Merge (pod)')), /^ {2}strategy: pod$/m);
    assert.match(expandSnippet(bodyOf('Merge (replace)')), /^ {2}strategy: replace$/m);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

interface GrammarRule {
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  include?: string;
  name?: string;
  patterns?: GrammarRule[];
  captures?: Record<string, { name?: string }>;
}
interface Grammar {
  scopeName: string;
  patterns: GrammarRule[];
  injections?: Record<string, GrammarRule>;
  repository: Record<string, GrammarRule>;
}

describe('grammar', () => {
  const grammar = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as Grammar;
  const rules = (): { where: string; rule: GrammarRule }[] => {
    const out: { where: string; rule: GrammarRule }[] = [];
    const visit = (rule: GrammarRule, where: string) => {
      out.push({ where, rule });
      rule.patterns?.forEach((r, i) => visit(r, `${where}/patterns/${i}`));
    };
    grammar.patterns.forEach((r, i) => visit(r, `patterns/${i}`));
    for (const [selector, rule] of Object.entries(grammar.injections ?? {})) visit(rule, `injections/${selector}`);
    for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository/${name}`);
    return out;
  };
  const regexOf = (name: string) => new RegExp(grammar.repository[name].match!, 'u');

  it('is the consolidation-plan grammar on top of source.yaml', () => {
    assert.equal(grammar.scopeName, 'source.yaml.consolidation-plan');
    assert.deepEqual(grammar.patterns, [{ include: 'source.yaml' }]);
    for (const selector of Object.keys(grammar.injections ?? {})) {
      assert.match(
        selector,
        /^L:source\.yaml\.consolidation-plan /,
        `injection "${selector}" must be limited to plan files`,
      );
    }
  });

  it('every regex compiles as a JavaScript RegExp (unicode mode) and uses no Oniguruma-only construct', () => {
    let count = 0;
    for (const { where, rule } of rules()) {
      for (const key of ['match', 'begin', 'end', 'while'] as const) {
        const source = rule[key];
        if (source === undefined) continue;
        count++;
        assert.doesNotThrow(() => new RegExp(source, 'u'), `${where}.${key}: ${source}`);
        assert.doesNotMatch(
          source,
          /\\[GAzZhH]|\(\?>|[*+?}][+]|\(\?[imx]+[):]|\\p\{(Cntrl|Surrogate)\}/,
          `${where}.${key} is Oniguruma-only: ${source}`,
        );
      }
    }
    assert.ok(count >= 8, `only ${count} regexes found`);
  });

  it('every include resolves', () => {
    for (const { where, rule } of rules()) {
      if (!rule.include || !rule.include.startsWith('#')) continue;
      assert.ok(grammar.repository[rule.include.slice(1)], `${where}: ${rule.include} is not in the repository`);
    }
  });

  it('gives the plan keys their own scope, whole keys only', () => {
    const key = regexOf('plan-key');
    const keys = [
      'sources',
      'budget',
      'phases',
      'remove',
      'scale',
      'resize',
      'merge',
      'from',
      'strategy',
      'targets',
      'limitsOvercommit',
      'podOverhead',
      'nodes',
      'extended',
      'containers',
      'requests',
      'limits',
    ];
    for (const k of keys) {
      assert.equal(key.exec(`  ${k}:`)?.[1], k, `block key ${k}`);
      assert.equal(key.exec(`- ${k}: x`)?.[1], k, `key ${k} in a sequence entry`);
      assert.equal(key.exec(`{a: 1, ${k}: 2}`)?.[1], k, `flow key ${k}`);
      assert.equal(key.exec(`{${k}: 2}`)?.[1], k, `first flow key ${k}`);
    }
    for (const line of ['  my-sources:', '  sourcesx:', '  sources_2:', '  name: sources', '  podOverheads:']) {
      assert.equal(key.exec(line), null, line);
    }
    assert.equal(grammar.repository['plan-key'].name, 'keyword.other.consolidation-plan.$1');
  });

  it('highlights apiVersion, kind, strategy values, percentages and quantities', () => {
    assert.ok(regexOf('api-version').test('apiVersion: consolidation.dev/v1alpha1'));
    assert.ok(!regexOf('api-version').test('apiVersion: consolidation.dev/v1alpha10'));
    assert.ok(regexOf('kind').test('kind: ConsolidationPlan  # plan'));
    const strategy = regexOf('strategy');
    assert.equal(strategy.exec('strategy: pod')?.[1], 'pod');
    assert.equal(strategy.exec('{strategy: replace, x: 1}')?.[1], 'replace');
    assert.equal(strategy.exec('strategy: podman'), null);
    assert.equal(strategy.exec('name: pod'), null);
    const percent = regexOf('percentage');
    assert.equal(percent.exec('limitsOvercommit: 150%')?.[0], '150%');
    assert.equal(percent.exec('{cpuRequests: 62.5%, x: 1}')?.[0], '62.5%');
    assert.equal(percent.exec('x: 50 %'), null);
    assert.match(grammar.repository.percentage.name!, /^constant\.numeric\.percentage/);
    const quantity = regexOf('quantity');
    for (const [line, expected] of [
      ['memory: 32Gi', '32Gi'],
      ['{cpu: 500m, memory: 1Gi}', '500m'],
      ['cpu: 1.5k  # comment', '1.5k'],
    ]) {
      assert.equal(quantity.exec(line)?.[0], expected, line);
    }
    for (const line of ['memory: 512mb', 'memory: 16', 'image: python:3.11-slim', 'memory: 1Gi#x', 'from: [a1m]']) {
      assert.equal(quantity.exec(line), null, line);
    }
    const quoted = regexOf('quoted-quantity');
    assert.equal(quoted.exec('cpu: "16"')?.[0], '16');
    assert.equal(quoted.exec("memory: '512Mi'")?.[0], '512Mi');
    assert.equal(quoted.exec('image: "16-alpine"'), null);
  });

  it('only touches YAML keys and scalars, never block scalars or comments', () => {
    const selectors = Object.keys(grammar.injections ?? {});
    assert.ok(
      selectors.some((s) => /entity\.name\.tag\.yaml/.test(s)),
      'keys are refined inside YAML key tokens',
    );
    for (const selector of selectors.filter((s) => /string\.unquoted(?!\.block)/.test(s))) {
      assert.match(selector, /- string\.unquoted\.block/, `${selector} must exclude block scalars`);
    }
  });
});
