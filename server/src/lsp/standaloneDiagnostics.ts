import type { Diagnostic } from 'vscode-languageserver';
import { isComposeText } from '../engine/workspace/consolidationWorkspace';
import type { PersistentCache } from '../engine/workspace/persistentCache';

/**
 * The diagnostics published for a manifest open in the editor that no plan reads, kept in the model
 * cache's folder: they depend only on the file's path and text, the engine and the settings that change
 * findings, so a warm start (the same files reopened) publishes them without reading a model or running a
 * rule. A key holds all of those; compose files are left out (they also depend on their folder's `.env`).
 * Only texts that are the file's text on disk are stored (an editor's unsaved versions are not kept).
 */
export class StandaloneDiagnostics {
  /** What was looked up per open file, for the text it was looked up with. */
  private readonly known = new Map<
    string,
    { text: string; key: string | undefined; diagnostics: Diagnostic[] | undefined }
  >();

  constructor(
    private readonly cache: PersistentCache,
    /** The settings that change findings (rules, size cap), as one string. */
    private readonly settings: () => string,
  ) {}

  /** The cached diagnostics of an open file with this text, if any; the key they are (or would be) kept under. */
  lookup(file: string, text: string): { key: string | undefined; diagnostics: Diagnostic[] | undefined } {
    const known = this.known.get(file);
    if (known && known.text === text) return known;
    const key = isComposeText(text)
      ? undefined
      : this.cache.key(file, text, `published-diagnostics\0${this.settings()}`);
    const diagnostics = key === undefined ? undefined : this.cache.getValue(key, isDiagnosticList);
    const entry = { text, key, diagnostics };
    this.known.set(file, entry);
    return entry;
  }

  /** Keeps what was published for a file whose open text is its text on disk; returns its key (undefined: not kept). */
  store(file: string, text: string, diagnostics: Diagnostic[]): string | undefined {
    const entry = this.lookup(file, text);
    if (entry.key === undefined) return undefined;
    if (!entry.diagnostics) this.cache.putValue(entry.key, diagnostics);
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
