import { DEFAULT_MAX_AGE_MS, FUTURE_SLACK_MS } from './snapshotStale';
import type { PlanResult } from '../../analysis/planResult';

/**
 * Findings depend on the clock in one place: usage/snapshot-stale, whose verdict on a plan's usage snapshot
 * changes when the snapshot grows older than the plan's maxAge or stops being in the future. A stored result
 * (the CLI's `check --cache`, the language server's start snapshot) is only used inside the window its
 * findings were computed for.
 */
export interface ClockWindow {
  /** When the findings were computed (the earliest clock reading of the plans' usage analyses). */
  computedAt: number;
  /** The first moment after it at which a finding would change; null: never, as far as time goes. */
  validUntil: number | null;
}

/** The window of findings computed from `results` (per plan; undefined for a plan that could not be read). */
export function clockWindow(results: readonly (PlanResult | undefined)[], now = Date.now()): ClockWindow {
  let computedAt = now;
  const usages: DatedUsage[] = [];
  for (const result of results) {
    if (!result?.usage) continue;
    usages.push({ takenAt: result.usage.snapshot.takenAt, maxAgeMs: result.plan.usage?.maxAgeMs });
    computedAt = Math.min(computedAt, result.usage.now);
  }
  return { computedAt, validUntil: validUntil(computedAt, usages) };
}

export function withinWindow(window: ClockWindow, now = Date.now()): boolean {
  return now >= window.computedAt && (window.validUntil === null || now < window.validUntil);
}

export function isClockWindow(value: unknown): value is ClockWindow {
  if (!value || typeof value !== 'object') return false;
  const window = value as Partial<ClockWindow>;
  return typeof window.computedAt === 'number' && (window.validUntil === null || typeof window.validUntil === 'number');
}

interface DatedUsage {
  takenAt: number | undefined;
  maxAgeMs: number | undefined;
}

/**
 * Until when findings computed at `computedAt` hold as far as time goes: the first moment after it at which
 * a usage snapshot turns stale (taken at + its plan's maxAge) or stops being in the future (taken at minus
 * the clock slack the check allows); null when no plan has a dated usage snapshot.
 */
export function validUntil(computedAt: number, usages: readonly DatedUsage[]): number | null {
  let until: number | null = null;
  for (const { takenAt, maxAgeMs } of usages) {
    if (takenAt === undefined) continue;
    for (const boundary of [takenAt + (maxAgeMs ?? DEFAULT_MAX_AGE_MS), takenAt - FUTURE_SLACK_MS]) {
      if (boundary > computedAt && (until === null || boundary < until)) until = boundary;
    }
  }
  return until;
}
