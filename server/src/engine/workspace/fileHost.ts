import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import { NEVER_WALKED } from '../files/neverWalked';

/** How far one glob may walk: it stops after `maxEntries` directory entries and sets `truncated`. */
export interface WalkBound {
  maxEntries: number;
  truncated?: boolean;
}

/** How the engine reaches files: the disk for the CLI, the disk plus open editors for the server. */
export interface FileHost {
  /** The file's text, or undefined when it cannot be read. */
  readFile(file: string): string | undefined;
  /** The file's size in bytes on disk, when known without reading it. */
  fileSize?(file: string): number | undefined;
  /** Absolute paths of files under `baseDir` matching the globs (relative to `baseDir`). */
  glob(baseDir: string, patterns: string[], bound?: WalkBound): string[];
  /** Where a path leads after following symbolic links, or undefined when it does not exist (a host without links: itself). */
  realPath?(file: string): string | undefined;
}

const IGNORED = NEVER_WALKED.map((folder) => `**/${folder}/**`);

/** The first never-walked folder a path (relative, `/`-separated) goes through, if any. */
export function neverWalkedFolderIn(relative: string): string | undefined {
  return relative.split(/[\\/]/).find((segment) => NEVER_WALKED.includes(segment));
}

export const nodeFileHost: FileHost = {
  realPath(file) {
    try {
      return fs.realpathSync(file);
    } catch {
      return undefined;
    }
  },
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  fileSize(file) {
    try {
      return fs.statSync(file).size;
    } catch {
      return undefined;
    }
  },
  glob(baseDir, patterns, bound) {
    return globOnDisk(baseDir, patterns, bound);
  },
};

/** Watches a glob's walk on disk: what it depends on (the folders it lists, the paths it tests for being files). */
export interface WalkObserver {
  /** A folder's entries as listed, or null when it could not be listed. */
  listed(dir: string, entries: fs.Dirent[] | null): void;
  isFile(file: string, result: boolean): void;
}

/** {@link nodeFileHost}'s glob; `observer` sees every folder listing and file test the result depends on. */
export function globOnDisk(baseDir: string, patterns: string[], bound?: WalkBound, observer?: WalkObserver): string[] {
  const found = new Set<string>();
  // Each pattern is walked from its static part (`../manifests` of `../manifests/**/*.yaml`), so
  // the never-walked folders are pruned below it however many `../` lead there.
  for (const pattern of patterns) {
    const { base, glob } = picomatch.scan(pattern);
    const root = path.resolve(baseDir, base);
    if (neverWalkedFolderIn(path.relative(baseDir, root)) || neverWalkedFolderIn(base)) continue;
    try {
      const options = {
        cwd: root,
        absolute: true,
        ignore: IGNORED,
        dot: false,
        followSymbolicLinks: false,
        ...walkLimit(bound, observer),
      };
      // A literal folder means everything under it (as tinyglobby expands it); a literal file, itself.
      const literalFile = !glob && isFile(root);
      if (!glob) observer?.isFile(root, literalFile);
      const files = glob ? globSync([glob], options) : literalFile ? [root] : globSync(['**'], options);
      for (const file of files) found.add(path.resolve(file));
    } catch {
      // An unreadable folder matches nothing.
    }
  }
  return [...found].sort();
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** tinyglobby options that stop the walk after `bound.maxEntries` directory entries, and show `observer` each listing. */
function walkLimit(
  bound: WalkBound | undefined,
  observer?: WalkObserver,
): { fs?: { readdirSync: typeof fs.readdirSync }; signal?: AbortSignal } {
  if (!bound && !observer) return {};
  const controller = new AbortController();
  let seen = 0;
  const readdirSync = ((dir: fs.PathLike, options?: unknown) => {
    if (controller.signal.aborted) return [];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, options as { withFileTypes: true });
    } catch (error) {
      observer?.listed(String(dir), null);
      throw error;
    }
    observer?.listed(String(dir), entries);
    seen += entries.length;
    if (bound && seen > bound.maxEntries) {
      bound.truncated = true;
      controller.abort();
    }
    return entries;
  }) as typeof fs.readdirSync;
  return { fs: { readdirSync }, ...(bound ? { signal: controller.signal } : {}) };
}
