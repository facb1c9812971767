// fast-check arbitraries for the property-based fuzz harness (property.test.ts, propertyRun.ts):
// plans built from the plan schema's own patterns and enums, Kubernetes manifests and compose files in
// the shapes real apps use, mutations of the corpus and example projects, and edit sequences.
// A case is a small folder of files: a plan and the sources it reads.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadProjects, mutate, namesIn, REPO_ROOT, Rng, type Project } from '../helpers/fuzzInputs';

export interface PropertyCase {
  /** Relative path → text, written into a fresh folder. */
  files: [string, string][];
  /** Relative path of the plan. */
  plan: string;
  /**
   * 'grammar': every file generated well-formed (the arithmetic properties apply);
   * 'corpus': real files under a generated plan (the arithmetic properties apply);
   * 'mutated': mutated texts (only no-crash, no-hang and ranges apply).
   */
  origin: 'grammar' | 'corpus' | 'mutated';
  label: string;
}

// ---- the schema's grammar ----

interface SchemaNode {
  pattern?: string;
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  $ref?: string;
}
const SCHEMA = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'consolidation-plan.schema.json'), 'utf8')) as {
  properties: { metadata: { properties: { name: SchemaNode } } };
  definitions: Record<string, SchemaNode>;
};
const definition = (name: string): SchemaNode => SCHEMA.definitions[name];
const pattern = (name: string) => new RegExp(definition(name).pattern!);

/**
 * Anything the schema's quantity pattern allows, within what a cluster holds (at most 10^6 cores, 1 TB): a whole
 * plan's sum (thousands of containers) must stay below 2^53 millicores or bytes to be exact in a JavaScript number.
 */
const MULTIPLIER: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const schemaQuantity = (max: number) =>
  fc.stringMatching(pattern('quantity')).filter((q) => {
    const m = /^\+?([0-9.]+(?:[eE][-+]?[0-9]+)?)([kMGTPE]i|[mkMGTPE])?$/.exec(q);
    return !!m && q.length < 12 && Number(m[1]) * MULTIPLIER[m[2] ?? ''] <= max;
  });

/** Quantities: mostly the ones people write, sometimes anything the schema's quantity pattern allows. */
const cpuQuantity = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('10m', '50m', '100m', '250m', '500m', '750m', '1', '2', '0.5', '1500m', '4', '0'),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 8000 }).map((m) => `${m}m`) },
  { weight: 1, arbitrary: schemaQuantity(1e6) },
);
const memoryQuantity = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      '16Mi',
      '64Mi',
      '128Mi',
      '256Mi',
      '512Mi',
      '1Gi',
      '2Gi',
      '1.5Gi',
      '500M',
      '1G',
      '100Ki',
      '0',
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4096 }).map((m) => `${m}Mi`) },
  { weight: 1, arbitrary: schemaQuantity(1e12) },
);
const dnsLabel = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'api',
      'worker',
      'web',
      'cache',
      'db',
      'auth',
      'gateway',
      'search',
      'mail',
      'queue',
      'cart',
      'user-svc',
      'tts-direct',
      'tts-stream',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(pattern('dnsLabel')).filter((s) => s.length > 0 && s.length <= 20) },
);
const namespaces = fc.constantFrom(undefined, undefined, 'default', 'prod', 'shop');

const resourceList = (withGpu = false) =>
  fc.record(
    { cpu: cpuQuantity, memory: memoryQuantity, ...(withGpu ? { 'nvidia.com/gpu': fc.constantFrom('1', '2') } : {}) },
    { requiredKeys: [] },
  );
const resources = fc.record({ requests: resourceList(), limits: resourceList(true) }, { requiredKeys: [] });

// ---- Kubernetes manifests ----

interface GeneratedWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob' | 'Pod';
  name: string;
  namespace?: string;
  replicas: number;
  containers: { name: string; resources: object; port?: number }[];
  initContainers: { name: string; resources: object }[];
  overhead?: object;
}

const container = fc.record({
  name: dnsLabel,
  resources,
  port: fc.option(fc.constantFrom(80, 8080, 9090, 5432, 6379), { nil: undefined }),
});
const workload: fc.Arbitrary<GeneratedWorkload> = fc.record({
  kind: fc.constantFrom(
    'Deployment',
    'Deployment',
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'ReplicaSet',
    'Job',
    'CronJob',
    'Pod',
  ),
  name: dnsLabel,
  namespace: namespaces,
  replicas: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(1), fc.integer({ min: 6, max: 200 })),
  containers: fc.array(container, { minLength: 1, maxLength: 3 }),
  initContainers: fc.array(fc.record({ name: dnsLabel.map((n) => `init-${n}`), resources }), { maxLength: 1 }),
  overhead: fc.option(resourceList(), { nil: undefined }),
});

function uniqueNames<T extends { name: string }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const n = seen.get(item.name) ?? 0;
    seen.set(item.name, n + 1);
    return n === 0 ? item : { ...item, name: `${item.name}-${n + 1}` };
  });
}

function podSpec(w: GeneratedWorkload): object {
  const containers = uniqueNames(w.containers).map((c) => ({
    name: c.name,
    image: `registry.example/${c.name}:1`,
    ...(c.port ? { ports: [{ containerPort: c.port }] } : {}),
    ...(Object.keys(c.resources).length ? { resources: c.resources } : {}),
  }));
  const init = uniqueNames(w.initContainers).map((c) => ({
    name: c.name,
    image: 'busybox',
    ...(Object.keys(c.resources).length ? { resources: c.resources } : {}),
  }));
  return {
    ...(w.overhead && Object.keys(w.overhead).length ? { overhead: w.overhead } : {}),
    containers,
    ...(init.length ? { initContainers: init } : {}),
  };
}

export function kubernetesObject(w: GeneratedWorkload): object {
  const labels = { app: w.name };
  const metadata = { name: w.name, ...(w.namespace ? { namespace: w.namespace } : {}), labels };
  const template = { metadata: { labels }, spec: podSpec(w) };
  switch (w.kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec(w) };
    case 'Job':
      return {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata,
        spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata,
        spec: {
          schedule: '*/5 * * * *',
          jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } } },
        },
      };
    case 'DaemonSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata,
        spec: { selector: { matchLabels: labels }, template },
      };
    default:
      return {
        apiVersion: 'apps/v1',
        kind: w.kind,
        metadata,
        spec: { replicas: w.replicas, selector: { matchLabels: labels }, template },
      };
  }
}

const limitRange = fc.record({
  namespace: namespaces,
  default: resourceList(),
  defaultRequest: resourceList(),
});

export interface GeneratedProject {
  files: [string, string][];
  /** Names a plan can reference. */
  names: string[];
}

/** 1-3 Kubernetes manifest files: workloads (unique per kind and namespace), Services selecting some, sometimes a LimitRange. */
export const kubernetesProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    workloads: fc.uniqueArray(workload, {
      minLength: 1,
      maxLength: 8,
      selector: (w) => `${w.namespace ?? ''}/${w.name}`,
    }),
    services: fc.array(fc.nat(), { maxLength: 3 }),
    limitRanges: fc.array(limitRange, { maxLength: 1 }),
    files: fc.integer({ min: 1, max: 3 }),
    flow: fc.boolean(),
  })
  .map(({ workloads, services, limitRanges, files, flow }) => {
    const docs: object[][] = Array.from({ length: files }, () => []);
    workloads.forEach((w, i) => docs[i % files].push(kubernetesObject(w)));
    for (const s of services) {
      const target = workloads[s % workloads.length];
      docs[s % files].push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `${target.name}-svc`, ...(target.namespace ? { namespace: target.namespace } : {}) },
        spec: { selector: { app: target.name }, ports: [{ port: 80, targetPort: 8080 }] },
      });
    }
    limitRanges.forEach((r, i) => {
      const limits = Object.keys(r.default).length ? { default: r.default } : {};
      const requests = Object.keys(r.defaultRequest).length ? { defaultRequest: r.defaultRequest } : {};
      docs[i % files].push({
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'defaults', ...(r.namespace ? { namespace: r.namespace } : {}) },
        spec: { limits: [{ type: 'Container', ...limits, ...requests }] },
      });
    });
    return {
      files: docs.map(
        (objects, i) =>
          [
            `manifests/m${i}.yaml`,
            objects.map((o) => stringify(o, flow ? { collectionStyle: 'flow' } : undefined)).join('---\n'),
          ] as [string, string],
      ),
      names: workloads.map((w) => (w.namespace && w.name.length % 3 === 0 ? `${w.namespace}/${w.name}` : w.name)),
    };
  });

// ---- compose files ----

const composeService = fc.record(
  {
    image: fc.constantFrom('nginx:1.27', 'redis:7', 'postgres:16', 'registry.example/app:1'),
    // Compose units (m is megabytes here, not millibytes): values a compose file has, not Kubernetes quantities recased.
    mem_limit: fc.constantFrom('64m', '256m', '512M', '1g', '1.5g', '2G', '100000k', '1073741824'),
    cpus: fc.constantFrom('0.5', '1', '2', '0.25', 0.5, 1.5),
    deploy: fc.record(
      {
        replicas: fc.integer({ min: 0, max: 4 }),
        resources: fc.record(
          {
            limits: fc.record(
              { cpus: fc.constantFrom('0.5', '1', '2'), memory: fc.constantFrom('256M', '1G', '512m', '2g') },
              { requiredKeys: [] },
            ),
            reservations: fc.record(
              { cpus: fc.constantFrom('0.1', '0.25'), memory: fc.constantFrom('64M', '128m') },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    ports: fc.constantFrom(['8080:80'], ['5432'], ['127.0.0.1:9000:9000']),
    restart: fc.constantFrom('always', 'no', 'unless-stopped'),
  },
  { requiredKeys: ['image'] },
);

export const composeProject: fc.Arbitrary<GeneratedProject> = fc
  .uniqueArray(fc.tuple(dnsLabel, composeService), { minLength: 1, maxLength: 6, selector: ([name]) => name })
  .map((services) => ({
    files: [['compose/docker-compose.yml', stringify({ services: Object.fromEntries(services) })]],
    names: services.map(([name]) => name),
  }));

// ---- plans from the schema ----

/** A reference in a generated plan: an index into the case's workload names (shrinks well), or any string the schema's pattern allows. */
type Ref = number | string;

/** A plan's shape from the schema's grammar; references are resolved against the names of the case by planText(). */
const planShape = (() => {
  const ref: fc.Arbitrary<Ref> = fc.oneof(
    { weight: 9, arbitrary: fc.nat(40) },
    { weight: 1, arbitrary: fc.stringMatching(pattern('workloadRef')).filter((s) => s.length <= 30) },
  );
  const strategies = definition('merge').properties!.strategy.enum!;
  const percent = fc.integer({ min: 0, max: 300 }).map((p) => `${p}%`);
  const resize = fc.oneof(
    fc.record({ requests: resourceList(), limits: resourceList() }, { requiredKeys: ['requests'] }),
    fc.record({
      containers: fc.dictionary(
        fc.oneof(dnsLabel, fc.constant('main')),
        fc.record({ requests: resourceList(), limits: resourceList() }, { requiredKeys: [] }),
        { minKeys: 1, maxKeys: 2 },
      ),
    }),
  );
  const merge = fc.record(
    {
      name: dnsLabel.map((n) => `${n}-merged`),
      from: fc.array(ref, { minLength: 1, maxLength: 4 }),
      strategy: fc.constantFrom(...strategies),
      replicas: fc.integer({ min: 0, max: 10 }),
      container: fc.record({
        image: fc.constant('registry.example/merged:1'),
        resources: fc.record({ requests: resourceList(), limits: resourceList() }, { requiredKeys: [] }),
      }),
    },
    { requiredKeys: ['name', 'from'] },
  );
  const phase = fc.record(
    {
      name: dnsLabel,
      remove: fc.array(ref, { maxLength: 2 }),
      scale: fc.array(fc.tuple(ref, fc.integer({ min: 0, max: 20 })), { maxLength: 2 }),
      resize: fc.array(fc.tuple(ref, resize), { maxLength: 2 }),
      merge: fc.array(merge, { maxLength: 2 }),
      targets: fc.record(
        {
          workloads: fc.nat(50),
          pods: fc.nat(200),
          cpuRequests: fc.oneof(percent, cpuQuantity),
          memoryLimits: fc.oneof(percent, memoryQuantity),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['name'] },
  );
  const budget = fc.record(
    {
      cpu: cpuQuantity,
      memory: memoryQuantity,
      pods: fc.nat(300),
      limitsOvercommit: percent,
      podOverhead: fc.record(
        { cpu: fc.constantFrom('10m', '250m'), memory: fc.constantFrom('32Mi', '120Mi') },
        { requiredKeys: [] },
      ),
      nodes: fc.array(
        fc.record(
          {
            name: dnsLabel,
            count: fc.integer({ min: 1, max: 5 }),
            cpu: cpuQuantity,
            memory: memoryQuantity,
            pods: fc.integer({ min: 1, max: 110 }),
          },
          { requiredKeys: ['name', 'cpu', 'memory'] },
        ),
        { minLength: 1, maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  );
  return fc.record({
    name: fc
      .stringMatching(new RegExp(SCHEMA.properties.metadata.properties.name.pattern!))
      .filter((s) => s.length > 0 && s.length < 40),
    namespace: namespaces,
    budget: fc.option(budget, { nil: undefined }),
    phases: fc.array(phase, { maxLength: 3 }),
    flow: fc.boolean(),
  });
})();
type PlanShape = typeof planShape extends fc.Arbitrary<infer T> ? T : never;

/** The plan's text: references resolved against `names`, phase and merge names made unique as a user would. */
function planText(shape: PlanShape, names: string[], sources: string[]): string {
  const resolve = (r: Ref) => (typeof r === 'string' ? r : names.length ? names[r % names.length] : 'ghost');
  const unique = <T>(items: T[]) => [...new Set(items)];
  const phases = shape.phases.map((p, i) => {
    const out: Record<string, unknown> = { name: `p${i}-${p.name}` };
    if (p.remove) out.remove = unique(p.remove.map(resolve));
    if (p.scale) out.scale = Object.fromEntries(p.scale.map(([r, n]) => [resolve(r), n]));
    if (p.resize) out.resize = Object.fromEntries(p.resize.map(([r, x]) => [resolve(r), x]));
    if (p.merge)
      out.merge = p.merge.map((m, j) => ({ ...m, name: `${m.name}-${i}${j}`, from: unique(m.from.map(resolve)) }));
    if (p.targets) out.targets = p.targets;
    return out;
  });
  const plan = {
    apiVersion: 'consolidation.dev/v1alpha1',
    kind: 'ConsolidationPlan',
    metadata: { name: shape.name },
    spec: {
      sources,
      ...(shape.namespace ? { namespace: shape.namespace } : {}),
      ...(shape.budget ? { budget: shape.budget } : {}),
      ...(phases.length ? { phases } : {}),
    },
  };
  return stringify(plan, shape.flow ? { collectionStyle: 'flow' } : undefined);
}

/** A generated project (Kubernetes, compose, or both) under a generated plan. */
export const grammarCase: fc.Arbitrary<PropertyCase> = fc
  .tuple(
    fc.option(kubernetesProject, { nil: undefined, freq: 4 }),
    fc.option(composeProject, { nil: undefined, freq: 2 }),
    planShape,
  )
  .filter(([k, c]) => !!(k || c))
  .map(([k, c, shape]) => {
    const files = [...(k?.files ?? []), ...(c?.files ?? [])];
    const sources = [...(k ? ['manifests/*.yaml'] : []), ...(c ? ['compose/docker-compose.yml'] : [])];
    return {
      files: [
        ...files,
        ['fuzz.plan.yaml', planText(shape, [...(k?.names ?? []), ...(c?.names ?? [])], sources)] as [string, string],
      ],
      plan: 'fuzz.plan.yaml',
      origin: 'grammar' as const,
      label: `generated (${k ? 'kubernetes' : ''}${k && c ? '+' : ''}${c ? 'compose' : ''})`,
    };
  });

// ---- the corpus and the examples ----

let projectsCache: Project[] | undefined;
export function corpusProjects(): Project[] {
  projectsCache ??= loadProjects().filter((p) => p.name !== 'corpus/otel-k8s'); // 1.5 MB: left to the seeded fuzz tests
  return projectsCache;
}

/** A real project: its own plan or a generated one over its names; optionally its files mutated (by a seeded mutator). */
export const corpusCase: fc.Arbitrary<PropertyCase> = fc
  .record({
    project: fc.nat(),
    generatedPlan: fc.option(planShape, { nil: undefined }),
    mutateSeed: fc.option(fc.nat(), { nil: undefined, freq: 2 }),
  })
  .map(({ project: index, generatedPlan, mutateSeed }): PropertyCase => {
    const projects = corpusProjects();
    const project = projects[index % projects.length];
    const sources = project.sources.length ? project.sources : ['**/*.y*ml'];
    const planPath = project.plan ?? 'fuzz.plan.yaml';
    const ownPlan = !generatedPlan && project.plan ? project.files.get(project.plan)! : undefined;
    const text =
      ownPlan ??
      planText(
        generatedPlan ?? { name: 'fuzz', phases: [], flow: false, budget: undefined, namespace: undefined },
        namesIn(project).slice(0, 40),
        sources,
      );
    const labels = [project.name, ownPlan ? 'own plan' : 'generated plan'];
    let files = [...project.files.entries()].filter(([rel]) => rel !== planPath);
    files.push([planPath, text]);
    if (mutateSeed !== undefined) {
      const rng = new Rng(mutateSeed);
      const at = rng.int(files.length);
      const m = mutate(files[at][1], rng);
      labels.push(`${files[at][0]} mutated (${m.applied.join('+')}, seed ${mutateSeed})`);
      files = files.map((f, i) => (i === at ? [f[0], m.text] : f));
    }
    return { files, plan: planPath, origin: mutateSeed === undefined ? 'corpus' : 'mutated', label: labels.join('; ') };
  });

/** Every kind of case: generated from the grammar most often, real projects (as they are, and mutated) the rest. */
export const anyCase: fc.Arbitrary<PropertyCase> = fc.oneof(
  { weight: 3, arbitrary: grammarCase },
  { weight: 1, arbitrary: corpusCase },
);

// ---- edit sequences (for the language server) ----

export interface Edit {
  /** Index of the open file edited (modulo the number of files). */
  file: number;
  /** Where, as fractions of the text's length. */
  start: number;
  length: number;
  text: string;
}

export const editSequence: fc.Arbitrary<Edit[]> = fc.array(
  fc.record({
    file: fc.nat(),
    start: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat(30),
    text: fc.oneof(
      fc.constantFrom(
        '',
        ': ',
        '- ',
        '\n',
        '  ',
        'x',
        '[',
        '{',
        '#',
        'replicas: 3\n',
        'cpu: 500m',
        'memory: 1Gi',
        '\r\n',
        '"',
        '*a',
      ),
      fc.string({ maxLength: 8 }),
      cpuQuantity,
    ),
  }),
  { maxLength: 12 },
);
