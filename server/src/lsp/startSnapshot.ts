import { createHash } from 'node:crypto';
import { isClockWindow, withinWindow, type ClockWindow } from '../engine/rules/usage/clockWindow';
import type { PersistentCache } from '../engine/workspace/persistentCache';
import { holds, isRunManifest, type RunManifest } from '../engine/workspace/resultCache';

/**
 * What the plans of a workspace published, kept for the next start (a server restart, a window reload):
 * the diagnostics of every plan and of every file they put findings in, as JSON, with a manifest of every
 * file read, folder listed and path resolved to compute them (resultCache.ts's {@link RunManifest}, recorded
 * by a RecordingFileHost the workspace read through). A start whose key (engine version, settings, folders,
 * trust) is the same and whose manifest still holds on disk publishes them as they are, without reading a
 * model or running a rule; the models are loaded afterwards, when the editor is quiet.
 *
 * A plan's usage snapshot turns stale with time (usage/snapshot-stale): the snapshot holds only until the
 * first moment that check would say otherwise. Results that depend on what is not a file (a Kustomize or
 * Helm render) are not kept, nor results computed
 * while an open editor held a text other than the file's on disk. One snapshot is kept per cache folder (the
 * editor's storage folder of one workspace): a new one replaces it.
 */
export interface StartSnapshot {
  key: string;
  manifest: RunManifest;
  /** The plans on disk, sorted. */
  plans: string[];
  /** The manifests whose findings the plans give (they publish nothing of their own). */
  covered: string[];
  /** Every file a plan reads (sources, their render inputs, usage snapshots). */
  read: string[];
  /** Each file the plans published diagnostics for, and those diagnostics as JSON. */
  files: [string, string][];
  /** When they were computed, and until when they hold (a usage snapshot turns stale with time). */
  clock: ClockWindow;
}

const NAME = 'start-snapshot';

/**
 * The stored snapshot for `key`, when it was made for these plans, the clock is between when it was computed
 * and when it stops holding, and everything it read is unchanged.
 */
export function loadStartSnapshot(
  cache: PersistentCache,
  key: string,
  plans: string[],
  now = Date.now(),
): UsableSnapshot | undefined {
  const stored = cache.getNamed(NAME, isStartSnapshot);
  if (!stored || stored.key !== key) return undefined;
  if (!withinWindow(stored.clock, now)) return undefined;
  if (stored.plans.length !== plans.length || stored.plans.some((p, i) => p !== plans[i])) return undefined;
  if (!holds(stored.manifest)) return undefined;
  return new UsableSnapshot(stored);
}

export function storeStartSnapshot(cache: PersistentCache, snapshot: StartSnapshot): void {
  cache.putNamed(NAME, snapshot);
}

/** A snapshot whose manifest held at start, ready to be published from. */
export class UsableSnapshot {
  readonly plans: ReadonlySet<string>;
  readonly covered: ReadonlySet<string>;
  readonly read: ReadonlySet<string>;
  readonly files: ReadonlyMap<string, string>;
  private readonly sums: Map<string, string | null>;

  constructor(stored: StartSnapshot) {
    this.plans = new Set(stored.plans);
    this.covered = new Set(stored.covered);
    this.read = new Set(stored.read);
    this.files = new Map(stored.files);
    this.sums = new Map(stored.manifest.reads);
  }

  /** Whether the results were computed with this file read from disk. */
  dependsOn(file: string): boolean {
    return this.sums.has(file);
  }

  /** Whether `text` is the text the results were computed from (the file's on disk). */
  sameText(file: string, text: string): boolean {
    const sum = this.sums.get(file);
    return typeof sum === 'string' && createHash('sha256').update(text, 'utf8').digest('hex') === sum;
  }
}

function isStartSnapshot(value: unknown): value is StartSnapshot {
  if (!value || typeof value !== 'object') return false;
  const s = value as Partial<StartSnapshot>;
  const strings = (list: unknown) => Array.isArray(list) && list.every((x) => typeof x === 'string');
  return (
    typeof s.key === 'string' &&
    isRunManifest(s.manifest) &&
    strings(s.plans) &&
    strings(s.covered) &&
    strings(s.read) &&
    isClockWindow(s.clock) &&
    Array.isArray(s.files) &&
    s.files.every((f) => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && typeof f[1] === 'string')
  );
}
