import type { WorkloadModel } from '../engine/model/manifest';
import { SampleSet, workloadOfPodName } from './usageSamples';

export interface PrometheusOptions {
  url: string;
  namespaces: string[];
  workloads: WorkloadModel[];
  windowMs: number;
  /** The end of the window (default now). */
  end?: Date;
  /** At most this many points per series (Prometheus refuses more than 11,000). Default 2,000. */
  maxPoints?: number;
  /** At most this many series per query. Default 5,000. */
  maxSeries?: number;
  /** Each query's time limit, sent to Prometheus and enforced here. Default 60s. */
  queryTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export class PrometheusError extends Error {}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The shortest step: Prometheus scrapes cAdvisor every 15-60s, and a rate needs a few samples. */
const MIN_STEP_S = 60;

/** The PromQL of the two series, for one namespace (validated: it goes into a label matcher). */
export function usageQueries(namespace: string, rateWindowS: number): { cpu: string; memory: string } {
  if (!NAMESPACE.test(namespace)) throw new PrometheusError(`"${namespace}" is not a namespace name.`);
  const selector = `namespace="${namespace}", container!="", container!="POD"`;
  return {
    cpu: `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${selector}}[${rateWindowS}s]))`,
    memory: `max by (namespace, pod, container) (container_memory_working_set_bytes{${selector}})`,
  };
}

/**
 * Reads a window of cAdvisor series with query_range: CPU as the rate of
 * container_cpu_usage_seconds_total (cores → millicores), memory as container_memory_working_set_bytes.
 * The step is chosen so no series has more than `maxPoints` points; each query has a time limit.
 * Pods are matched to the plan's workloads by the names their controllers give them.
 */
export async function queryPrometheus(
  options: PrometheusOptions,
): Promise<{ samples: SampleSet; stepS: number; unmatched: Set<string> }> {
  const maxPoints = options.maxPoints ?? 2000;
  const end = Math.floor((options.end ?? new Date()).getTime() / 1000);
  const windowS = Math.floor(options.windowMs / 1000);
  const stepS = Math.max(MIN_STEP_S, Math.ceil(windowS / maxPoints));
  const start = end - windowS;
  // A rate over at least four scrapes of a 60s interval, and over the whole step when the step is longer.
  const rateWindowS = Math.max(300, stepS);
  const samples = new SampleSet();
  const unmatched = new Set<string>();
  for (const namespace of options.namespaces) {
    const queries = usageQueries(namespace, rateWindowS);
    for (const resource of ['cpu', 'memory'] as const) {
      options.onProgress?.(
        `Querying ${resource} of namespace ${namespace} (${Math.ceil(windowS / stepS)} points per series, step ${stepS}s)`,
      );
      const series = await queryRange(options, queries[resource], start, end, stepS);
      for (const s of series) {
        const pod = s.metric.pod ?? '';
        const container = s.metric.container ?? '';
        const workload = workloadOfPodName(
          pod,
          options.workloads.filter((w) => (w.namespace ?? namespace) === namespace),
        );
        if (!workload) {
          unmatched.add(`${namespace}/${pod}`);
          continue;
        }
        for (const [, raw] of s.values) {
          const value = Number(raw);
          if (!Number.isFinite(value) || value < 0) continue;
          // Rates are measurements in floating point: the nearest millicore and byte.
          samples.add(
            { namespace, name: workload.name, kind: workload.kind },
            pod,
            container,
            resource === 'cpu' ? { cpu: Math.round(value * 1000) } : { memory: Math.round(value) },
          );
        }
      }
    }
  }
  return { samples, stepS, unmatched };
}

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

async function queryRange(
  options: PrometheusOptions,
  query: string,
  start: number,
  end: number,
  stepS: number,
): Promise<Series[]> {
  const timeoutMs = options.queryTimeoutMs ?? 60_000;
  let url: URL;
  try {
    url = new URL('api/v1/query_range', options.url.endsWith('/') ? options.url : `${options.url}/`);
  } catch {
    throw new PrometheusError(`--url ${JSON.stringify(options.url)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PrometheusError(`--url must be http or https, not ${url.protocol}`);
  // user:password in the URL becomes Basic authentication (fetch refuses credentials in URLs); never shown.
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (url.username || url.password) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const body = new URLSearchParams({
    query,
    start: String(start),
    end: String(end),
    step: `${stepS}s`,
    timeout: `${Math.ceil(timeoutMs / 1000)}s`,
  });
  const signals = [AbortSignal.timeout(timeoutMs + 5000), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.any(signals) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (options.signal?.aborted) throw new PrometheusError('Cancelled.');
    if ((error as Error).name === 'TimeoutError')
      throw new PrometheusError(
        `Prometheus at ${url.origin} did not answer within ${Math.ceil(timeoutMs / 1000) + 5}s.`,
      );
    throw new PrometheusError(
      `Prometheus at ${url.origin} did not answer (${cause?.code ?? cause?.message ?? (error as Error).message}).`,
    );
  }
  const text = await response.text();
  let parsed: {
    status?: string;
    error?: string;
    errorType?: string;
    data?: { resultType?: string; result?: Series[] };
  };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PrometheusError(
      `Prometheus at ${url.origin} answered ${response.status} with something that is not its API's JSON.`,
    );
  }
  if (parsed.status !== 'success')
    throw new PrometheusError(
      `Prometheus refused the query (${response.status} ${parsed.errorType ?? ''}): ${parsed.error ?? 'no reason given'}`,
    );
  const result = parsed.data?.result ?? [];
  if (result.length > (options.maxSeries ?? 5000)) {
    throw new PrometheusError(
      `The query returned ${result.length} series, more than ${options.maxSeries ?? 5000}: narrow the plan's namespaces.`,
    );
  }
  return result;
}
