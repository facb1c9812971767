import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import { readEntry, writeEntry } from './checksummedEntry';
import { globOnDisk, type FileHost, type WalkBound, type WalkObserver } from './fileHost';

/**
 * The whole result of a run, cached on top of the per-file model cache: what `consolidate check` printed
 * (before formatting) and a manifest of exactly what that depended on. A run whose manifest still holds
 * prints the stored result without reading a model.
 *
 * The manifest is recorded by a {@link RecordingFileHost} the run reads through: every file read (path and
 * SHA-256 of its bytes, or that it could not be read), every size asked for, every folder a glob listed
 * (its entries' names and types: what a glob's result is computed from) and every path a glob tested for
 * being a file, and what each command-line path was (folder, file or missing). The entry's key holds everything else a finding depends on: the engine
 * version, the current folder, the paths named and the options that change findings. A run holds when
 * every file hashes the same, every size is the same and every folder lists the same entries: a changed,
 * added or deleted file under a searched folder changes one of these. Runs that read what is not a file
 * (standard input, a Kustomize or Helm render) are not stored.
 *
 * Entries are `results-v1/<key>.bin`: a magic tag, the SHA-256 of the payload and the payload (v8
 * serialization). An entry that is short, has another tag, does not hash to its sum, does not deserialize
 * or has not the expected shape is ignored and removed. Writes are atomic (a temporary file renamed into
 * place); at most {@link MAX_RESULTS} entries are kept (least recently used go first) and a result over
 * {@link MAX_RESULT_BYTES} is not stored. File-system errors are swallowed: the cache only saves time.
 */
export class ResultCache {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, FORMAT);
  }

  /** The key of a run: the engine version and everything else (besides the files) its findings depend on. */
  static key(engineVersion: string, run: unknown): string {
    return createHash('sha256')
      .update(`${engineVersion}\0${JSON.stringify(run)}`)
      .digest('hex');
  }

  /** The stored findings of the run `key`, when everything they were computed from is unchanged. */
  get<T>(key: string): T | undefined {
    const entry = this.entryPath(key);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry);
    } catch {
      return undefined;
    }
    const stored = decodeResult(bytes, key);
    if (!stored) {
      remove(entry);
      return undefined;
    }
    if (!holds(stored.manifest)) return undefined;
    try {
      const now = new Date();
      fs.utimesSync(entry, now, now);
    } catch {
      // read-only cache: still useful
    }
    return stored.findings as T;
  }

  /** Stores the findings of run `key` with what it read; nothing when the reads were not stable. */
  put(key: string, manifest: RunManifest, findings: unknown): void {
    let payload: Buffer;
    try {
      payload = serialize({ key, manifest, findings } satisfies StoredResult);
    } catch {
      return;
    }
    if (payload.length > MAX_RESULT_BYTES) return;
    try {
      writeEntry(this.entryPath(key), MAGIC, payload);
    } catch {
      return;
    }
    this.prune();
  }

  /** Keeps the {@link MAX_RESULTS} most recently used entries; removes temporary files left by dead processes. */
  private prune(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    const entries: { file: string; used: number }[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        const stat = fs.lstatSync(file);
        if (!stat.isFile()) continue;
        if (name.endsWith('.tmp')) {
          if (Date.now() - stat.mtimeMs > 3_600_000) remove(file);
          continue;
        }
        entries.push({ file, used: stat.mtimeMs });
      } catch {
        // gone meanwhile
      }
    }
    entries.sort((a, b) => b.used - a.used);
    for (const { file } of entries.slice(MAX_RESULTS)) remove(file);
  }

  private entryPath(key: string): string {
    return path.join(this.dir, `${key}.bin`);
  }
}

/** What a run depended on besides its key: see {@link ResultCache}. */
export interface RunManifest {
  /** Path, and SHA-256 of its bytes or null when it could not be read. */
  reads: [string, string | null][];
  /** Path, and size in bytes or null when it could not be stat'ed. */
  sizes: [string, number | null][];
  /** Folder, and its entries (type letter and name) or null when it could not be listed. */
  listings: [string, string[] | null][];
  /** Literal glob paths, and whether each was a file. */
  files: [string, boolean][];
  /** Paths whose kind decided how they were searched. */
  kinds: [string, PathKind][];
  /** Paths, and where they led after following symbolic links (null: nowhere), as sources' roots are checked. */
  realPaths: [string, string | null][];
}

export type PathKind = 'folder' | 'file' | 'missing';

interface StoredResult {
  key: string;
  manifest: RunManifest;
  findings: unknown;
}

/**
 * The disk, through {@link nodeFileHost}, recording what is read. `stable` turns false when a file read
 * twice gave different bytes (it changed during the run): such a run is not stored.
 */
export class RecordingFileHost implements FileHost {
  private readonly reads = new Map<string, string | null>();
  private readonly sizes = new Map<string, number | null>();
  private readonly listings = new Map<string, string[] | null>();
  private readonly files = new Map<string, boolean>();
  private readonly kinds = new Map<string, PathKind>();
  private readonly realPaths = new Map<string, string | null>();
  private readonly observer: WalkObserver = {
    listed: (dir, entries) => this.note(this.listings, dir, entries && entries.map(entryName), sameListing),
    isFile: (file, result) => this.note(this.files, file, result),
  };
  stable = true;

  readFile(file: string): string | undefined {
    let bytes: Buffer | undefined;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      bytes = undefined;
    }
    this.note(this.reads, file, bytes === undefined ? null : sha256(bytes));
    // As fs.readFileSync(file, 'utf8') decodes.
    return bytes?.toString('utf8');
  }

  fileSize(file: string): number | undefined {
    const size = sizeOf(file);
    this.note(this.sizes, file, size ?? null);
    return size;
  }

  glob(baseDir: string, patterns: string[], bound?: WalkBound): string[] {
    return globOnDisk(baseDir, patterns, bound, this.observer);
  }

  realPath(file: string): string | undefined {
    const real = realPathOf(file);
    this.note(this.realPaths, file, real ?? null);
    return real;
  }

  /** What a command-line path is (a folder is searched, a file read as given). */
  kind(file: string): PathKind {
    const kind = kindOf(file);
    this.note(this.kinds, file, kind);
    return kind;
  }

  manifest(): RunManifest {
    return {
      reads: [...this.reads],
      sizes: [...this.sizes],
      listings: [...this.listings],
      files: [...this.files],
      kinds: [...this.kinds],
      realPaths: [...this.realPaths],
    };
  }

  private note<T>(map: Map<string, T>, file: string, value: T, same = (a: T, b: T) => a === b): void {
    if (map.has(file)) {
      if (!same(map.get(file)!, value)) this.stable = false;
    } else map.set(file, value);
  }
}

/** Whether everything a run recorded is still so on disk (the language server checks its start this way too). */
export function holds(manifest: RunManifest): boolean {
  for (const [file, kind] of manifest.kinds) if (kindOf(file) !== kind) return false;
  for (const [file, real] of manifest.realPaths) if ((realPathOf(file) ?? null) !== real) return false;
  for (const [dir, entries] of manifest.listings) {
    let now: string[] | null;
    try {
      now = fs.readdirSync(dir, { withFileTypes: true }).map(entryName);
    } catch {
      now = null;
    }
    if (!sameListing(now, entries)) return false;
  }
  for (const [file, result] of manifest.files) if ((kindOf(file) === 'file') !== result) return false;
  for (const [file, size] of manifest.sizes) if ((sizeOf(file) ?? null) !== size) return false;
  for (const [file, sum] of manifest.reads) {
    let bytes: Buffer | undefined;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      bytes = undefined;
    }
    if ((bytes === undefined ? null : sha256(bytes)) !== sum) return false;
  }
  return true;
}

/** Entries in the order listed: a walk cut short by its bound depends on the order. */
function sameListing(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A folder entry as a glob sees it: its type and its name. */
function entryName(entry: fs.Dirent): string {
  return `${entry.isDirectory() ? 'd' : entry.isFile() ? 'f' : entry.isSymbolicLink() ? 'l' : 'o'}${entry.name}`;
}

function realPathOf(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

/** What a path is on disk. */
export function kindOf(file: string): PathKind {
  try {
    return fs.statSync(file).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function remove(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // nothing to do
  }
}

/** The stored result in an entry, or undefined when it is not one we wrote for this key. */
export function decodeResult(bytes: Buffer, key: string): StoredResult | undefined {
  const value = readEntry(bytes, MAGIC);
  return looksLikeResult(value, key) ? value : undefined;
}

function looksLikeResult(value: unknown, key: string): value is StoredResult {
  if (!value || typeof value !== 'object') return false;
  const { key: stored, manifest, findings } = value as Partial<StoredResult>;
  return stored === key && Array.isArray(findings) && findings.every(looksLikeFinding) && isRunManifest(manifest);
}

/** Whether a value read back has the shape of a {@link RunManifest}. */
export function isRunManifest(value: unknown): value is RunManifest {
  if (!value || typeof value !== 'object') return false;
  const manifest = value as Partial<RunManifest>;
  const pairs = (list: unknown, second: (v: unknown) => boolean) =>
    Array.isArray(list) &&
    list.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && second(p[1]));
  return (
    pairs(manifest.reads, (v) => v === null || typeof v === 'string') &&
    pairs(manifest.sizes, (v) => v === null || typeof v === 'number') &&
    pairs(manifest.kinds, (v) => v === 'folder' || v === 'file' || v === 'missing') &&
    pairs(manifest.listings, (v) => v === null || (Array.isArray(v) && v.every((e) => typeof e === 'string'))) &&
    pairs(manifest.files, (v) => typeof v === 'boolean') &&
    pairs(manifest.realPaths, (v) => v === null || typeof v === 'string')
  );
}

/** The shape of a positioned finding (cli/findingsOutput.ts), which is all the formats read. */
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

/** Results of the last few distinct runs (other folders, other options) are kept. */
export const MAX_RESULTS = 16;
/** A result this large is cheaper to compute again than to keep. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;
const FORMAT = 'results-v1';
const MAGIC = Buffer.from('CPRC\u0001');
