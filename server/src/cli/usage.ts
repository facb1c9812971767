import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseUsageDuration } from '../engine/quantity/duration';
import { parseDuration } from '../cluster/duration';
import { ClusterError, redact } from '../cluster/errors';
import { connect } from '../cluster/kubeClusterApi';
import { KrrError, recordUsage, RecordUsageError, type UsageFrom } from '../cluster/recordUsage';
import { PrometheusError } from '../cluster/usagePrometheus';
import type { ClusterCliIo } from './apply';
import { UsageError } from './usageError';

const SOURCES = ['metrics-server', 'prometheus', 'krr'];

/** `consolidate usage PLAN --from metrics-server|prometheus|krr ...`: writes the plan's usage snapshot. */
export async function usage(
  args: string[],
  io: ClusterCliIo & { onSample?: (index: number) => void | Promise<void> },
): Promise<number> {
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
  if (!from || !SOURCES.includes(from))
    throw new UsageError(`usage needs --from ${SOURCES.join('|')}${from ? `, not "${from}"` : ''}`);
  if (positionals.length < 1) throw new UsageError('usage takes a plan file');
  const krrFile = (values.file as string | undefined) ?? (from === 'krr' ? positionals[1] : undefined);
  if (positionals.length > (from === 'krr' && !values.file ? 2 : 1)) throw new UsageError('usage takes one plan file');
  const planPath = path.resolve(io.cwd, positionals[0]);
  const say = (message: string) => io.err.write(`${message}\n`);

  try {
    let source: UsageFrom;
    if (from === 'krr') {
      if (!krrFile)
        throw new UsageError("usage --from krr needs krr's JSON output: --from krr FILE (krr simple -f json > FILE)");
      source = { kind: 'krr', file: path.resolve(io.cwd, krrFile) };
    } else if (from === 'prometheus') {
      if (!values.url)
        throw new UsageError(
          'usage --from prometheus needs --url URL (the Prometheus server, e.g. http://prometheus.monitoring:9090)',
        );
      const windowMs = parseUsageDuration(values.window as string);
      if (windowMs === undefined)
        throw new UsageError(`--window takes a duration such as 7d, 12h or 1w, not "${values.window}"`);
      const maxPoints = Number(values['max-points']);
      if (!Number.isInteger(maxPoints) || maxPoints < 10 || maxPoints > 11_000)
        throw new UsageError('--max-points takes a whole number from 10 to 11000');
      source = { kind: 'prometheus', url: values.url as string, windowMs, maxPoints };
    } else {
      const intervalMs = parseDuration(values.interval as string);
      const durationMs = parseDuration(values.duration as string);
      if (!intervalMs || intervalMs <= 0)
        throw new UsageError(`--interval takes a duration such as 30s, not "${values.interval}"`);
      if (durationMs === undefined)
        throw new UsageError(`--duration takes a duration such as 5m, not "${values.duration}"`);
      const api = await connect({
        context: values.context as string | undefined,
        kubeconfig: values.kubeconfig as string | undefined,
        env: io.env,
        ...io.connect,
      });
      source = { kind: 'metrics-server', api, intervalMs, durationMs };
    }
    const out = values.out ? path.resolve(io.cwd, values.out as string) : undefined;
    const result = await recordUsage({
      planPath,
      from: source,
      out,
      signal: io.signal,
      onProgress: say,
      onSample: io.onSample,
    });
    for (const note of result.notes) say(note);
    const relative = path.relative(io.cwd, result.file) || result.file;
    io.out.write(
      `Wrote ${relative}: ${result.workloads} workload${result.workloads === 1 ? '' : 's'}, ${result.containers} container${result.containers === 1 ? '' : 's'}.\n`,
    );
    if (result.missing.length)
      io.out.write(
        `No usage for ${result.missing.length} of the plan's workloads (not running, or not measured): ${result.missing.join(', ')}.\n`,
      );
    if (!result.planReadsIt)
      io.out.write(
        `Add \`usage: ${path.relative(path.dirname(planPath), result.file).split(path.sep).join('/')}\` to the plan's spec to check it against this usage.\n`,
      );
    return 0;
  } catch (error) {
    if (error instanceof RecordUsageError)
      throw new UsageError(error.message.replace(path.dirname(planPath) + path.sep, ''));
    if (error instanceof ClusterError || error instanceof PrometheusError || error instanceof KrrError) {
      io.err.write(`consolidate usage: ${redact(error.message)}\n`);
      return 1;
    }
    if (error instanceof UsageError) throw error;
    // Writing the snapshot: a file that is not one, a folder that cannot be written.
    io.err.write(`consolidate usage: ${(error as Error).message}\n`);
    return 1;
  }
}
