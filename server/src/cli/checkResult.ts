import { isClockWindow, withinWindow, type ClockWindow } from '../engine/rules/usage/clockWindow';
import { ResultCache } from '../engine/workspace/resultCache';
import type { CheckArgs } from './checkArgs';
import { formatJson, formatSarif, formatText, type PositionedFinding, type SarifRule } from './findingsOutput';

/**
 * A check's whole result as the whole-result cache keeps it (engine/workspace/resultCache.ts): the
 * positioned findings, and the rule table SARIF prints, so that the launcher can print every format
 * without the rule registry.
 */
export interface CheckResult {
  findings: PositionedFinding[];
  rules: SarifRule[];
  /** When the findings were computed and until when the clock leaves them as they are (a usage snapshot ages). */
  clock: ClockWindow;
}

/** Where a run's result is stored: `version` is the engine's (engineVersion.ts). */
export function checkResultKey(args: CheckArgs, version: string): string {
  return ResultCache.key(version, args.run);
}

/**
 * The stored result of the run `key` in `cacheDir`, when nothing it was computed from changed, not even
 * the verdict of the clock; the launcher and the full check both read it so.
 */
export function storedCheck(cacheDir: string, key: string): CheckResult | undefined {
  const result = new ResultCache(cacheDir).get(key, looksLikeCheckResult);
  return result && withinWindow(result.clock) ? result : undefined;
}

/** What the run prints and its exit status: 1 when an error-severity finding is among them. */
export function printCheck(result: CheckResult, format: CheckArgs['format'], version: string): PrintedCheck {
  const { findings } = result;
  const text =
    format === 'json'
      ? formatJson(findings)
      : format === 'sarif'
        ? formatSarif(findings, version, result.rules)
        : formatText(findings);
  return { text, status: findings.some((f) => f.severity === 'error') ? 1 : 0 };
}

export interface PrintedCheck {
  text: string;
  status: number;
}

/** Whether a stored value is a {@link CheckResult} (a cache entry from another build is ignored). */
export function looksLikeCheckResult(value: unknown): value is CheckResult {
  if (!value || typeof value !== 'object') return false;
  const { findings, rules, clock } = value as Partial<CheckResult>;
  return (
    Array.isArray(findings) &&
    findings.every(looksLikeFinding) &&
    Array.isArray(rules) &&
    rules.every(looksLikeRule) &&
    isClockWindow(clock)
  );
}

function looksLikeFinding(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const f = value as Record<string, unknown>;
  const range = f.range as { start?: Record<string, unknown>; end?: Record<string, unknown> } | undefined;
  const position = (p: Record<string, unknown> | undefined) =>
    !!p && typeof p.line === 'number' && typeof p.character === 'number';
  return (
    typeof f.file === 'string' &&
    typeof f.severity === 'string' &&
    typeof f.code === 'string' &&
    typeof f.message === 'string' &&
    !!range &&
    position(range.start) &&
    position(range.end)
  );
}

function looksLikeRule(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return typeof r.code === 'string' && typeof r.description === 'string' && typeof r.defaultSeverity === 'string';
}
