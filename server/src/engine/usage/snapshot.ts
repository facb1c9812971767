import type { Document, YAMLMap } from 'yaml';
import { kubernetesBytes, kubernetesCpuMillicores } from '../quantity';
import type { OffsetRange, SourceLocation } from '../model/location';
import { asMap, asSeq, get, getPair, keyText, entries, rangeOf, scalarValue, stringValue } from '../yaml/nodes';
import { parseYaml } from '../yaml/parse';
import { parseUsageDuration } from '../quantity/duration';

export const USAGE_API_VERSION = 'consolidation.dev/v1alpha1';
export const USAGE_KIND = 'UsageSnapshot';
export const USAGE_SOURCES = ['metrics-server', 'prometheus', 'krr', 'manual'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

/** p50, p95 and max of one resource over the window: cpu in millicores, memory in bytes (integers). */
export interface UsageStats {
  p50: number;
  p95: number;
  max: number;
}

export interface ContainerUsage {
  name: string;
  /** How many samples the statistics are computed from. */
  samples: number;
  cpu?: UsageStats;
  memory?: UsageStats;
  location: SourceLocation;
}

export interface WorkloadUsage {
  name: string;
  namespace?: string;
  kind?: string;
  /** Pods observed (informational). */
  pods?: number;
  containers: ContainerUsage[];
  location: SourceLocation;
}

export interface UsageSnapshot {
  path: string;
  source?: UsageSource;
  /** Where the numbers came from (a Prometheus URL, a krr file, a context): informational. */
  origin?: string;
  /** When the snapshot was taken, in ms since the epoch. */
  takenAt?: number;
  takenAtText?: string;
  /** How long the statistics cover, in ms, and as written. */
  windowMs?: number;
  windowText?: string;
  workloads: WorkloadUsage[];
  problems: SnapshotProblem[];
  /** Location of the whole document, for findings about the snapshot. */
  location: SourceLocation;
}

export interface SnapshotProblem {
  message: string;
  severity: 'error' | 'warning';
  location: SourceLocation;
}

const MAX_ENTRIES = 100_000;

/**
 * Reads a usage snapshot (YAML or JSON; JSON is YAML). Never throws: what cannot be read becomes a
 * problem located in the snapshot file. The file is data only: nothing in it is run.
 */
export function readUsageSnapshot(path: string, text: string, maxBytes = Number.POSITIVE_INFINITY): UsageSnapshot {
  const reader = new SnapshotReader(path);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    reader.problem(
      `The usage snapshot is ${Math.round(bytes / 1024)} KiB, over the ${Math.round(maxBytes / 1024)} KiB limit: not read.`,
      undefined,
    );
    return reader.snapshot;
  }
  const parsed = parseYaml(text);
  for (const problem of parsed.problems) reader.problem(problem.message, problem.range, problem.severity);
  if (parsed.problems.some((p) => p.severity === 'error')) return reader.snapshot;
  const doc = parsed.documents[0];
  if (!doc || parsed.documents.length > 1) {
    reader.problem(doc ? 'A usage snapshot is one document.' : 'The usage snapshot is empty.', undefined);
    if (!doc) return reader.snapshot;
  }
  try {
    reader.read(doc);
  } catch (error) {
    reader.problem(`The usage snapshot could not be read: ${(error as Error).message}`, undefined);
  }
  return reader.snapshot;
}

class SnapshotReader {
  readonly snapshot: UsageSnapshot;
  private doc!: Document;

  constructor(private readonly path: string) {
    this.snapshot = { path, workloads: [], problems: [], location: this.at(undefined) };
  }

  problem(message: string, range: OffsetRange | undefined, severity: 'error' | 'warning' = 'error'): void {
    this.snapshot.problems.push({ message, severity, location: this.at(range) });
  }

  read(doc: Document): void {
    this.doc = doc;
    const root = asMap(doc, doc.contents);
    if (!root) {
      this.problem(
        'A usage snapshot is a mapping with apiVersion, kind, takenAt, source, window and workloads.',
        rangeOf(doc.contents as never),
      );
      return;
    }
    this.snapshot.location = this.at(rangeOf(root));
    const apiVersion = stringValue(doc, get(doc, root, 'apiVersion'));
    if (apiVersion !== USAGE_API_VERSION) {
      this.problem(
        apiVersion === undefined
          ? `apiVersion is missing: expected ${USAGE_API_VERSION}.`
          : `apiVersion ${JSON.stringify(apiVersion)} is not supported: expected ${USAGE_API_VERSION}.`,
        this.rangeOfKey(root, 'apiVersion'),
      );
    }
    const kind = stringValue(doc, get(doc, root, 'kind'));
    if (kind !== USAGE_KIND)
      this.problem(
        `kind must be ${USAGE_KIND}${kind === undefined ? '' : `, not ${JSON.stringify(kind)}`}.`,
        this.rangeOfKey(root, 'kind'),
      );

    const source = stringValue(doc, get(doc, root, 'source'));
    if (source === undefined)
      this.problem(`source is missing: one of ${USAGE_SOURCES.join(', ')}.`, this.rangeOfKey(root, undefined));
    else if (!(USAGE_SOURCES as readonly string[]).includes(source))
      this.problem(
        `source ${JSON.stringify(source)} is not one of ${USAGE_SOURCES.join(', ')}.`,
        rangeOf(get(doc, root, 'source')),
      );
    else this.snapshot.source = source as UsageSource;
    this.snapshot.origin = stringValue(doc, get(doc, root, 'origin'));

    const takenAtNode = get(doc, root, 'takenAt');
    const takenAt = scalarValue(doc, takenAtNode);
    const takenAtText = typeof takenAt === 'string' ? takenAt : undefined;
    const time =
      takenAtText && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(takenAtText)
        ? Date.parse(takenAtText)
        : NaN;
    if (takenAtNode === undefined)
      this.problem(
        'takenAt is missing: when the usage was measured (RFC 3339, e.g. 2026-12-07T10:00:00Z).',
        this.rangeOfKey(root, undefined),
      );
    else if (Number.isNaN(time))
      this.problem(
        `takenAt ${JSON.stringify(takenAt)} is not an RFC 3339 time such as 2026-12-07T10:00:00Z.`,
        rangeOf(takenAtNode),
      );
    else {
      this.snapshot.takenAt = time;
      this.snapshot.takenAtText = takenAtText;
    }

    const windowNode = get(doc, root, 'window');
    const windowText = stringValue(doc, windowNode);
    const windowMs = windowText === undefined ? undefined : parseUsageDuration(windowText);
    if (windowNode === undefined)
      this.problem('window is missing: how long the statistics cover (7d, 30m).', this.rangeOfKey(root, undefined));
    else if (windowMs === undefined)
      this.problem(
        `window ${JSON.stringify(windowText ?? '')} is not a duration such as 7d, 12h or 30m.`,
        rangeOf(windowNode),
      );
    else {
      this.snapshot.windowMs = windowMs;
      this.snapshot.windowText = windowText;
    }

    const workloadsNode = get(doc, root, 'workloads');
    const workloads = asSeq(doc, workloadsNode);
    if (!workloads) {
      this.problem(
        'workloads is missing: a list of {name, namespace, containers}.',
        rangeOf(workloadsNode) ?? this.rangeOfKey(root, undefined),
      );
      return;
    }
    if (workloads.items.length > MAX_ENTRIES) {
      this.problem(`${workloads.items.length} workloads: more than ${MAX_ENTRIES}, not read.`, rangeOf(workloads));
      return;
    }
    const seen = new Set<string>();
    for (const item of workloads.items) {
      const workload = this.readWorkload(item);
      if (!workload) continue;
      const key = `${workload.namespace ?? ''}/${workload.name}`;
      if (seen.has(key)) {
        this.problem(`${key} is listed twice: only the first entry counts.`, workload.location.range, 'warning');
        continue;
      }
      seen.add(key);
      this.snapshot.workloads.push(workload);
    }
  }

  private readWorkload(item: unknown): WorkloadUsage | undefined {
    const doc = this.doc;
    const map = asMap(doc, item);
    if (!map) {
      this.problem('Each workload is a mapping with name, namespace and containers.', rangeOf(item as never));
      return undefined;
    }
    const name = stringValue(doc, get(doc, map, 'name'));
    if (!name) {
      this.problem('This workload has no name.', rangeOf(map));
      return undefined;
    }
    const containers: ContainerUsage[] = [];
    const list = asSeq(doc, get(doc, map, 'containers'));
    if (!list) this.problem(`${name}: containers is missing (a list of {name, samples, cpu, memory}).`, rangeOf(map));
    for (const entry of list?.items ?? []) {
      const container = this.readContainer(name, entry);
      if (!container) continue;
      if (containers.some((c) => c.name === container.name)) {
        this.problem(
          `${name}: container ${container.name} is listed twice: only the first entry counts.`,
          container.location.range,
          'warning',
        );
        continue;
      }
      containers.push(container);
    }
    const pods = scalarValue(doc, get(doc, map, 'pods'));
    return {
      name,
      namespace: stringValue(doc, get(doc, map, 'namespace')),
      kind: stringValue(doc, get(doc, map, 'kind')),
      pods: typeof pods === 'number' && Number.isInteger(pods) && pods >= 0 ? pods : undefined,
      containers,
      location: this.at(rangeOf(get(doc, map, 'name')) ?? rangeOf(map)),
    };
  }

  private readContainer(workload: string, item: unknown): ContainerUsage | undefined {
    const doc = this.doc;
    const map = asMap(doc, item);
    const name = map ? stringValue(doc, get(doc, map, 'name')) : undefined;
    if (!map || !name) {
      this.problem(`${workload}: each container is a mapping with a name.`, rangeOf(item as never));
      return undefined;
    }
    const where = `${workload}/${name}`;
    const samplesNode = get(doc, map, 'samples');
    const samples = scalarValue(doc, samplesNode);
    let sampleCount = 0;
    if (typeof samples !== 'number' || !Number.isSafeInteger(samples) || samples < 1) {
      this.problem(
        `${where}: samples must be a whole number of at least 1 (how many measurements the statistics come from).`,
        rangeOf(samplesNode) ?? rangeOf(map),
      );
    } else sampleCount = samples;
    const cpu = this.stats(where, 'cpu', map);
    const memory = this.stats(where, 'memory', map);
    if (
      !cpu &&
      !memory &&
      !this.snapshot.problems.some(
        (p) => p.location.range.start >= (rangeOf(map)?.start ?? 0) && p.location.range.end <= (rangeOf(map)?.end ?? 0),
      )
    ) {
      this.problem(`${where}: neither cpu nor memory is given.`, rangeOf(map), 'warning');
    }
    if (sampleCount === 0) return undefined;
    return {
      name,
      samples: sampleCount,
      cpu,
      memory,
      location: this.at(rangeOf(get(doc, map, 'name')) ?? rangeOf(map)),
    };
  }

  /** `{p50, p95, max}`: integers (millicores, bytes) or quantities (`250m`, `512Mi`); p50 ≤ p95 ≤ max. */
  private stats(where: string, resource: 'cpu' | 'memory', map: YAMLMap<unknown, unknown>): UsageStats | undefined {
    const doc = this.doc;
    const node = get(doc, map, resource);
    if (node === undefined) return undefined;
    const body = asMap(doc, node);
    if (!body) {
      this.problem(
        `${where}: ${resource} must be {p50, p95, max} in ${resource === 'cpu' ? 'millicores' : 'bytes'}.`,
        rangeOf(node),
      );
      return undefined;
    }
    const values: Partial<UsageStats> = {};
    for (const key of ['p50', 'p95', 'max'] as const) {
      const valueNode = get(doc, body, key);
      const value = this.amount(resource, scalarValue(doc, valueNode));
      if (value === undefined) {
        this.problem(
          valueNode === undefined
            ? `${where}: ${resource}.${key} is missing.`
            : `${where}: ${resource}.${key} ${JSON.stringify(scalarValue(doc, valueNode) ?? null)} is not ${resource === 'cpu' ? 'millicores (an integer such as 250, or 250m)' : 'bytes (an integer, or a quantity such as 512Mi)'}.`,
          rangeOf(valueNode) ?? rangeOf(body),
        );
        return undefined;
      }
      values[key] = value;
    }
    for (const pair of entries(doc, body)) {
      const key = keyText(pair.key);
      if (key && !['p50', 'p95', 'max'].includes(key))
        this.problem(
          `${where}: ${resource}.${key} is not a statistic of the snapshot (p50, p95, max).`,
          rangeOf(pair.key as never),
          'warning',
        );
    }
    const stats = values as UsageStats;
    if (!(stats.p50 <= stats.p95 && stats.p95 <= stats.max)) {
      this.problem(
        `${where}: ${resource} must have p50 ≤ p95 ≤ max (got ${stats.p50}, ${stats.p95}, ${stats.max}).`,
        rangeOf(body),
      );
      return undefined;
    }
    return stats;
  }

  /** An integer in the resource's unit, or a Kubernetes quantity converted (rounded up, like the API server). */
  private amount(resource: 'cpu' | 'memory', raw: unknown): number | undefined {
    if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
    if (typeof raw !== 'string') return undefined;
    const result = resource === 'cpu' ? kubernetesCpuMillicores(raw) : kubernetesBytes(raw);
    return result.ok && result.value >= 0 ? result.value : undefined;
  }

  private rangeOfKey(root: YAMLMap<unknown, unknown>, key: string | undefined): OffsetRange | undefined {
    if (key === undefined) return { start: rangeOf(root)?.start ?? 0, end: rangeOf(root)?.start ?? 0 };
    return (
      rangeOf(getPair(this.doc, root, key)?.value as never) ?? {
        start: rangeOf(root)?.start ?? 0,
        end: rangeOf(root)?.start ?? 0,
      }
    );
  }

  private at(range: OffsetRange | undefined): SourceLocation {
    return { file: this.path, range: range ?? { start: 0, end: 0 } };
  }
}
