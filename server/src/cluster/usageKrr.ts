import type { UsageStats } from '../engine/usage/snapshot';

/** One workload container krr scanned, as the snapshot holds it. */
export interface KrrEntry {
  namespace: string;
  name: string;
  kind: string;
  container: string;
  pods: number;
  samples: number;
  cpu?: UsageStats;
  memory?: UsageStats;
}

export class KrrError extends Error {}

/**
 * Imports krr's JSON output (`krr simple -f json`): `scans[].object` names the workload and
 * container, `scans[].recommended.requests` holds krr's figures: CPU in cores (the p95 by default,
 * `cpu_percentile`), memory in bytes (the max plus `memory_buffer_percentage`, 15% by default).
 * krr reports nothing else, so the snapshot's CPU statistics are its percentile and its memory
 * statistics the max with the buffer taken off again; p50 and p95 are that same figure (docs/usage.md).
 */
export function importKrr(text: string): { entries: KrrEntry[]; windowMs?: number; skipped: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KrrError(`not krr's JSON output (krr simple -f json): ${(error as Error).message}`);
  }
  const root = data as { scans?: unknown; strategy?: { settings?: Record<string, unknown> } };
  if (!root || typeof root !== 'object' || !Array.isArray(root.scans))
    throw new KrrError('not krr\'s JSON output: no "scans" list.');
  const settings = root.strategy?.settings ?? {};
  const historyHours = typeof settings.history_duration === 'number' ? settings.history_duration : undefined;
  const timeframeMinutes = typeof settings.timeframe_duration === 'number' ? settings.timeframe_duration : undefined;
  const buffer = typeof settings.memory_buffer_percentage === 'number' ? settings.memory_buffer_percentage : 15;
  const samples =
    historyHours && timeframeMinutes ? Math.max(1, Math.floor((historyHours * 60) / timeframeMinutes)) : 1;
  const entries: KrrEntry[] = [];
  const skipped: string[] = [];
  for (const scan of root.scans as Record<string, unknown>[]) {
    const object = (scan?.object ?? {}) as Record<string, unknown>;
    const name = typeof object.name === 'string' ? object.name : undefined;
    const container = typeof object.container === 'string' ? object.container : undefined;
    const namespace = typeof object.namespace === 'string' ? object.namespace : undefined;
    if (!name || !container || !namespace) {
      skipped.push('a scan without object.name, object.container or object.namespace');
      continue;
    }
    const requests = ((scan.recommended as Record<string, unknown> | undefined)?.requests ?? {}) as Record<
      string,
      { value?: unknown } | undefined
    >;
    const cpuCores = numberValue(requests.cpu?.value);
    const memoryBytes = numberValue(requests.memory?.value);
    if (cpuCores === undefined && memoryBytes === undefined) {
      skipped.push(`${namespace}/${name}/${container}: krr had no data ("?")`);
      continue;
    }
    const cpu = cpuCores === undefined ? undefined : Math.round(cpuCores * 1000);
    const memory = memoryBytes === undefined ? undefined : Math.round((memoryBytes * 100) / (100 + buffer));
    entries.push({
      namespace,
      name,
      kind: typeof object.kind === 'string' ? object.kind : 'Deployment',
      container,
      pods: Array.isArray(object.pods) ? object.pods.filter((p) => !(p as { deleted?: boolean })?.deleted).length : 0,
      samples,
      cpu: cpu === undefined ? undefined : { p50: cpu, p95: cpu, max: cpu },
      memory: memory === undefined ? undefined : { p50: memory, p95: memory, max: memory },
    });
  }
  return { entries, windowMs: historyHours ? Math.round(historyHours * 3_600_000) : undefined, skipped };
}

function numberValue(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== '' && value !== '?'
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
