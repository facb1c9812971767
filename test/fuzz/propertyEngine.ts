// The engine property as a fast-check property: a case (propertyInputs.ts) written into a fresh folder and every
// check of propertyChecks.ts run on it in-process. Shared by the bounded unit test and `npm run fuzz`.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { engineViolations, isKnownBug, KNOWN_BUG_PREFIX, writeCase } from './propertyChecks';
import { anyCase, type PropertyCase } from './propertyInputs';

/** Per case, far above the few to few hundred milliseconds a case takes: a hang bound, not a performance assertion. */
export const CASE_BOUND_MS = 20_000;

export interface EngineStats {
  runs: number;
  /** Known bug name → cases that met it (only counted when known bugs are tolerated). */
  known: Map<string, number>;
}

export function newStats(): EngineStats {
  return { runs: 0, known: new Map() };
}

/** Violations of one case, with the time bound. */
export function checkCase(c: PropertyCase, options: { arithmeticOnly?: boolean } = {}): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consolidation-property-'));
  const started = Date.now();
  try {
    writeCase(c, dir);
    const out = engineViolations(c, dir, options);
    const ms = Date.now() - started;
    if (ms > CASE_BOUND_MS) out.push(`hang: the case took ${ms} ms (bound ${CASE_BOUND_MS} ms)`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The property; with `tolerateKnownBugs`, violations that are known product bugs (KNOWN_BUGS) are counted, not failed. */
export function engineProperty(
  stats: EngineStats,
  options: { tolerateKnownBugs: boolean; arithmeticOnly?: boolean; onCase?: (c: PropertyCase) => void },
) {
  return fc.property(anyCase, (c) => {
    stats.runs++;
    options.onCase?.(c);
    let violations = checkCase(c, options);
    if (options.tolerateKnownBugs) {
      for (const bug of new Set(
        violations.filter(isKnownBug).map((v) => v.slice(KNOWN_BUG_PREFIX.length, v.indexOf(']'))),
      ))
        stats.known.set(bug, (stats.known.get(bug) ?? 0) + 1);
      violations = violations.filter((v) => !isKnownBug(v));
    }
    if (violations.length > 0)
      throw new Error(`${violations.length} violation(s) [${c.label}]:\n  ${violations.slice(0, 8).join('\n  ')}`);
  });
}

/** A case as files, to print or save with a failure. */
export function describeCase(c: PropertyCase): string {
  return `${c.label}\n${c.files.map(([rel, text]) => `--- ${rel} (${text.length} chars)\n${text.length > 4000 ? `${text.slice(0, 4000)}\n[...]` : text}`).join('\n')}`;
}
