import * as fs from 'node:fs';
import * as path from 'node:path';
import { namespaceOf } from '../engine/budget/resolve';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import type { ClusterApi } from './clusterApi';
import { importKrr, KrrError } from './usageKrr';
import { sampleMetricsServer } from './usageMetricsServer';
import { queryPrometheus } from './usagePrometheus';
import { snapshotText, workloadsOf, writeSnapshot, type SnapshotWorkload } from './usageSamples';

export type UsageFrom =
  | { kind: 'metrics-server'; api: ClusterApi; intervalMs: number; durationMs: number }
  | { kind: 'prometheus'; url: string; windowMs: number; maxPoints?: number }
  | { kind: 'krr'; file: string };

export interface RecordUsageOptions {
  planPath: string;
  from: UsageFrom;
  /** Where to write; default the plan's spec.usage, else usage.yaml beside the plan. */
  out?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onSample?: (index: number) => void | Promise<void>;
}

export interface RecordUsageResult {
  file: string;
  workloads: number;
  containers: number;
  /** The plan's workloads the source had nothing for. */
  missing: string[];
  /** Whether the plan already names the snapshot (spec.usage). */
  planReadsIt: boolean;
  /** What was left out, in sentences (pods of no workload, krr scans without data). */
  notes: string[];
}

/** A problem with the request itself (no plan, unreadable krr file): nothing was asked of any source. */
export class RecordUsageError extends Error {}

/**
 * Measures (or imports) the usage of a plan's workloads and writes the snapshot. The snapshot
 * replaces only an earlier snapshot; anything else at that path is left alone.
 */
export async function recordUsage(options: RecordUsageOptions): Promise<RecordUsageResult> {
  const { planPath, from } = options;
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  if (workspace.text(planPath) === undefined) throw new RecordUsageError(`${planPath}: cannot read the plan file`);
  const result = workspace.plan(planPath)!;
  const out =
    options.out ??
    (result.plan.usage
      ? path.resolve(path.dirname(planPath), result.plan.usage.file)
      : path.join(path.dirname(planPath), 'usage.yaml'));
  const workloads = result.analysis.states[0].workloads.map((w) => w.workload).filter((w) => w.steady);
  const namespaces = [...new Set(workloads.map((w) => namespaceOf(w, result.plan.namespace)))].sort();
  const notes: string[] = [];
  const takenAt = new Date();
  let list: SnapshotWorkload[];
  let origin: string;
  let windowMs: number;
  if (from.kind === 'krr') {
    let text: string;
    try {
      text = fs.readFileSync(from.file, 'utf8');
    } catch (error) {
      throw new RecordUsageError(
        `${from.file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    const imported = importKrr(text);
    notes.push(...imported.skipped.map((s) => `Skipped ${s}.`));
    const byWorkload = new Map<string, SnapshotWorkload>();
    for (const e of imported.entries) {
      const key = `${e.namespace}/${e.name}`;
      let w = byWorkload.get(key);
      if (!w)
        byWorkload.set(key, (w = { name: e.name, namespace: e.namespace, kind: e.kind, pods: e.pods, containers: [] }));
      w.containers.push({ name: e.container, samples: e.samples, cpu: e.cpu, memory: e.memory });
    }
    list = [...byWorkload.values()];
    origin = path.relative(path.dirname(out), from.file).split(path.sep).join('/');
    windowMs = imported.windowMs ?? 14 * 86_400_000;
  } else if (from.kind === 'prometheus') {
    const answer = await queryPrometheus({
      url: from.url,
      namespaces,
      workloads,
      windowMs: from.windowMs,
      end: takenAt,
      maxPoints: from.maxPoints,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    notes.push(...[...answer.unmatched].map((pod) => `Pod ${pod} belongs to no workload of the plan: left out.`));
    list = workloadsOf(answer.samples);
    origin = redactUrl(from.url);
    windowMs = from.windowMs;
  } else {
    options.onProgress?.(
      `Sampling metrics.k8s.io in context ${from.api.target.context} (namespaces ${namespaces.join(', ')})`,
    );
    const answer = await sampleMetricsServer({
      api: from.api,
      namespaces,
      workloads,
      intervalMs: from.intervalMs,
      durationMs: from.durationMs,
      signal: options.signal,
      onProgress: options.onProgress,
      onSample: options.onSample,
    });
    notes.push(...[...answer.unmatched].map((pod) => `Pod ${pod}: its workload could not be found: left out.`));
    list = workloadsOf(answer.samples);
    origin = `context ${from.api.target.context}`;
    windowMs = Math.max(from.durationMs, 1000);
  }
  const known = new Set(list.map((w) => `${w.namespace}/${w.name}`));
  const missing = workloads
    .filter((w) => !known.has(`${namespaceOf(w, result.plan.namespace)}/${w.name}`))
    .map((w) => w.name);
  writeSnapshot(
    out,
    snapshotText({ source: from.kind, origin, takenAt, windowMs }, list, /\.json$/i.test(out) ? 'json' : 'yaml'),
  );
  return {
    file: out,
    workloads: list.length,
    containers: list.reduce((n, w) => n + w.containers.length, 0),
    missing,
    planReadsIt: !!result.plan.usage,
    notes,
  };
}

/** A URL without its user:password part, for the snapshot's origin. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export { KrrError };
