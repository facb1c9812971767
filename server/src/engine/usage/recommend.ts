import type { UsageStats } from './snapshot';

/**
 * krr's "simple" strategy, the documented headroom of the recommendation: the CPU request is the
 * p95 of CPU usage, the memory request the max of memory usage plus 15%. Both are rounded up to
 * amounts people write in manifests (see roundCpu, roundMemory).
 */
export const MEMORY_HEADROOM_PERCENT = 15;

export interface Recommendation {
  cpu?: number;
  memory?: number;
}

export function recommend(usage: { cpu?: UsageStats; memory?: UsageStats }): Recommendation {
  return {
    cpu: usage.cpu ? roundCpu(usage.cpu.p95) : undefined,
    memory: usage.memory ? roundMemory(withHeadroom(usage.memory.max)) : undefined,
  };
}

/** max × 1.15, rounded up to a whole byte (exact, in BigInt). */
export function withHeadroom(bytes: number): number {
  const scaled = BigInt(bytes) * BigInt(100 + MEMORY_HEADROOM_PERCENT);
  return Number((scaled + 99n) / 100n);
}

/** Millicores rounded up: to 10m up to 100m, 50m up to 1 core, 100m up to 4 cores, then 500m. At least 10m. */
export function roundCpu(millicores: number): number {
  const step = millicores <= 100 ? 10 : millicores <= 1000 ? 50 : millicores <= 4000 ? 100 : 500;
  return Math.max(10, ceilTo(millicores, step));
}

const MI = 2 ** 20;

/** Bytes rounded up: to 16Mi up to 64Mi, 32Mi up to 256Mi, 64Mi up to 1Gi, 256Mi up to 4Gi, then 512Mi. At least 16Mi. */
export function roundMemory(bytes: number): number {
  const step =
    bytes <= 64 * MI
      ? 16 * MI
      : bytes <= 256 * MI
        ? 32 * MI
        : bytes <= 1024 * MI
          ? 64 * MI
          : bytes <= 4096 * MI
            ? 256 * MI
            : 512 * MI;
  return Math.max(16 * MI, ceilTo(bytes, step));
}

function ceilTo(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
