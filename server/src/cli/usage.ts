import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { namespaceOf } from '../engine/budget/resolve';
import { parseUsageDuration } from '../engine/usage/duration';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { parseDuration } from '../cluster/duration';
import { ClusterError, redact } from '../cluster/errors';
import { connect } from '../cluster/kubeClusterApi';
import { importKrr, KrrError } from '../cluster/usageKrr';
import { sampleMetricsServer } from '../cluster/usageMetricsServer';
import { PrometheusError, queryPrometheus } from '../cluster/usagePrometheus';
import { snapshotText, workloadsOf, writeSnapshot, type SnapshotWorkload } from '../cluster/usageSamples';
import type { ClusterCliIo } from './apply';
import { UsageError } from './discover';

const SOURCES = ['metrics-server', 'prometheus', 'krr'];

/** `consolidate usage PLAN --from metrics-server|prometheus|krr ...`: writes the plan's usage snapshot. */
export async function usage(args: string[], io: ClusterCliIo & { onSample?: (index: number) => void | Promise<void> }): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      interval: { type: 'string', default: '30s' },
      duration: { type: 'string', default: '5m' },
      url: { type: 'string' },
      window: { type: 'string', default: '7d' },
      'max-points': { type: 'string', default: '2000' },
      file: { type: 'string' },
    },
  });
  const from = values.from as string | undefined;
  if (!from || !SOURCES.includes(from)) throw new UsageError(`usage needs --from ${SOURCES.join('|')}${from ? `, not "${from}"` : ''}`);
  if (positionals.length < 1) throw new UsageError('usage takes a plan file');
  const krrFile = (values.file as string | undefined) ?? (from === 'krr' ? positionals[1] : undefined);
  if (positionals.length > (from === 'krr' && !values.file ? 2 : 1)) throw new UsageError('usage takes one plan file');
  const planPath = path.resolve(io.cwd, positionals[0]);
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  if (workspace.text(planPath) === undefined) throw new UsageError(`${positionals[0]}: cannot read the plan file`);
  const result = workspace.plan(planPath)!;
  const out = values.out
    ? path.resolve(io.cwd, values.out as string)
    : result.plan.usage
      ? path.resolve(path.dirname(planPath), result.plan.usage.file)
      : path.join(path.dirname(planPath), 'usage.yaml');
  const workloads = result.analysis.states[0].workloads.map((w) => w.workload).filter((w) => w.steady);
  const namespaces = [...new Set(workloads.map((w) => namespaceOf(w, result.plan.namespace)))].sort();
  const say = (message: string) => io.err.write(`${message}\n`);

  let list: SnapshotWorkload[];
  let origin: string;
  let windowMs: number;
  const takenAt = new Date();
  try {
    if (from === 'krr') {
      if (!krrFile) throw new UsageError('usage --from krr needs krr\'s JSON output: --from krr FILE (krr simple -f json > FILE)');
      const file = path.resolve(io.cwd, krrFile);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`${krrFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      const imported = importKrr(text);
      for (const skipped of imported.skipped) say(`Skipped ${skipped}.`);
      const byWorkload = new Map<string, SnapshotWorkload>();
      for (const e of imported.entries) {
        const key = `${e.namespace}/${e.name}`;
        let w = byWorkload.get(key);
        if (!w) byWorkload.set(key, (w = { name: e.name, namespace: e.namespace, kind: e.kind, pods: e.pods, containers: [] }));
        w.containers.push({ name: e.container, samples: e.samples, cpu: e.cpu, memory: e.memory });
      }
      list = [...byWorkload.values()];
      origin = path.relative(path.dirname(out), file).split(path.sep).join('/');
      windowMs = imported.windowMs ?? 14 * 86_400_000;
    } else if (from === 'prometheus') {
      if (!values.url) throw new UsageError('usage --from prometheus needs --url URL (the Prometheus server, e.g. http://prometheus.monitoring:9090)');
      const window = parseUsageDuration(values.window as string);
      if (window === undefined) throw new UsageError(`--window takes a duration such as 7d, 12h or 1w, not "${values.window}"`);
      const maxPoints = Number(values['max-points']);
      if (!Number.isInteger(maxPoints) || maxPoints < 10 || maxPoints > 11_000) throw new UsageError('--max-points takes a whole number from 10 to 11000');
      const answer = await queryPrometheus({ url: values.url as string, namespaces, workloads, windowMs: window, end: takenAt, maxPoints, signal: io.signal, onProgress: say });
      for (const pod of answer.unmatched) say(`Pod ${pod} belongs to no workload of the plan: left out.`);
      list = workloadsOf(answer.samples);
      origin = redactUrl(values.url as string);
      windowMs = window;
    } else {
      const intervalMs = parseDuration(values.interval as string);
      const durationMs = parseDuration(values.duration as string);
      if (!intervalMs || intervalMs <= 0) throw new UsageError(`--interval takes a duration such as 30s, not "${values.interval}"`);
      if (durationMs === undefined) throw new UsageError(`--duration takes a duration such as 5m, not "${values.duration}"`);
      const api = await connect({ context: values.context as string | undefined, kubeconfig: values.kubeconfig as string | undefined, env: io.env, ...io.connect });
      say(`Sampling metrics.k8s.io in context ${api.target.context} (namespaces ${namespaces.join(', ')}) every ${values.interval} for ${values.duration}`);
      const answer = await sampleMetricsServer({ api, namespaces, workloads, intervalMs, durationMs, signal: io.signal, onProgress: say, onSample: io.onSample });
      for (const pod of answer.unmatched) say(`Pod ${pod}: its workload could not be found: left out.`);
      list = workloadsOf(answer.samples);
      origin = `context ${api.target.context}`;
      windowMs = Math.max(durationMs, 1000);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof ClusterError || error instanceof PrometheusError || error instanceof KrrError) {
      io.err.write(`consolidate usage: ${redact(error.message)}\n`);
      return 1;
    }
    throw error;
  }

  const known = new Set(list.map((w) => `${w.namespace}/${w.name}`));
  const missing = workloads.filter((w) => !known.has(`${namespaceOf(w, result.plan.namespace)}/${w.name}`)).map((w) => w.name);
  try {
    writeSnapshot(out, snapshotText({ source: from as 'metrics-server' | 'prometheus' | 'krr', origin, takenAt, windowMs }, list));
  } catch (error) {
    io.err.write(`consolidate usage: ${(error as Error).message}\n`);
    return 1;
  }
  const containers = list.reduce((n, w) => n + w.containers.length, 0);
  const relative = path.relative(io.cwd, out) || out;
  io.out.write(`Wrote ${relative}: ${list.length} workload${list.length === 1 ? '' : 's'}, ${containers} container${containers === 1 ? '' : 's'}.\n`);
  if (missing.length) io.out.write(`No usage for ${missing.length} of the plan's workloads (not running, or not measured): ${missing.join(', ')}.\n`);
  if (!result.plan.usage) io.out.write(`Add \`usage: ${path.relative(path.dirname(planPath), out).split(path.sep).join('/')}\` to the plan's spec to check it against this usage.\n`);
  return 0;
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
