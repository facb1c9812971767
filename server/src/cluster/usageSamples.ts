import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document } from 'yaml';
import type { WorkloadModel } from '../engine/model/manifest';
import { formatUsageDuration } from '../engine/quantity/duration';
import { USAGE_API_VERSION, USAGE_KIND, type UsageSource, type UsageStats } from '../engine/usage/snapshot';

/** Samples of one container of one workload, over all its pods: cpu in millicores, memory in bytes. */
export interface ContainerSamples {
  cpu: number[];
  memory: number[];
}

export interface WorkloadSamples {
  name: string;
  namespace: string;
  kind?: string;
  pods: Set<string>;
  containers: Map<string, ContainerSamples>;
}

/** Samples collected by workload (`namespace/name`), ready to become a snapshot. */
export class SampleSet {
  readonly workloads = new Map<string, WorkloadSamples>();

  add(
    owner: { namespace: string; name: string; kind?: string },
    pod: string,
    container: string,
    sample: { cpu?: number; memory?: number },
  ): void {
    const key = `${owner.namespace}/${owner.name}`;
    let workload = this.workloads.get(key);
    if (!workload) this.workloads.set(key, (workload = { ...owner, pods: new Set(), containers: new Map() }));
    workload.pods.add(pod);
    let samples = workload.containers.get(container);
    if (!samples) workload.containers.set(container, (samples = { cpu: [], memory: [] }));
    if (sample.cpu !== undefined) samples.cpu.push(sample.cpu);
    if (sample.memory !== undefined) samples.memory.push(sample.memory);
  }
}

/** p50, p95 and max by the nearest-rank method: values that were observed, integers stay integers. */
export function statsOf(values: number[]): UsageStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: rank(50), p95: rank(95), max: sorted[sorted.length - 1] };
}

export interface SnapshotHeader {
  source: UsageSource;
  origin: string;
  takenAt: Date;
  windowMs: number;
}

export interface SnapshotWorkload {
  name: string;
  namespace: string;
  kind?: string;
  pods: number;
  containers: { name: string; samples: number; cpu?: UsageStats; memory?: UsageStats }[];
}

/** Sampled workloads with their statistics. */
export function workloadsOf(samples: SampleSet): SnapshotWorkload[] {
  return [...samples.workloads.values()].map((w) => ({
    name: w.name,
    namespace: w.namespace,
    kind: w.kind,
    pods: w.pods.size,
    containers: [...w.containers.entries()]
      .map(([name, s]) => ({
        name,
        samples: Math.max(s.cpu.length, s.memory.length),
        cpu: statsOf(s.cpu),
        memory: statsOf(s.memory),
      }))
      .filter((c) => c.samples > 0),
  }));
}

/** The snapshot file's text (documented in docs/usage.md): YAML, or JSON for a file named `*.json`. */
export function snapshotText(
  header: SnapshotHeader,
  list: SnapshotWorkload[],
  format: 'yaml' | 'json' = 'yaml',
): string {
  const workloads = [...list]
    .sort((a, b) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1))
    .map((w) => ({
      name: w.name,
      namespace: w.namespace,
      ...(w.kind ? { kind: w.kind } : {}),
      pods: w.pods,
      containers: [...w.containers]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((c) => ({
          name: c.name,
          samples: c.samples,
          ...(c.cpu ? { cpu: c.cpu } : {}),
          ...(c.memory ? { memory: c.memory } : {}),
        })),
    }));
  const snapshot = {
    apiVersion: USAGE_API_VERSION,
    kind: USAGE_KIND,
    source: header.source,
    origin: header.origin,
    takenAt: header.takenAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    window: formatUsageDuration(header.windowMs),
    workloads,
  };
  // JSON has no comments: the format is named by apiVersion and kind.
  if (format === 'json') return JSON.stringify(snapshot, null, 2) + '\n';
  const doc = new Document(snapshot);
  doc.commentBefore = ` Written by consolidate usage (--from ${header.source}). cpu in millicores, memory in bytes: p50, p95 and max\n per container over the window and all the workload's pods. See docs/usage.md.`;
  // Statistics on one line each: {p50: 12, p95: 40, max: 95}.
  return doc
    .toString({ lineWidth: 0 })
    .replace(
      /^(\s+)(cpu|memory):\n\s+p50: (\d+)\n\s+p95: (\d+)\n\s+max: (\d+)$/gm,
      '$1$2: {p50: $3, p95: $4, max: $5}',
    );
}

/**
 * Writes the snapshot, replacing only a previous snapshot (a file whose kind is UsageSnapshot) or
 * nothing: any other file at that path is the user's and is left alone. Written to a temporary
 * file first, then renamed, so a reader never sees half a snapshot.
 */
export function writeSnapshot(file: string, text: string): void {
  if (fs.existsSync(file)) {
    const existing = fs.readFileSync(file, 'utf8');
    if (!/^kind:\s*UsageSnapshot\s*$/m.test(existing) && !/"kind"\s*:\s*"UsageSnapshot"/.test(existing)) {
      throw new Error(`${file} exists and is not a usage snapshot: not overwritten (choose another file with --out).`);
    }
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, text, { flag: 'wx' });
  fs.renameSync(temporary, file);
}

/**
 * The plan workload a pod belongs to, by the names controllers give pods: `<deployment>-<hash>-<id>`,
 * `<statefulset>-<ordinal>`, `<daemonset or job>-<id>`. The longest matching name wins.
 */
export function workloadOfPodName(pod: string, workloads: WorkloadModel[]): WorkloadModel | undefined {
  let best: WorkloadModel | undefined;
  for (const w of workloads) {
    const name = w.name;
    if (!pod.startsWith(`${name}-`)) continue;
    const rest = pod.slice(name.length + 1);
    const matches =
      w.kind === 'StatefulSet'
        ? /^\d+$/.test(rest)
        : w.kind === 'Deployment'
          ? /^[a-z0-9]{1,10}-[a-z0-9]{5}$/.test(rest)
          : /^([a-z0-9]{1,10}-)?[a-z0-9]{5}$/.test(rest);
    if (matches && (!best || name.length > best.name.length)) best = w;
  }
  return best;
}
