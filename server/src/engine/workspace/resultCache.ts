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
 * The manifest is recorded by a {@link RecordingFileHost} the run reads through:
 * - every file read: its path and the SHA-256 of its bytes (or that it could not be read), and its stamp
 *   when that may stand for the bytes ({@link stampOf});
 * - every size asked for;
 * - every folder a glob listed (its entries' names and types: what a glob's result is computed from) and
 *   every path a glob tested for being a file;
 * - what each command-line path was (folder, file or missing), and where links on a source's path lead.
 *
 * The entry's key holds everything else a finding depends on: the engine version, the current folder, the
 * paths named and the options that change findings. A run holds when every file has the same stamp or
 * hashes the same, every size is the same and every folder lists the same entries: a changed, added or
 * deleted file under a searched folder changes one of these. Runs that read what is not a file (standard
 * input, a Kustomize or Helm render) are not stored.
 *
 * Entries are `results-v2/<key>.bin`: a magic tag, the SHA-256 of the payload and the payload (v8
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

  /**
   * The stored result of the run `key`, when everything it was computed from is unchanged and it has the
   * shape `looksLike` expects (anything else is removed).
   */
  get<T>(key: string, looksLike: (result: unknown) => result is T): T | undefined {
    const entry = this.entryPath(key);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry);
    } catch {
      return undefined;
    }
    const stored = decodeResult(bytes, key);
    if (!stored || !looksLike(stored.result)) {
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
    return stored.result;
  }

  /** Stores the result of run `key` with what it read (`manifest`). */
  put(key: string, manifest: RunManifest, result: unknown): void {
    let payload: Buffer;
    try {
      payload = serialize({ key, manifest, result } satisfies StoredResult);
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
  /**
   * Path, and its {@link stampOf stamp} when the file was read: while a file's stamp is the same, its bytes
   * are (as git trusts its index), so a check need not read and hash it again. Only files last changed
   * well before they were read have one.
   */
  stamps: [string, string][];
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
  result: unknown;
}

/**
 * The disk, through {@link nodeFileHost}, recording what is read. `stable` turns false when a file read
 * twice gave different bytes (it changed during the run): such a run is not stored.
 */
export class RecordingFileHost implements FileHost {
  private readonly reads = new Map<string, string | null>();
  private readonly stamps = new Map<string, string>();
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

  /** `racyMs`: how long ago a file must have changed for its stamp to be kept (tests shorten it). */
  constructor(private readonly racyMs = RACY_MS) {}

  readFile(file: string): string | undefined {
    let bytes: Buffer | undefined;
    let stamp: string | undefined;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        bytes = fs.readFileSync(fd);
        stamp = trustedStamp(fs.fstatSync(fd, { bigint: true }), this.racyMs);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      bytes = undefined;
    }
    this.note(this.reads, file, bytes === undefined ? null : sha256(bytes));
    // Read twice with other stamps (touched meanwhile): its bytes are checked, not its stamp.
    const known = this.stamps.get(file);
    if (stamp === undefined || (known !== undefined && known !== stamp)) this.stamps.delete(file);
    else this.stamps.set(file, stamp);
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
      stamps: [...this.stamps],
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
  // Each path is stat'ed once: its kind, size and stamp all come from that.
  const stats = new Map<string, fs.BigIntStats | undefined>();
  const stat = (file: string) => {
    if (!stats.has(file)) stats.set(file, statOf(file));
    return stats.get(file);
  };
  for (const [file, kind] of manifest.kinds) if (kindFrom(stat(file)) !== kind) return false;
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
  for (const [file, result] of manifest.files) if ((kindFrom(stat(file)) === 'file') !== result) return false;
  for (const [file, size] of manifest.sizes) {
    const now = stat(file);
    if ((now ? Number(now.size) : null) !== size) return false;
  }
  const stamps = new Map(manifest.stamps);
  for (const [file, sum] of manifest.reads) {
    const stamp = stamps.get(file);
    const now = stamp === undefined ? undefined : stat(file);
    if (now && stampOf(now) === stamp) continue;
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

/**
 * A file's identity and change times, `dev:ino:size:mtime:ctime` in nanoseconds. Any write changes its
 * ctime, which no tool can set back, so an equal stamp means equal bytes: unless the file changed twice
 * within one tick of the file system's clock (a few milliseconds), once before it was read and once
 * after. Hence a stamp is only taken from a file whose last change is {@link RACY_MS} older than the read.
 */
function stampOf(stat: fs.BigIntStats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

function trustedStamp(stat: fs.BigIntStats, racyMs: number): string | undefined {
  const racy = BigInt(Date.now() - racyMs) * 1_000_000n;
  return stat.mtimeNs < racy && stat.ctimeNs < racy ? stampOf(stat) : undefined;
}

function statOf(file: string): fs.BigIntStats | undefined {
  try {
    return fs.statSync(file, { bigint: true });
  } catch {
    return undefined;
  }
}

/** How long ago a file must have last changed for its stamp to stand for its bytes. */
const RACY_MS = 2_000;

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
  return kindFrom(statOf(file));
}

function kindFrom(stat: fs.BigIntStats | undefined): PathKind {
  return stat === undefined ? 'missing' : stat.isDirectory() ? 'folder' : 'file';
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
  const { key: stored, manifest } = value as Partial<StoredResult>;
  return stored === key && 'result' in value && isRunManifest(manifest);
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
    pairs(manifest.stamps, (v) => typeof v === 'string') &&
    pairs(manifest.sizes, (v) => v === null || typeof v === 'number') &&
    pairs(manifest.kinds, (v) => v === 'folder' || v === 'file' || v === 'missing') &&
    pairs(manifest.listings, (v) => v === null || (Array.isArray(v) && v.every((e) => typeof e === 'string'))) &&
    pairs(manifest.files, (v) => typeof v === 'boolean') &&
    pairs(manifest.realPaths, (v) => v === null || typeof v === 'string')
  );
}

/** Results of the last few distinct runs (other folders, other options) are kept. */
export const MAX_RESULTS = 16;
/** A result this large is cheaper to compute again than to keep. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;
const FORMAT = 'results-v2';
const MAGIC = Buffer.from('CPRC\u0001');
