// Deterministic inputs for the robustness tests: a seeded PRNG, the seed files, mutation operators, hostile texts
// and a generator of random (but mostly well-formed) plans. No engine code is used here.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const DEFAULT_MAX_FILE_BYTES = 2048 * 1024;

/** mulberry32: small, fast, and the same sequence everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) if ((x -= w) < 0) return item;
    return items[items.length - 1][0];
  }
}

// ---- projects: a plan and the files it reads, by path relative to a folder ----

export interface Project {
  name: string;
  /** Relative path → text. */
  files: Map<string, string>;
  /** Relative path of the plan, when the project has one. */
  plan?: string;
  /** The plan's `spec.sources`, for generated plans. */
  sources: string[];
}

const PLAN_HEADER = (name: string, sources: string[]) =>
  `apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata:\n  name: ${name}\nspec:\n  sources:\n${sources.map((s) => `    - ${s}`).join('\n')}\n`;

/** The example folders (plan + manifests + .env) and the corpus apps (their files under k8s/ or compose/, with a plain plan). */
export function loadProjects(): Project[] {
  const projects: Project[] = [];
  const examples = path.join(REPO_ROOT, 'examples');
  for (const planFile of existsSync(examples)
    ? globSync(['*/*.plan.yaml', '*/*.plan.yml'], { cwd: examples, absolute: true }).sort()
    : []) {
    const dir = path.dirname(planFile);
    const files = new Map<string, string>();
    for (const f of globSync(['**/*.yaml', '**/*.yml', '**/.env'], { cwd: dir, absolute: true, dot: true }).sort())
      files.set(path.relative(dir, f).split(path.sep).join('/'), readFileSync(f, 'utf8'));
    const plan = path.relative(dir, planFile).split(path.sep).join('/');
    projects.push({ name: `examples/${path.basename(dir)}`, files, plan, sources: [] });
  }
  if (existsSync(CORPUS)) {
    const apps: [string, string[], boolean][] = [
      ['online-boutique', ['online-boutique/**/*.yaml'], false],
      ['sock-shop', ['sock-shop/deploy/kubernetes/manifests/*'], false],
      ['sock-shop-compose', ['sock-shop/deploy/docker-compose/docker-compose.yml'], true],
      ['dsb-social', ['deathstarbench/socialNetwork/openshift/**/*.y*ml'], false],
      ['dsb-social-compose', ['deathstarbench/socialNetwork/docker-compose.yml'], true],
      ['dsb-hotel', ['deathstarbench/hotelReservation/kubernetes/**'], false],
      ['bookinfo', ['bookinfo/**/*.yaml'], false],
      ['aks-store', ['aks-store-demo/aks-store-all-in-one.yaml', 'aks-store-demo/aks-store-quickstart.yaml'], false],
      ['aks-store-compose', ['aks-store-demo/docker-compose*.yml'], true],
      ['otel-k8s', ['otel-demo/kubernetes/opentelemetry-demo.yaml'], false],
      ['otel-compose', ['otel-demo/compose*.yaml', 'otel-demo/.env'], true],
      ['eshop', ['eshoponcontainers/src/docker-compose*.yml', 'eshoponcontainers/src/.env'], true],
    ];
    for (const [name, globs, compose] of apps) {
      const files = new Map<string, string>();
      const folder = compose ? 'compose' : 'k8s';
      for (const f of globSync(globs, { cwd: CORPUS, absolute: true, dot: true }).sort()) {
        const base = path.relative(CORPUS, f).split(path.sep).slice(1).join('__');
        files.set(`${folder}/${path.basename(f) === '.env' ? '.env' : base}`, readFileSync(f, 'utf8'));
      }
      if (files.size === 0) continue;
      const sources = compose ? [...files.keys()].filter((f) => !f.endsWith('.env')) : ['k8s/**/*.y*ml'];
      files.set(`${name}.plan.yaml`, PLAN_HEADER(name, sources));
      projects.push({ name: `corpus/${name}`, files, plan: `${name}.plan.yaml`, sources });
    }
  }
  return projects;
}

/** Workload-like names written in a project's files (metadata names, container names, compose service keys). */
export function namesIn(project: Project): string[] {
  const names = new Set<string>();
  for (const [file, text] of project.files) {
    if (file.endsWith('.plan.yaml') || file.endsWith('.env')) continue;
    for (const m of text.matchAll(/^\s*-?\s*name:\s*["']?([A-Za-z0-9][\w.-]*)/gm)) names.add(m[1]);
    for (const m of text.matchAll(/^ {2}([A-Za-z0-9][\w.-]*):\s*$/gm)) names.add(m[1]);
  }
  return [...names];
}

// ---- hostile texts ----

export function aliasBomb(levels = 10, width = 9): string {
  let out = `a0: &a0 [${Array(width).fill('x').join(',')}]\n`;
  for (let i = 1; i < levels; i++)
    out += `a${i}: &a${i} [${Array(width)
      .fill(`*a${i - 1}`)
      .join(',')}]\n`;
  return out;
}

/** The same, with mappings (label maps, resource lists) and a merge key at the top. */
export function mapAliasBomb(levels = 10, width = 9): string {
  const keys = Array.from({ length: width }, (_, i) => `k${i}`);
  let out = `m0: &m0 {${keys.map((k) => `${k}: x`).join(', ')}}\n`;
  for (let i = 1; i < levels; i++) out += `m${i}: &m${i} {${keys.map((k) => `${k}: *m${i - 1}`).join(', ')}}\n`;
  out += `merged:\n  <<: [*m${levels - 1}, *m${levels - 2}]\n`;
  return out;
}

/**
 * Both bombs as keys of a mapping indented by two: the sequence bomb's anchors renamed `xa0`…`xa9`
 * and the map bomb's `ym0`…`ym9`, so the two can be aliased side by side.
 */
function embeddedBombs(): string[] {
  const rename = (text: string, from: string, to: string) =>
    text.replace(new RegExp(`([&*])${from}(\\d)`, 'g'), `$1${to}$2`);
  return [
    ...rename(aliasBomb(), 'a', 'xa')
      .trimEnd()
      .split('\n')
      .map((l) => `  x${l}`),
    ...rename(mapAliasBomb(), 'm', 'ym')
      .trimEnd()
      .split('\n')
      .map((l) => `  y${l}`),
  ];
}

/** A Kubernetes Deployment whose containers, labels and resources are alias bombs. */
export function kubernetesAliasBomb(): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: bomb',
    ...embeddedBombs(),
    'spec:',
    '  replicas: 2',
    '  selector: {matchLabels: *ym9}',
    '  template:',
    '    metadata: {labels: *ym9}',
    '    spec:',
    '      containers: *xa9',
    '      initContainers: [{name: i, resources: {requests: *ym9, limits: *ym8}}]',
    '',
  ].join('\n');
}

/** A plan whose sources, phases and merges are alias bombs. */
export function planAliasBomb(): string {
  return [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata: {name: bomb}',
    'spec:',
    ...embeddedBombs(),
    '  sources: *xa9',
    '  budget: {cpu: "4", memory: 8Gi, extended: *ym9, podOverhead: *ym9}',
    '  phases:',
    '    - name: p',
    '      remove: *xa9',
    '      scale: *ym9',
    '      resize: *ym9',
    '      merge: [{name: m, from: *xa9, ports: *ym9}]',
    '      targets: *ym9',
    '',
  ].join('\n');
}

export function deepNesting(kind: '[' | '{' | '- ' | 'block' | 'mixed', depth = 10_000): string {
  switch (kind) {
    case '[':
      return '['.repeat(depth);
    case '{':
      return '{a: '.repeat(depth);
    case '- ':
      return '- '.repeat(depth) + 'x\n';
    case 'block': {
      const levels = Math.min(depth, 1500);
      let out = '';
      for (let i = 0; i < levels; i++) out += ' '.repeat(i) + 'a:\n';
      return out;
    }
    case 'mixed':
      return '[{'.repeat(depth / 2) + ']}'.repeat(depth / 4);
  }
}

const INSERT_TOKENS = [
  ': ',
  ':',
  '[',
  ']',
  '{',
  '}',
  '*',
  '&',
  '!',
  '%',
  '@',
  '`',
  '\t',
  '- ',
  '? ',
  '|',
  '>',
  '<<: ',
  '"',
  "'",
  '#',
  ',',
  '\\',
  '---\n',
  '...\n',
  '*a',
  '&a ',
  '*undefined',
  '!!binary ',
  '!!int ',
  '!!map ',
  '!custom ',
  '%YAML 1.2\n',
  '%TAG ! tag:x,2000:\n',
  '${',
  '${VAR:?err}',
  '${A:-${B:-${C}}}',
  '$$',
  '{{ .Values.x }}',
  '\u00a0',
  '\u2028',
  '\u0085',
  '\r',
  '\v',
  '\f',
  '0x',
  'e+',
  '.',
];
const WEIRD_VALUES = [
  '',
  '~',
  'null',
  '[]',
  '{}',
  '[[]]',
  '{a: {b: {}}}',
  '*undefined',
  '!!binary AAAA',
  '!custom x',
  '"unterminated',
  "'x''y'",
  '0o17',
  '0x1F',
  '.inf',
  '-.inf',
  '.nan',
  '1_000',
  '2001-12-14t21:59:43.10-05:00',
  'yes',
  'no',
  'on',
  'off',
  '1e3',
  '-0',
  '-1',
  '1.5',
  '0.0000001',
  '1e-9',
  '1e308',
  '-1e308',
  '9007199254740993',
  '100000000000000000000000000000',
  '__proto__',
  'constructor',
  'toString',
  '"${UNSET}"',
  '${X:-1}',
  '"\\x00"',
  '"\\ud800"',
  '|\n  block\n',
  '>-\n  folded\n',
];
const WEIRD_QUANTITIES = [
  '0',
  '1',
  '1m',
  '0.5',
  '100m',
  '"100m"',
  '64Mi',
  '1Gi',
  '1G',
  '1g',
  '1gb',
  '512M',
  '512mb',
  '3500m',
  '1.5Gi',
  '1e3',
  '1E3',
  '1e-3',
  '.5',
  '5.',
  '+1',
  '-1',
  '-100m',
  '1Mi1',
  'Mi',
  'm',
  '1 Gi',
  '1KiB',
  '1ki',
  '0.1m',
  '1.0001m',
  '1e308',
  '1e400',
  '9999999999999999999Ei',
  '8Ei',
  '16Ei',
  '1e18',
  '18446744073709551616',
  '0x10',
  '1_000',
  '.inf',
  '.nan',
  'NaN',
  'Infinity',
  '∞',
  '１',
  '٣',
  'true',
  '[1]',
  '{a: 1}',
  '~',
  '""',
  "''",
  '${CPU}',
  '${MEM:-1G}',
  '"${MEM:?unset}"',
  '50%',
  '150%',
  '0%',
  '1000.001%',
];
const QUANTITY_KEY =
  /^(\s*-?\s*)(cpu|memory|cpus|mem_limit|mem_reservation|ephemeral-storage|nvidia\.com\/gpu|replicas|scale|count|pods|limitsOvercommit|cpuRequests|memoryRequests|cpuLimits|memoryLimits|containerPort|port|targetPort)(\s*:\s*)(.*)$/;
const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '""',
  '"a: b"',
  '? k',
  '<<',
  '1',
  'null',
  '~',
  'true',
  'apiVersion',
  'kind',
  'services',
  'spec',
  'name',
  'metadata',
  'phases',
  'sources',
  'merge',
  'from',
  'containers',
  'ünïcödé',
  'a b',
  'a/b/c',
];

export type Mutator = (text: string, rng: Rng) => string;

const lines = (t: string) => t.split('\n');
const offset = (t: string, rng: Rng) => rng.int(t.length + 1);
const splice = (t: string, at: number, remove: number, insert: string) =>
  t.slice(0, at) + insert + t.slice(at + remove);

export const MUTATORS: Record<string, Mutator> = {
  deleteLines(t, rng) {
    const l = lines(t);
    l.splice(rng.int(l.length), rng.range(1, 3));
    return l.join('\n');
  },
  duplicateLines(t, rng) {
    const l = lines(t);
    const at = rng.int(l.length);
    l.splice(at, 0, ...l.slice(at, at + rng.range(1, 4)));
    return l.join('\n');
  },
  swapLines(t, rng) {
    const l = lines(t);
    const a = rng.int(l.length);
    const b = rng.int(l.length);
    [l[a], l[b]] = [l[b], l[a]];
    return l.join('\n');
  },
  flipChars(t, rng) {
    let out = t;
    for (let i = rng.range(1, 5); i > 0; i--)
      out = splice(
        out,
        rng.int(Math.max(1, out.length)),
        1,
        String.fromCharCode(rng.pick([rng.range(32, 126), rng.range(0, 0xffff), 0x3a, 0x20, 0x2d])),
      );
    return out;
  },
  insertToken(t, rng) {
    let out = t;
    for (let i = rng.range(1, 4); i > 0; i--) out = splice(out, offset(out, rng), 0, rng.pick(INSERT_TOKENS));
    return out;
  },
  truncate(t, rng) {
    return t.slice(0, offset(t, rng));
  },
  reindent(t, rng) {
    const l = lines(t);
    for (let i = rng.range(1, 3); i > 0; i--) {
      const at = rng.int(l.length);
      const choice = rng.int(4);
      if (choice === 0) l[at] = ' '.repeat(rng.range(1, 4)) + l[at];
      else if (choice === 1) l[at] = l[at].replace(/^ {1,4}/, '');
      else if (choice === 2) l[at] = l[at].replace(/^ +/, (s) => '\t'.repeat(Math.ceil(s.length / 2)));
      else l[at] = l[at].replace(/^( *)/, (s) => s + s);
    }
    return l.join('\n');
  },
  quantityNoise(t, rng) {
    const l = lines(t);
    const candidates = l
      .map((line, i) => (line.length < 500 && QUANTITY_KEY.test(line) ? i : -1))
      .filter((i) => i >= 0);
    if (candidates.length === 0) return MUTATORS.insertToken(t, rng);
    for (let i = rng.range(1, 3); i > 0; i--) {
      const at = rng.pick(candidates);
      l[at] = l[at].replace(QUANTITY_KEY, (_, pre, key, sep) => `${pre}${key}${sep}${rng.pick(WEIRD_QUANTITIES)}`);
    }
    return l.join('\n');
  },
  valueNoise(t, rng) {
    const l = lines(t);
    const at = rng.int(l.length);
    if (l[at].length < 500) l[at] = l[at].replace(/:\s+(.*)$/, () => `: ${rng.pick(WEIRD_VALUES)}`);
    return l.join('\n');
  },
  keyNoise(t, rng) {
    const l = lines(t);
    const at = rng.int(l.length);
    if (l[at].length < 500)
      l[at] = l[at].replace(
        /^(\s*-?\s*)([A-Za-z_][\w./-]*)(\s*:)/,
        (_, pre, _key, colon) => `${pre}${rng.pick(ODD_KEYS)}${colon}`,
      );
    return l.join('\n');
  },
  aliasBomb(t, rng) {
    const bomb = rng.chance(0.5) ? aliasBomb() : mapAliasBomb();
    const l = lines(t);
    // Either new top-level keys, or a value replaced by the bomb's last alias.
    if (rng.chance(0.5)) return bomb + t;
    const at = rng.int(l.length);
    const alias = bomb.startsWith('a0') ? '*a9' : '*m9';
    if (l[at].length < 500) l[at] = l[at].replace(/:\s*(.*)$/, `: ${alias}`);
    return bomb + l.join('\n');
  },
  deepNesting(t, rng) {
    return splice(
      t,
      offset(t, rng),
      0,
      deepNesting(rng.pick(['[', '{', '- ', 'block', 'mixed'] as const), rng.pick([100, 1000, 10_000])),
    );
  },
  longLine(t, rng) {
    const n = rng.pick([10_000, 50_000, 100_000]);
    const line = rng.pick([
      `image: ${'x'.repeat(n)}`,
      `${'k'.repeat(n)}: v`,
      `# ${'c'.repeat(n)}`,
      `name: "${'é'.repeat(n / 2)}"`,
      `${'a: '.repeat(n / 3)}`,
    ]);
    const l = lines(t);
    l.splice(rng.int(l.length + 1), 0, line);
    return l.join('\n');
  },
  nulBytes(t, rng) {
    let out = t;
    for (let i = rng.range(1, 4); i > 0; i--) out = splice(out, offset(out, rng), 0, '\u0000');
    return out;
  },
  surrogates(t, rng) {
    let out = t;
    for (let i = rng.range(1, 4); i > 0; i--)
      out = splice(
        out,
        offset(out, rng),
        0,
        rng.pick(['\ud800', '\udfff', '\udbff\udbff', '\udc00\ud800', '\ufffe', '\uffff', '😀'.slice(0, 1), '😀']),
      );
    return out;
  },
  bom(t, rng) {
    return rng.chance(0.7) ? '\ufeff' + t : splice(t, offset(t, rng), 0, '\ufeff');
  },
  crlf(t, rng) {
    return rng.chance(0.7) ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, '\r');
  },
  randomBytes(t, rng) {
    const bytes = Buffer.alloc(rng.range(1, 4096));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    const text = bytes.toString(rng.chance(0.5) ? 'utf8' : 'latin1');
    return rng.chance(0.4) ? text : splice(t, offset(t, rng), rng.int(200), text);
  },
};

/** Common operators often, heavy ones now and then. */
const MUTATOR_WEIGHTS: [string, number][] = [
  ['deleteLines', 10],
  ['duplicateLines', 8],
  ['swapLines', 6],
  ['flipChars', 10],
  ['insertToken', 10],
  ['truncate', 5],
  ['reindent', 8],
  ['quantityNoise', 12],
  ['valueNoise', 8],
  ['keyNoise', 8],
  ['aliasBomb', 3],
  ['deepNesting', 2],
  ['longLine', 2],
  ['nulBytes', 3],
  ['surrogates', 3],
  ['bom', 3],
  ['crlf', 4],
  ['randomBytes', 2],
];

export function mutate(text: string, rng: Rng, count = rng.range(1, 3)): { text: string; applied: string[] } {
  let out = text;
  const applied: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = rng.weighted(MUTATOR_WEIGHTS);
    out = MUTATORS[name](out, rng);
    applied.push(name);
  }
  return { text: out, applied };
}

/** A text over `maxBytes` characters (and bytes) that still looks like a Kubernetes manifest. */
export function oversized(text: string, maxBytes: number): string {
  const base = /^(apiVersion|kind)\s*:/m.test(text)
    ? text
    : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n${text}`;
  const padding = Math.max(0, maxBytes + 1 - base.length);
  return `${base}\n# ${'x'.repeat(padding)}\n`;
}

// ---- generated plans ----

const SMALL_COUNTS = [0, 1, 1, 1, 2, 3, 5, 10, 100];
const CPU_VALUES = ['100m', '250m', '500m', '1', '2', '"4"', '0.5', '1500m', '0', '16', '64'];
const MEMORY_VALUES = ['64Mi', '256Mi', '1Gi', '2Gi', '8Gi', '512M', '0', '32Gi', '1.5Gi', '100'];

/** A random plan over the given workload names: every construct the format has, with plausible (bounded) numbers. */
export function generatePlan(rng: Rng, name: string, sources: string[], names: string[]): string {
  const ref = () => {
    if (names.length === 0 || rng.chance(0.08))
      return rng.pick(['ghost', 'default/ghost', 'a/b/c', '', '"spaced name"', 'x'.repeat(300)]);
    const n = rng.pick(names);
    if (rng.chance(0.1)) return n.slice(0, -1) || n;
    return rng.chance(0.1) ? `${rng.pick(['default', 'prod', 'sock-shop', 'otel-demo', 'social-network'])}/${n}` : n;
  };
  const resources = (indent: string) => {
    const parts: string[] = [];
    for (const kind of ['requests', 'limits']) {
      if (rng.chance(0.3)) continue;
      const entries = [
        `cpu: ${rng.chance(0.1) ? rng.pick(WEIRD_QUANTITIES) : rng.pick(CPU_VALUES)}`,
        `memory: ${rng.chance(0.1) ? rng.pick(WEIRD_QUANTITIES) : rng.pick(MEMORY_VALUES)}`,
      ];
      if (rng.chance(0.1)) entries.push(`nvidia.com/gpu: ${rng.pick(['1', '2', '0.5'])}`);
      parts.push(`${indent}${kind}: { ${entries.filter(() => rng.chance(0.8)).join(', ')} }`);
    }
    return parts;
  };
  const out = [PLAN_HEADER(name, sources).trimEnd()];
  if (rng.chance(0.4))
    out.push(
      `  namespace: ${rng.pick(['default', 'prod', 'sock-shop', 'otel-demo', 'odin-prime', 'openpolicy', 'ops-platform', 'aiwfe'])}`,
    );
  if (rng.chance(0.8)) {
    out.push('  budget:');
    if (rng.chance(0.9)) out.push(`    cpu: ${rng.pick(CPU_VALUES)}`);
    if (rng.chance(0.9)) out.push(`    memory: ${rng.pick(MEMORY_VALUES)}`);
    if (rng.chance(0.6)) out.push(`    pods: ${rng.pick(SMALL_COUNTS)}`);
    if (rng.chance(0.3)) out.push(`    limitsOvercommit: "${rng.pick(['100%', '150%', '0%', '250.5%'])}"`);
    if (rng.chance(0.3)) out.push(`    podOverhead: { cpu: 10m, memory: 32Mi }`);
    if (rng.chance(0.2)) out.push(`    extended: { nvidia.com/gpu: ${rng.pick(['1', '4'])} }`);
    if (rng.chance(0.5)) {
      out.push('    nodes:');
      for (let i = rng.range(1, 3); i > 0; i--) {
        out.push(`      - name: pool-${i}`);
        out.push(`        count: ${rng.pick([0, 1, 2, 3, 5, 20])}`);
        out.push(`        cpu: ${rng.pick(CPU_VALUES)}`);
        out.push(`        memory: ${rng.pick(MEMORY_VALUES)}`);
        if (rng.chance(0.5)) out.push(`        pods: ${rng.pick([0, 1, 10, 110])}`);
      }
    }
  }
  const merged: string[] = [];
  const phases = rng.range(0, 4);
  if (phases > 0) out.push('  phases:');
  for (let p = 0; p < phases; p++) {
    out.push(`    - name: ${rng.chance(0.9) ? `phase-${p}` : rng.pick(['', '"phase-0"', 'x'.repeat(80)])}`);
    if (rng.chance(0.5)) out.push(`      description: ${rng.pick(['text', '"quoted"', '|\n        block'])}`);
    if (rng.chance(0.5)) out.push(`      remove: [${Array.from({ length: rng.range(0, 3) }, ref).join(', ')}]`);
    if (rng.chance(0.5)) {
      out.push('      scale:');
      for (let i = rng.range(1, 3); i > 0; i--)
        out.push(
          `        ${ref() || 'x'}: ${rng.chance(0.9) ? rng.pick(SMALL_COUNTS) : rng.pick(['-1', '1.5', '"3"', 'null'])}`,
        );
    }
    if (rng.chance(0.4)) {
      out.push('      resize:');
      const target = rng.chance(0.3) && merged.length ? rng.pick(merged) : ref() || 'x';
      out.push(`        ${target}:`);
      if (rng.chance(0.5)) out.push(...resources('          '));
      else {
        out.push('          containers:');
        out.push(`            ${rng.pick([...names.slice(0, 5), 'main', 'nope'])}:`);
        out.push(...resources('              '));
      }
    }
    if (rng.chance(0.6)) {
      out.push('      merge:');
      for (let i = rng.range(1, 2); i > 0; i--) {
        const mergeName = `merged-${p}-${i}`;
        merged.push(mergeName);
        const strategy = rng.pick(['pod', 'replace', 'pod', 'bogus']);
        out.push(`        - name: ${mergeName}`);
        out.push(`          strategy: ${strategy}`);
        out.push(
          `          from: [${Array.from({ length: rng.range(0, 4) }, () => (rng.chance(0.2) && merged.length > 1 ? rng.pick(merged) : ref())).join(', ')}]`,
        );
        if (rng.chance(0.5)) out.push(`          replicas: ${rng.pick(SMALL_COUNTS)}`);
        if (rng.chance(0.3))
          out.push(`          ports: { 80: 8080, 443: https, ${rng.range(1, 70000)}: ${rng.range(0, 70000)} }`);
        if (strategy === 'replace' || rng.chance(0.2)) {
          out.push('          container:');
          out.push(`            image: ${rng.pick(['registry/app:1', '""', 'x'])}`);
          if (rng.chance(0.5))
            out.push(`            ports: [${rng.pick(['8080', '{containerPort: 80}', '"http"', '70000'])}]`);
          out.push('            resources:');
          out.push(...resources('              '));
        }
      }
    }
    if (rng.chance(0.5)) {
      out.push('      targets:');
      for (const metric of ['pods', 'cpuRequests', 'memoryRequests', 'cpuLimits', 'memoryLimits']) {
        if (rng.chance(0.5)) continue;
        const value =
          metric === 'pods'
            ? rng.pick(['5', '50%', '0'])
            : rng.pick(['50%', '62.5%', metric.startsWith('cpu') ? '2' : '4Gi', '0%', '-5%', '2Gi']);
        out.push(`        ${metric}: ${value}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
