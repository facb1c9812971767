import type { Document, YAMLMap } from 'yaml';
import { checkResourceQuantity } from '../quantity';
import type { OffsetRange, SourceLocation } from '../model/location';
import { isResourceName, type ResourceList } from '../model/resources';
import { parseYaml } from '../yaml/parse';
import {
  asMap,
  asSeq,
  entries,
  get,
  getPair,
  keyText,
  rangeOf,
  scalarSource,
  scalarValue,
  stringMap,
  stringValue,
} from '../yaml/nodes';
import { validatePlanSchema } from './schemaValidation';
import type {
  BudgetSpec,
  MergeSpec,
  NodePool,
  NodeTaint,
  PhaseSpec,
  PlanModel,
  ResizeStep,
  ResourcePatch,
  TargetMetric,
  TargetSpec,
  UsageRef,
  WorkloadRef,
} from './types';
import { parseUsageDuration } from '../quantity/duration';

const MAX_COUNT = 2_147_483_647;
/** Node pools are simulated node by node; more than this is not a cluster a plan describes. */
const MAX_NODES = 5_000;

const TARGET_METRICS: readonly TargetMetric[] = [
  'workloads',
  'pods',
  'cpuRequests',
  'memoryRequests',
  'cpuLimits',
  'memoryLimits',
  'cpuUsage',
  'memoryUsage',
];

/** Reads a plan file. Never throws: what cannot be read becomes a `plan/schema` problem. */
export function readPlan(path: string, text: string, maxBytes = Number.POSITIVE_INFINITY): PlanModel {
  const reader = new PlanReader(path);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    reader.problem(
      `The plan is ${Math.round(bytes / 1024)} KiB, over the ${Math.round(maxBytes / 1024)} KiB limit: not analysed.`,
      { start: 0, end: 0 },
    );
    return reader.model;
  }
  const parsed = parseYaml(text);
  for (const problem of parsed.problems) {
    reader.problem(problem.message, problem.range, problem.severity);
  }
  const doc = parsed.documents[0];
  if (!doc) {
    reader.problem('The plan is empty: expected apiVersion, kind, metadata and spec.', { start: 0, end: 0 });
    return reader.model;
  }
  // While the user types, the plan is often not valid YAML: read what the parser recovered (so
  // completion and hover still know the sources), but judge the format only on valid YAML.
  const valid = !parsed.problems.some((p) => p.severity === 'error');
  try {
    if (valid) for (const problem of validatePlanSchema(doc)) reader.problem(problem.message, problem.range);
    reader.read(doc);
  } catch (error) {
    // Pathological input (nesting deep enough to exhaust the stack): say so, keep the server alive.
    reader.problem(`The plan could not be read: ${(error as Error).message}`, { start: 0, end: 0 });
  }
  return reader.model;
}

class PlanReader {
  readonly model: PlanModel;
  private doc!: Document;

  constructor(private readonly path: string) {
    this.model = { path, sources: [], phases: [], problems: [], location: this.at({ start: 0, end: 0 }) };
  }

  problem(message: string, range: OffsetRange, severity: 'error' | 'warning' = 'error', replacement?: string): void {
    // Ranges already reported, so that a text with tens of thousands of YAML errors is not read in quadratic time.
    const key = `${range.start}:${range.end}`;
    const duplicate = this.reported.has(key);
    // A quantity problem (with its fix) and the schema's pattern error describe the same mistake.
    if (duplicate && replacement === undefined) return;
    if (duplicate)
      this.model.problems = this.model.problems.filter(
        (p) => p.location.range.start !== range.start || p.location.range.end !== range.end,
      );
    this.reported.add(key);
    this.model.problems.push({ code: 'plan/schema', message, severity, location: this.at(range), replacement });
  }

  private readonly reported = new Set<string>();

  read(doc: Document): void {
    this.doc = doc;
    const root = asMap(doc, doc.contents);
    const spec = asMap(doc, get(doc, root, 'spec'));
    this.model.location = this.at(
      rangeOf(getPair(doc, root, 'spec')?.key as never) ?? rangeOf(root) ?? { start: 0, end: 0 },
    );
    this.model.name = stringValue(doc, get(doc, asMap(doc, get(doc, root, 'metadata')), 'name'));
    this.model.namespace = stringValue(doc, get(doc, spec, 'namespace'));
    for (const [index, item] of (asSeq(doc, get(doc, spec, 'sources'))?.items ?? []).entries()) {
      const pattern = stringValue(doc, item);
      if (pattern) this.model.sources.push({ pattern, location: this.at(rangeOf(item as never)) });
      else this.readRenderedSource(item, index);
    }
    const budgetPair = getPair(doc, spec, 'budget');
    const budget = asMap(doc, budgetPair?.value);
    if (budgetPair && budget) this.model.budget = this.readBudget(budget, rangeOf(budgetPair.key as never));
    this.model.usage = this.readUsageRef(get(doc, spec, 'usage'));
    for (const item of asSeq(doc, get(doc, spec, 'phases'))?.items ?? []) {
      const phase = asMap(doc, item);
      if (phase) this.model.phases.push(this.readPhase(phase));
    }
  }

  /** `usage: usage.yaml` or `usage: {file: usage.yaml, maxAge: 7d}`. */
  private readUsageRef(node: unknown): UsageRef | undefined {
    const doc = this.doc;
    const map = asMap(doc, node);
    const fileNode = map ? get(doc, map, 'file') : node;
    const file = stringValue(doc, fileNode);
    if (!file) return undefined;
    const maxAgeNode = map ? get(doc, map, 'maxAge') : undefined;
    const maxAgeText = stringValue(doc, maxAgeNode);
    const maxAgeMs = maxAgeText === undefined ? undefined : parseUsageDuration(maxAgeText);
    if (maxAgeText !== undefined && maxAgeMs === undefined)
      this.problem(
        `usage.maxAge: ${JSON.stringify(maxAgeText)} is not a duration such as 7d or 12h.`,
        rangeOf(maxAgeNode) ?? { start: 0, end: 0 },
      );
    return { file, maxAgeMs, location: this.at(rangeOf(fileNode as never)) };
  }

  /** `{kustomize: dir}` or `{helm: {chart, values, set, releaseName, namespace}}` (the schema checks the shape). */
  private readRenderedSource(item: unknown, index: number): void {
    const doc = this.doc;
    const entry = asMap(doc, item);
    if (!entry) return;
    // A block mapping's range ends after its newline: end the entry at its last value.
    const range = rangeOf(item as never) ?? { start: 0, end: 0 };
    const last = rangeOf(entry.items[entry.items.length - 1]?.value as never);
    const location = this.at(last && last.end <= range.end ? { start: range.start, end: last.end } : range);
    const kustomize = stringValue(doc, get(doc, entry, 'kustomize'));
    if (kustomize) {
      (this.model.renderedSources ??= []).push({ tool: 'kustomize', index, path: kustomize, location });
      return;
    }
    const helm = asMap(doc, get(doc, entry, 'helm'));
    const chart = stringValue(doc, get(doc, helm, 'chart'));
    if (!helm || !chart) return;
    const values = (asSeq(doc, get(doc, helm, 'values'))?.items ?? [])
      .map((v) => stringValue(doc, v))
      .filter((v): v is string => !!v);
    const set: Record<string, string> = {};
    for (const pair of entries(doc, get(doc, helm, 'set'))) {
      const key = keyText(pair.key);
      const value = scalarValue(doc, pair.value);
      if (key && value !== undefined && value !== null && typeof value !== 'object') set[key] = String(value);
    }
    (this.model.renderedSources ??= []).push({
      tool: 'helm',
      index,
      chart,
      values,
      set,
      releaseName: stringValue(doc, get(doc, helm, 'releaseName')),
      namespace: stringValue(doc, get(doc, helm, 'namespace')),
      location,
    });
  }

  private readBudget(budget: YAMLMap<unknown, unknown>, keyRange: OffsetRange | undefined): BudgetSpec {
    const doc = this.doc;
    const allocatable = this.allocatable(budget);
    const overcommit = this.percent(get(doc, budget, 'limitsOvercommit'));
    const nodesSeq = asSeq(doc, get(doc, budget, 'nodes'));
    return {
      location: this.at(keyRange ?? rangeOf(budget)),
      allocatable,
      pods: this.integer(get(doc, budget, 'pods')),
      limitsOvercommitMilliPercent: overcommit ?? 100_000,
      podOverhead: this.resourceList(get(doc, budget, 'podOverhead')),
      nodes: nodesSeq
        ? nodesSeq.items.map((item) => this.readNodePool(item)).filter((n): n is NodePool => !!n)
        : undefined,
      ...optional('tolerateNodeLoss', this.integer(get(doc, budget, 'tolerateNodeLoss'), MAX_NODES)),
    };
  }

  /** `cpu`, `memory` and `extended` resources of a budget or a node pool. */
  private allocatable(map: YAMLMap<unknown, unknown>): ResourceList {
    const doc = this.doc;
    const allocatable: ResourceList = {};
    this.quantityInto(allocatable, 'cpu', get(doc, map, 'cpu'));
    this.quantityInto(allocatable, 'memory', get(doc, map, 'memory'));
    for (const pair of entries(doc, get(doc, map, 'extended'))) {
      const name = keyText(pair.key);
      if (name) this.quantityInto(allocatable, name, pair.value);
    }
    return allocatable;
  }

  private readNodePool(item: unknown): NodePool | undefined {
    const doc = this.doc;
    const pool = asMap(doc, item);
    if (!pool) return undefined;
    const allocatable = this.allocatable(pool);
    return {
      name: stringValue(doc, get(doc, pool, 'name')) ?? 'node',
      count: this.integer(get(doc, pool, 'count'), MAX_NODES) ?? 1,
      allocatable,
      pods: this.integer(get(doc, pool, 'pods')) ?? 110,
      location: this.at(rangeOf(pool)),
      ...optional('labels', stringMap(doc, get(doc, pool, 'labels'))),
      ...optional('taints', this.taints(get(doc, pool, 'taints'))),
    };
  }

  /** A pool's taints: `{key, value, effect}` entries; the schema reports malformed ones. */
  private taints(node: unknown): NodeTaint[] | undefined {
    const seq = asSeq(this.doc, node);
    if (!seq) return undefined;
    return seq.items.flatMap((item) => {
      const taint = asMap(this.doc, item);
      const key = stringValue(this.doc, get(this.doc, taint, 'key'));
      const effect = stringValue(this.doc, get(this.doc, taint, 'effect'));
      if (!taint || !key || !effect) return [];
      const value = stringValue(this.doc, get(this.doc, taint, 'value'));
      return [value === undefined ? { key, effect } : { key, value, effect }];
    });
  }

  private readPhase(phase: YAMLMap<unknown, unknown>): PhaseSpec {
    const doc = this.doc;
    const nameNode = get(doc, phase, 'name');
    const spec: PhaseSpec = {
      name: stringValue(doc, nameNode) ?? '',
      nameLocation: this.at(rangeOf(nameNode) ?? rangeOf(phase)),
      location: this.at(rangeOf(phase)),
      remove: this.refs(get(doc, phase, 'remove')),
      scale: [],
      resize: [],
      merge: [],
      targets: [],
    };
    for (const pair of entries(doc, get(doc, phase, 'scale'))) {
      const replicas = this.integer(pair.value);
      const ref = this.refFromKey(pair.key);
      if (ref && replicas !== undefined)
        spec.scale.push({ ref, replicas, location: this.at(rangeOf(pair.value as never)) });
    }
    for (const pair of entries(doc, get(doc, phase, 'resize'))) {
      const ref = this.refFromKey(pair.key);
      const body = asMap(doc, pair.value);
      if (ref && body) spec.resize.push(this.readResize(ref, body));
    }
    for (const item of asSeq(doc, get(doc, phase, 'merge'))?.items ?? []) {
      const merge = asMap(doc, item);
      if (merge) spec.merge.push(this.readMerge(merge));
    }
    for (const pair of entries(doc, get(doc, phase, 'targets'))) {
      const target = this.readTarget(keyText(pair.key), pair.value);
      if (target) spec.targets.push(target);
    }
    return spec;
  }

  private readResize(ref: WorkloadRef, body: YAMLMap<unknown, unknown>): ResizeStep {
    const doc = this.doc;
    const hasPodForm = !!getPair(doc, body, 'requests') || !!getPair(doc, body, 'limits');
    const containers = entries(doc, get(doc, body, 'containers')).flatMap((pair) => {
      const name = keyText(pair.key);
      const patchMap = asMap(doc, pair.value);
      return name && patchMap
        ? [{ name, location: this.at(rangeOf(pair.key as never)), patch: this.patch(patchMap) }]
        : [];
    });
    return { ref, pod: hasPodForm ? this.patch(body) : undefined, containers, location: ref.location };
  }

  private patch(map: YAMLMap<unknown, unknown>): ResourcePatch {
    return {
      requests: this.resourceList(get(this.doc, map, 'requests')),
      limits: this.resourceList(get(this.doc, map, 'limits')),
    };
  }

  private patchOf(node: unknown): ResourcePatch {
    const map = asMap(this.doc, node);
    return map ? this.patch(map) : { requests: {}, limits: {} };
  }

  private readMerge(merge: YAMLMap<unknown, unknown>): MergeSpec {
    const doc = this.doc;
    const nameNode = get(doc, merge, 'name');
    const replicasNode = get(doc, merge, 'replicas');
    const containerMap = asMap(doc, get(doc, merge, 'container'));
    const strategy = stringValue(doc, get(doc, merge, 'strategy')) === 'replace' ? 'replace' : 'pod';
    const ports = entries(doc, get(doc, merge, 'ports')).flatMap((pair) => {
      const servicePort = Number(keyText(pair.key));
      const target = scalarValue(doc, pair.value);
      return Number.isInteger(servicePort) && (typeof target === 'number' || typeof target === 'string')
        ? [{ servicePort, containerPort: target, location: this.at(rangeOf(pair.key as never)) }]
        : [];
    });
    return {
      name: stringValue(doc, nameNode) ?? '',
      nameLocation: this.at(rangeOf(nameNode) ?? rangeOf(merge)),
      from: this.refs(get(doc, merge, 'from')),
      strategy,
      replicas: this.integer(replicasNode),
      replicasLocation: replicasNode ? this.at(rangeOf(replicasNode)) : undefined,
      ports,
      portsLocation: getPair(doc, merge, 'ports')
        ? this.at(rangeOf(getPair(doc, merge, 'ports')!.key as never))
        : undefined,
      serviceAccountName: stringValue(doc, get(doc, merge, 'serviceAccountName')),
      container: containerMap
        ? {
            image: stringValue(doc, get(doc, containerMap, 'image')),
            ports: (asSeq(doc, get(doc, containerMap, 'ports'))?.items ?? [])
              .map((p) => scalarValue(doc, asMap(doc, p) ? get(doc, asMap(doc, p), 'containerPort') : p))
              .filter((p): p is number => typeof p === 'number'),
            ...this.patchOf(get(doc, containerMap, 'resources')),
            location: this.at(rangeOf(containerMap)),
          }
        : undefined,
      location: this.at(rangeOf(merge)),
    };
  }

  private readTarget(metric: string | undefined, node: unknown): TargetSpec | undefined {
    if (!metric || !TARGET_METRICS.includes(metric as TargetMetric)) return undefined;
    const raw = scalarSource(this.doc, node);
    if (raw === undefined) return undefined;
    const location = this.at(rangeOf(node as never));
    if (metric === 'workloads') {
      // A count only: there is no budget of workloads to take a share of (the schema says so).
      const workloads = this.integer(node);
      return workloads === undefined ? undefined : { metric: 'workloads', raw, absolute: workloads, location };
    }
    const milliPercent = this.percent(node);
    if (milliPercent !== undefined) return { metric: metric as TargetMetric, raw, milliPercent, location };
    if (metric === 'pods') {
      const pods = this.integer(node);
      return pods === undefined ? undefined : { metric: 'pods', raw, absolute: pods, location };
    }
    const resource = metric.startsWith('cpu') ? 'cpu' : 'memory';
    // cpuUsage and memoryUsage read like the requests targets: a share of the budget or an amount.
    const checked = checkResourceQuantity(resource, raw);
    if (checked.problem)
      this.problem(
        `targets.${metric}: ${checked.problem.message}`,
        location.range,
        checked.problem.severity,
        checked.problem.replacement,
      );
    return checked.value === undefined
      ? undefined
      : { metric: metric as TargetMetric, raw, absolute: checked.value, location };
  }

  private refs(node: unknown): WorkloadRef[] {
    return (asSeq(this.doc, node)?.items ?? []).flatMap((item) => {
      const text = stringValue(this.doc, item);
      return text ? [{ text, location: this.at(rangeOf(item as never)) }] : [];
    });
  }

  private refFromKey(key: unknown): WorkloadRef | undefined {
    const text = keyText(key);
    return text ? { text, location: this.at(rangeOf(key as never)) } : undefined;
  }

  private resourceList(node: unknown): ResourceList {
    const list: ResourceList = {};
    for (const pair of entries(this.doc, node)) {
      const name = keyText(pair.key);
      if (name) this.quantityInto(list, name, pair.value);
    }
    return list;
  }

  private quantityInto(list: ResourceList, resource: string, node: unknown): void {
    if (node === undefined || node === null) return;
    if (!isResourceName(resource)) {
      this.problem(
        `${JSON.stringify(resource)} is not a resource name.`,
        rangeOf(node as never) ?? { start: 0, end: 0 },
      );
      return;
    }
    const raw = scalarSource(this.doc, node);
    const checked = checkResourceQuantity(resource, raw ?? null);
    if (checked.problem) {
      this.problem(
        `${resource}: ${checked.problem.message}`,
        rangeOf(node as never) ?? { start: 0, end: 0 },
        checked.problem.severity,
        checked.problem.replacement,
      );
    }
    if (checked.value !== undefined) list[resource] = checked.value;
  }

  /** `150%` → 150000 (thousandths of a percent); undefined when not a percentage. */
  private percent(node: unknown): number | undefined {
    const value = scalarValue(this.doc, node);
    if (typeof value !== 'string') return undefined;
    const match = /^\s*(\d+)(?:\.(\d{1,3}))?\s*%\s*$/.exec(value);
    if (!match) return undefined;
    return Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  }

  /** A whole number from 0 to `max` (Kubernetes counts are int32); anything else is absent (the schema says why). */
  private integer(node: unknown, max = MAX_COUNT): number | undefined {
    const value = scalarValue(this.doc, node);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return undefined;
    if (value > max) {
      this.problem(`${value} is too large here (at most ${max}).`, rangeOf(node as never) ?? { start: 0, end: 0 });
      return undefined;
    }
    return value;
  }

  private at(range: OffsetRange | undefined): SourceLocation {
    return { file: this.path, range: range ?? { start: 0, end: 0 } };
  }
}

/** `{key: value}` when the value is defined, else nothing: optional fields stay absent, not undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
