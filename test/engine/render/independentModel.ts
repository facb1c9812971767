// An independent reading of a plan's sources, for checking rendered output without the engine: the YAML is parsed
// with the `yaml` package, quantities by the small exact parsers below, compose files layered and interpolated here,
// and Kubernetes defaulting (a limit without a request requests the limit; init containers by the max rule; the
// plan's podOverhead and spec.overhead per pod) applied by this file's own code. It supports what the golden cases
// use and throws on anything else (a LimitRange, an unknown quantity form), so a gap cannot pass silently.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { parseAllDocuments, parse as parseYamlText } from 'yaml';

export type Obj = Record<string, any>;

// ---- quantities ------------------------------------------------------------------------------------------------------

const DECIMAL: Record<string, [bigint, bigint]> = {
  n: [1n, 10n ** 9n],
  u: [1n, 10n ** 6n],
  m: [1n, 1000n],
  '': [1n, 1n],
  k: [10n ** 3n, 1n],
  M: [10n ** 6n, 1n],
  G: [10n ** 9n, 1n],
  T: [10n ** 12n, 1n],
  P: [10n ** 15n, 1n],
  E: [10n ** 18n, 1n],
  Ki: [2n ** 10n, 1n],
  Mi: [2n ** 20n, 1n],
  Gi: [2n ** 30n, 1n],
  Ti: [2n ** 40n, 1n],
  Pi: [2n ** 50n, 1n],
  Ei: [2n ** 60n, 1n],
};

/** A Kubernetes quantity as an exact fraction [numerator, denominator] of base units. */
function kubeFraction(raw: string | number): [bigint, bigint] {
  const text = String(raw).trim();
  const m = /^([+]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(raw)}`);
  const [, , whole, fraction = '', exponent, suffix = ''] = m;
  let num = BigInt((whole || '0') + fraction);
  let den = 10n ** BigInt(fraction.length);
  if (exponent) {
    const e = Number(exponent.slice(1));
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  } else {
    const [mul, div] = DECIMAL[suffix];
    num *= mul;
    den *= div;
  }
  return [num, den];
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** CPU in whole millicores, rounded up. */
export function cpuMillis(raw: string | number): number {
  const [num, den] = kubeFraction(raw);
  return Number(ceilDiv(num * 1000n, den));
}

/** Bytes (memory), rounded up. */
export function bytes(raw: string | number): number {
  const [num, den] = kubeFraction(raw);
  return Number(ceilDiv(num, den));
}

function kubeQuantity(resource: string, raw: string | number): number {
  return resource === 'cpu' ? cpuMillis(raw) : bytes(raw);
}

/** Docker memory: a number with an optional b/k/m/g/t/p unit, all powers of 1024, optionally followed by i and/or b. */
export function dockerBytes(raw: string | number): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)(i?)(b?)$/i.exec(String(raw).trim());
  if (!m) throw new Error(`not a Docker memory size: ${JSON.stringify(raw)}`);
  const power = 'bkmgtp'.indexOf((m[2] || 'b').toLowerCase());
  const [whole, fraction = ''] = m[1].split('.');
  const num = BigInt(whole + fraction) * 1024n ** BigInt(power);
  return Number(num / 10n ** BigInt(fraction.length)); // Docker drops fractions of a byte
}

export function dockerCpuMillis(raw: string | number): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(raw).trim());
  if (!m) throw new Error(`not a Docker CPU count: ${JSON.stringify(raw)}`);
  const fraction = m[2] ?? '';
  return Number(ceilDiv(BigInt(m[1] + fraction) * 1000n, 10n ** BigInt(fraction.length)));
}

// ---- the plan -------------------------------------------------------------------------------------------------------

export interface IndependentPlan {
  file: string;
  name: string;
  namespace?: string;
  sources: string[];
  podOverhead: Record<string, number>;
  nodes?: number;
  phases: string[];
}

export function readPlanFile(file: string): IndependentPlan {
  const value = parseYamlText(readFileSync(file, 'utf8')) as Obj;
  const spec = value.spec ?? {};
  const overhead: Record<string, number> = {};
  for (const [k, v] of Object.entries((spec.budget?.podOverhead ?? {}) as Record<string, string | number>))
    overhead[k] = kubeQuantity(k, v);
  const nodes = Array.isArray(spec.budget?.nodes)
    ? spec.budget.nodes.reduce((n: number, pool: Obj) => n + (pool.count ?? 1), 0)
    : undefined;
  return {
    file,
    name: value.metadata.name,
    namespace: spec.namespace,
    sources: spec.sources ?? [],
    podOverhead: overhead,
    nodes,
    phases: (spec.phases ?? []).map((p: Obj) => p.name),
  };
}

// ---- workloads and Services -----------------------------------------------------------------------------------------

export interface Workload {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  replicas: number;
  steady: boolean;
  podLabels: Record<string, string>;
  /** The pod spec, as written (containers, initContainers, overhead). */
  podSpec: Obj;
}

export interface Service {
  key: string;
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: Obj[];
  object: Obj;
}

export interface SourceSet {
  /** Kubernetes objects as written, with the file they came from. */
  objects: { object: Obj; file: string }[];
  workloads: Map<string, Workload>;
  services: Map<string, Service>;
}

export const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

const POD_TEMPLATE: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A workload from a Kubernetes object; undefined for anything else. */
export function workloadOf(object: Obj, defaultNamespace: string | undefined): Workload | undefined {
  let template: Obj | undefined;
  if (POD_TEMPLATE[object.kind]) template = POD_TEMPLATE[object.kind].reduce<Obj | undefined>((o, k) => o?.[k], object);
  else if (object.kind === 'Pod') template = object;
  if (!template) return undefined;
  const namespace = object.metadata?.namespace ?? defaultNamespace ?? 'default';
  const replicated = ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(object.kind);
  return {
    key: keyOf(object.kind, namespace, object.metadata.name),
    kind: object.kind,
    namespace,
    name: object.metadata.name,
    // A suspended Job or CronJob starts no pod: as stopped as a Deployment at 0.
    replicas: replicated ? (object.spec?.replicas ?? 1) : object.spec?.suspend === true ? 0 : 1,
    steady: object.kind !== 'Job' && object.kind !== 'CronJob',
    podLabels: template.metadata?.labels ?? {},
    podSpec: template.spec ?? {},
  };
}

export function serviceOf(object: Obj, defaultNamespace: string | undefined): Service | undefined {
  if (object.kind !== 'Service') return undefined;
  const namespace = object.metadata?.namespace ?? defaultNamespace ?? 'default';
  return {
    key: keyOf('Service', namespace, object.metadata.name),
    namespace,
    name: object.metadata.name,
    selector: object.spec?.selector ?? {},
    ports: object.spec?.ports ?? [],
    object,
  };
}

/** A Service selects a workload: same namespace, non-empty selector, every selector label on the pod. */
export function selects(service: { namespace: string; selector: Record<string, string> }, workload: Workload): boolean {
  const entries = Object.entries(service.selector);
  return (
    entries.length > 0 &&
    service.namespace === workload.namespace &&
    entries.every(([k, v]) => workload.podLabels[k] === v)
  );
}

// ---- compose ----------------------------------------------------------------------------------------------------------

function parseDotEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    env[m[1]] = value;
  }
  return env;
}

function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced, op, arg, bare) => {
      if (all === '$$') return '$';
      const name = braced ?? bare;
      const set = env[name];
      if (op === ':-') return set ? set : arg;
      if (op === '-') return set !== undefined ? set : arg;
      return set ?? '';
    },
  );
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Obj = { ...(base as Obj) };
    for (const [k, v] of Object.entries(over as Obj)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

export function dns1123(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}

/** A compose service as the Deployment Kompose would make: only what the totals and the selectors need. */
function composeWorkload(
  name: string,
  service: Obj,
  env: Record<string, string>,
  namespace: string,
): { workload: Workload; ports: number[] } {
  const i = (v: unknown) => interpolate(v, env);
  const deploy = service.deploy ?? {};
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  const res = deploy.resources ?? {};
  if (res.reservations?.cpus !== undefined) requests.cpu = dockerCpuMillis(i(res.reservations.cpus) as string);
  if (res.reservations?.memory !== undefined) requests.memory = dockerBytes(i(res.reservations.memory) as string);
  if (res.limits?.cpus !== undefined) limits.cpu = dockerCpuMillis(i(res.limits.cpus) as string);
  if (res.limits?.memory !== undefined) limits.memory = dockerBytes(i(res.limits.memory) as string);
  if (requests.memory === undefined && service.mem_reservation !== undefined)
    requests.memory = dockerBytes(i(service.mem_reservation) as string);
  if (limits.memory === undefined && service.mem_limit !== undefined)
    limits.memory = dockerBytes(i(service.mem_limit) as string);
  if (limits.cpu === undefined && service.cpus !== undefined) limits.cpu = dockerCpuMillis(i(service.cpus) as string);
  const replicasRaw = deploy.replicas ?? service.scale;
  const replicas = replicasRaw === undefined ? 1 : Number(i(replicasRaw));
  if (!Number.isInteger(replicas)) throw new Error(`compose ${name}: replicas ${JSON.stringify(replicasRaw)}`);
  const restart = String(i(service.restart) ?? '');
  const condition = deploy.restart_policy?.condition;
  const oneShot =
    condition !== undefined
      ? ['none', 'on-failure'].includes(String(condition))
      : restart === 'no' || restart.startsWith('on-failure');
  const steady = !oneShot && !['replicated-job', 'global-job'].includes(String(deploy.mode ?? ''));
  const ports = (Array.isArray(service.ports) ? service.ports : []).map((p: unknown) => {
    if (typeof p === 'object' && p !== null) return Number((p as Obj).target);
    const text = String(i(p)).replace(/\/(tcp|udp)$/i, '');
    return Number(text.split(':').at(-1)!.split('-')[0]);
  });
  const label = dns1123(name);
  const container: Obj = { name: label, resources: { requests: {}, limits: {} } };
  // Amounts already parsed: held under a private key so podRequests does not parse them again.
  container.__parsed = { requests, limits };
  return {
    workload: {
      key: keyOf('Deployment', namespace, label),
      kind: 'Deployment',
      namespace,
      name: label,
      replicas,
      steady,
      podLabels: { 'io.kompose.service': label },
      podSpec: { containers: [container] },
    },
    ports,
  };
}

/** Reads every source of the plan: Kubernetes objects, and compose files layered in the plan's order. */
export function readSources(plan: IndependentPlan): SourceSet {
  const base = path.dirname(plan.file);
  const files: string[] = [];
  for (const pattern of plan.sources) {
    const matched = globSync([pattern], { cwd: base, absolute: true, dot: false })
      .map((f) => path.resolve(f))
      .filter((f) => !/\.plan\.ya?ml$/i.test(f))
      .sort(
        (a, b) =>
          (/\.override\.ya?ml$/i.test(a) ? 1 : 0) - (/\.override\.ya?ml$/i.test(b) ? 1 : 0) ||
          (a < b ? -1 : a > b ? 1 : 0),
      );
    for (const f of matched) if (!files.includes(f)) files.push(f);
  }
  const set: SourceSet = { objects: [], workloads: new Map(), services: new Map() };
  let compose: Obj = {};
  let composeEnv: Record<string, string> = {};
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS({ maxAliasCount: -1 }) as Obj | null;
      if (!value || typeof value !== 'object') continue;
      if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') {
        if (value.kind === 'LimitRange')
          throw new Error(`${file}: LimitRange is not supported by the independent model`);
        set.objects.push({ object: value, file });
        const w = workloadOf(value, plan.namespace);
        if (w) set.workloads.set(w.key, w);
        const s = serviceOf(value, plan.namespace);
        if (s) set.services.set(s.key, s);
      } else if (value.services && typeof value.services === 'object') {
        const envFile = path.join(path.dirname(file), '.env');
        if (existsSync(envFile)) composeEnv = { ...composeEnv, ...parseDotEnv(readFileSync(envFile, 'utf8')) };
        compose = deepMerge(compose, value.services) as Obj;
      }
    }
  }
  const namespace = plan.namespace ?? 'default';
  for (const [name, service] of Object.entries(compose)) {
    const { workload, ports } = composeWorkload(name, service as Obj, composeEnv, namespace);
    set.workloads.set(workload.key, workload);
    if (ports.length) {
      const object = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: workload.name, namespace },
        spec: { selector: { ...workload.podLabels }, ports: ports.map((p: number) => ({ port: p, targetPort: p })) },
      };
      set.services.set(keyOf('Service', namespace, workload.name), serviceOf(object, namespace)!);
    }
  }
  return set;
}

// ---- totals ---------------------------------------------------------------------------------------------------------

/** A quantity the API server would reject (`512mb`) counts as absent, as the plan format says; anything else is parsed. */
function readable(resource: string, raw: string | number): number | undefined {
  try {
    return kubeQuantity(resource, raw);
  } catch {
    return undefined;
  }
}

function effective(container: Obj): { requests: Record<string, number>; limits: Record<string, number> } {
  if (container.__parsed) {
    const { requests, limits } = container.__parsed as {
      requests: Record<string, number>;
      limits: Record<string, number>;
    };
    return { requests: { ...limits, ...requests }, limits: { ...limits } };
  }
  const read = (list: unknown) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries((list ?? {}) as Record<string, string | number>)) {
      const value = readable(k, v);
      if (value !== undefined) out[k] = value;
    }
    return out;
  };
  const limits = read(container.resources?.limits);
  return { requests: { ...limits, ...read(container.resources?.requests) }, limits };
}

/** One pod's requests: max(sum of app containers, largest init container) + the plan's podOverhead + spec.overhead. */
export function podRequests(podSpec: Obj, podOverhead: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of podSpec.containers ?? [])
    for (const [k, v] of Object.entries(effective(c).requests)) out[k] = (out[k] ?? 0) + v;
  for (const c of podSpec.initContainers ?? [])
    for (const [k, v] of Object.entries(effective(c).requests)) out[k] = Math.max(out[k] ?? 0, v);
  for (const [k, v] of Object.entries(podOverhead)) out[k] = (out[k] ?? 0) + v;
  for (const [k, v] of Object.entries((podSpec.overhead ?? {}) as Record<string, string | number>))
    out[k] = (out[k] ?? 0) + kubeQuantity(k, v);
  return out;
}

export interface Totals {
  pods: number;
  cpu: number;
  memory: number;
}

export function totals(workloads: Iterable<Workload>, plan: IndependentPlan): Totals {
  const t: Totals = { pods: 0, cpu: 0, memory: 0 };
  for (const w of workloads) {
    if (!w.steady) continue;
    // A DaemonSet whose pods may run on no node (how a removed one is rendered) runs none.
    const pods =
      w.kind === 'DaemonSet'
        ? w.podSpec.nodeSelector?.['consolidation.dev/scaled-to-zero'] === 'true'
          ? 0
          : (plan.nodes ?? 1)
        : w.replicas;
    const per = podRequests(w.podSpec, plan.podOverhead);
    t.pods += pods;
    t.cpu += (per.cpu ?? 0) * pods;
    t.memory += (per.memory ?? 0) * pods;
  }
  return t;
}
