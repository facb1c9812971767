import type { Diagnostic } from 'vscode-languageserver';
import { isComposeText } from '../engine/workspace/consolidationWorkspace';
import type { PersistentCache } from '../engine/workspace/persistentCache';

/**
 * The diagnostics published for a manifest open in the editor that no plan reads, kept in the model
 * cache's folder: they depend only on the file's path and text, the engine and the settings that change
 * findings, so a warm start (the same files reopened) publishes them without reading a model or running a
 * rule. A key holds all of those; compose files are left out (they also depend on their folder's `.env`).
 * Only texts that are the file's text on disk are stored (an editor's unsaved versions are not kept).
 *
 * They are kept together in one entry (an index of key → diagnostics), read once when the server starts:
 * a warm start that reopens hundreds of files then hashes each text and looks it up in memory, instead of
 * reading a file per document. New diagnostics are written back in one go, a moment after the last one was
 * stored and when the server shuts down. The index keeps the entries used by this run first, then the
 * most recently used of the others, up to {@link MAX_INDEX_ENTRIES}.
 */
export class StandaloneDiagnostics {
  /** What was looked up per open file, for the text it was looked up with. */
  private readonly known = new Map<
    string,
    { text: string; key: string | undefined; diagnostics: Diagnostic[] | undefined }
  >();
  /** The index read at start (most recently used first), and what this run looked up or stored. */
  private readonly stored: Map<string, Diagnostic[]>;
  private readonly used = new Map<string, Diagnostic[]>();
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cache: PersistentCache,
    /** The settings that change findings (rules, size cap), as one string. */
    private readonly settings: () => string,
    private readonly flushDelayMs = 1000,
  ) {
    this.stored = new Map(cache.getNamed(INDEX_NAME, isIndex) ?? []);
  }

  /** The cached diagnostics of an open file with this text, if any; the key they are (or would be) kept under. */
  lookup(file: string, text: string): { key: string | undefined; diagnostics: Diagnostic[] | undefined } {
    const known = this.known.get(file);
    if (known && known.text === text) return known;
    const key = isComposeText(text)
      ? undefined
      : this.cache.key(file, text, `published-diagnostics\0${this.settings()}`);
    const diagnostics = key === undefined ? undefined : (this.used.get(key) ?? this.stored.get(key));
    if (key !== undefined && diagnostics) this.used.set(key, diagnostics);
    const entry = { text, key, diagnostics };
    this.known.set(file, entry);
    return entry;
  }

  /** Keeps what was published for a file whose open text is its text on disk; returns its key (undefined: not kept). */
  store(file: string, text: string, diagnostics: Diagnostic[]): string | undefined {
    const entry = this.lookup(file, text);
    if (entry.key === undefined) return undefined;
    if (!entry.diagnostics) {
      this.used.set(entry.key, diagnostics);
      this.flushLater();
    }
    entry.diagnostics = diagnostics;
    return entry.key;
  }

  forget(file: string): void {
    this.known.delete(file);
  }

  /** The settings changed: what was looked up under the old ones is not looked at again. */
  clear(): void {
    this.known.clear();
  }

  /** Writes the index now when something new was stored (at shutdown). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const entries: [string, Diagnostic[]][] = [...this.used];
    for (const [key, diagnostics] of this.stored) {
      if (entries.length >= MAX_INDEX_ENTRIES) break;
      if (!this.used.has(key)) entries.push([key, diagnostics]);
    }
    this.cache.putNamed(INDEX_NAME, entries.slice(0, MAX_INDEX_ENTRIES));
  }

  /** One write for a whole pass (or a whole start), a moment after the last diagnostics were stored. */
  private flushLater(): void {
    this.dirty = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.flush(), this.flushDelayMs);
    this.flushTimer.unref();
  }
}

/** Enough for the open files of several large workspaces; an entry without findings is about 100 bytes. */
export const MAX_INDEX_ENTRIES = 50_000;
const INDEX_NAME = 'published-diagnostics';

function isIndex(value: unknown): value is [string, Diagnostic[]][] {
  return (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isDiagnosticList(e[1]))
  );
}

function isDiagnosticList(value: unknown): value is Diagnostic[] {
  return (
    Array.isArray(value) &&
    value.every(
      (d) =>
        !!d &&
        typeof d === 'object' &&
        typeof (d as Diagnostic).message === 'string' &&
        typeof (d as Diagnostic).range === 'object',
    )
  );
}
