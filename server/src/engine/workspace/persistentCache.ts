import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import type { ManifestFile } from '../model/manifest';
import { readEntry, writeEntry } from './checksummedEntry';

/**
 * A cache of parsed manifest models on disk, so a second start over an unchanged workspace (a server
 * restart, a window reload, CI on the next push) reads models instead of parsing YAML again.
 *
 * An entry is keyed by the SHA-256 of the engine version, the options that change a model, the file's
 * path and its text: a changed file, an engine upgrade or another size cap is simply a different key, so a
 * stale entry is never read (only what changed is parsed again). Entries are files `<key>.bin`:
 * a magic tag, the SHA-256 of the payload and the payload (v8 serialization of the model). A file that is
 * short, has another tag, whose payload does not hash to what it says, that does not deserialize or whose
 * model does not have the shape of a manifest for that path is ignored (and removed); nothing in it is
 * used. Writes go to a temporary file beside the entry and are renamed into place (atomic: a reader sees a
 * whole entry or none). The folder is kept under `maxBytes`: the least recently used entries go first.
 * Every error of the file system is swallowed: the cache only ever saves time.
 */
export class PersistentCache {
  private readonly dir: string;
  private written = 0;
  private disabled = false;

  constructor(
    root: string,
    private readonly engineVersion: string,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {
    this.dir = path.join(root, FORMAT);
  }

  /** The key of a file's model: what it is read from, and by which engine with which options. */
  key(file: string, text: string, options: string): string {
    return createHash('sha256').update(`${this.engineVersion}\0${options}\0${file}\0`).update(text).digest('hex');
  }

  /** Whether the folder holds any entry yet (a warm start; cheap: one directory listing). */
  hasEntries(): boolean {
    try {
      return fs.readdirSync(this.dir).length > 0;
    } catch {
      return false;
    }
  }

  get(key: string, file: string): ManifestFile | undefined {
    return this.read(key, (bytes) => decode(bytes, file));
  }

  /**
   * Another kind of entry (the server's published diagnostics): any value v8 can serialize, read back
   * only when `accept` recognizes it. Its key must say what kind it is (see `key`'s `options`).
   */
  getValue<T>(key: string, accept: (value: unknown) => value is T): T | undefined {
    return this.read(key, (bytes) => {
      const value = decodeValue(bytes);
      return value !== undefined && accept(value) ? value : undefined;
    });
  }

  /**
   * A named entry kept beside the models (one file for many small values, read once at start instead of one
   * file each): the value when its tag and checksum hold and `accept` recognizes it, else undefined (and a
   * damaged entry is removed). The model cache's pruning leaves it alone: its owner bounds it.
   */
  getNamed<T>(name: string, accept: (value: unknown) => value is T): T | undefined {
    if (this.disabled) return undefined;
    const entry = this.namedPath(name);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry);
    } catch {
      return undefined;
    }
    const value = decodeValue(bytes);
    if (value !== undefined && accept(value)) return value;
    this.remove(entry);
    return undefined;
  }

  /** Replaces a named entry (atomically: a reader sees the old one or the new one). */
  putNamed(name: string, value: unknown): void {
    if (this.disabled) return;
    let payload: Buffer;
    try {
      payload = serialize(value);
    } catch {
      return;
    }
    try {
      writeEntry(this.namedPath(name), MAGIC, payload);
    } catch {
      this.disabled = true;
    }
  }

  private read<T>(key: string, decodeEntry: (bytes: Buffer) => T | undefined): T | undefined {
    if (this.disabled) return undefined;
    const entry = this.entryPath(key);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry);
    } catch {
      return undefined;
    }
    const model = decodeEntry(bytes);
    if (!model) {
      this.remove(entry);
      return undefined;
    }
    // Recently used: pruning removes the entries whose mtime is oldest.
    try {
      const now = new Date();
      fs.utimesSync(entry, now, now);
    } catch {
      // read-only cache: still useful
    }
    return model;
  }

  put(key: string, model: ManifestFile): void {
    this.putValue(key, model);
  }

  putValue(key: string, model: unknown): void {
    if (this.disabled) return;
    let payload: Buffer;
    try {
      payload = serialize(model);
    } catch {
      return;
    }
    try {
      this.written += writeEntry(this.entryPath(key), MAGIC, payload);
    } catch {
      // A cache folder we cannot write (read-only, full disk): stop trying for this run.
      this.disabled = true;
    }
  }

  /** Removes the least recently used entries while the folder holds more than maxBytes. */
  prune(): void {
    if (this.written === 0) return;
    this.written = 0;
    const entries: { file: string; size: number; used: number }[] = [];
    let total = 0;
    let shards: string[];
    try {
      shards = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const shard of shards) {
      let names: string[];
      try {
        names = fs.readdirSync(path.join(this.dir, shard));
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(this.dir, shard, name);
        try {
          const stat = fs.lstatSync(file);
          if (!stat.isFile()) continue;
          // A temporary file left by a process that died: an hour is longer than any write.
          if (name.endsWith('.tmp') && Date.now() - stat.mtimeMs > 3_600_000) {
            this.remove(file);
            continue;
          }
          entries.push({ file, size: stat.size, used: stat.mtimeMs });
          total += stat.size;
        } catch {
          // gone meanwhile
        }
      }
    }
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.used - b.used);
    // Down to 80% of the bound, so the next runs do not prune again at once.
    for (const entry of entries) {
      if (total <= this.maxBytes * 0.8) break;
      this.remove(entry.file);
      total -= entry.size;
    }
  }

  private namedPath(name: string): string {
    return path.join(this.dir, `${name.replace(/[^a-z0-9-]/gi, '_')}.bin`);
  }

  private entryPath(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  private remove(file: string): void {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // nothing to do
    }
  }
}

/** 256 MiB: a 20,000-Deployment workspace's models take about a tenth of it. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const FORMAT = 'manifests-v1';
const MAGIC = Buffer.from('CPMC\u0001');

/** The model in an entry, or undefined when the entry is not one we wrote for this file. */
export function decode(bytes: Buffer, file: string): ManifestFile | undefined {
  const value = decodeValue(bytes);
  return value !== undefined && looksLikeManifest(value, file) ? value : undefined;
}

/** The value in an entry whose tag and checksum hold, else undefined. */
function decodeValue(bytes: Buffer): unknown {
  return readEntry(bytes, MAGIC);
}

function looksLikeManifest(value: unknown, file: string): value is ManifestFile {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return (
    m.path === file &&
    typeof m.format === 'string' &&
    [
      'syntaxProblems',
      'quantityProblems',
      'fieldProblems',
      'workloads',
      'services',
      'limitRanges',
      'policies',
      'claims',
      'others',
    ].every((k) => Array.isArray(m[k]))
  );
}
