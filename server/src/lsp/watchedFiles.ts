// Watching every file a plan reads. The client watches a fixed set of names (STATIC_WATCH_GLOBS:
// YAML, `.env`, Helm and Kustomize inputs) inside the workspace folders; a plan can also read files
// outside that set: a usage snapshot in JSON or any other extension (`spec.usage`), sources with
// another extension, a chart's files, or anything outside the workspace folders. The server asks
// the client to watch those too (workspace/didChangeWatchedFiles, registered dynamically), so
// changing them on disk refreshes the findings like changing a manifest does.
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { FileSystemWatcher } from 'vscode-languageserver';
import { STATIC_WATCH_GLOBS } from '../protocol/watchedFiles';
import { pathToUri } from '../service/uris';

/** Above this many files in one folder, the folder's every file is watched (one pattern, not a list). */
const MAX_NAMES_PER_FOLDER = 20;

const staticName = picomatch(
  STATIC_WATCH_GLOBS.map((g) => g.replace(/^\*\*\//, '')),
  { dot: true },
);

/** Whether the client's fixed watchers already report changes to `file`. */
export function staticallyWatched(file: string, folders: readonly string[]): boolean {
  const inFolder = folders.some((folder) => {
    const relative = path.relative(folder, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
  return inFolder && staticName(path.basename(file));
}

/**
 * The watchers for the files the fixed ones miss: one per folder, naming its files (or `*` past
 * MAX_NAMES_PER_FOLDER). Glob characters in a name match any one character (`?`): a name is never
 * read as a pattern. `relativePatterns`: the client accepts {baseUri, pattern} (LSP 3.17); without
 * it, the folder's absolute path leads the pattern. `covered`: a cache of staticallyWatched() for
 * these folders.
 */
export function extraWatchers(
  files: Iterable<string>,
  folders: readonly string[],
  relativePatterns: boolean,
  covered?: Map<string, boolean>,
): FileSystemWatcher[] {
  const byFolder = new Map<string, Set<string>>();
  for (const file of files) {
    if (!path.isAbsolute(file)) continue;
    // `covered` remembers the answer per file across calls (a plan edit asks again for the same sources).
    let watched = covered?.get(file);
    if (watched === undefined) {
      watched = staticallyWatched(file, folders);
      covered?.set(file, watched);
    }
    if (watched) continue;
    const dir = path.dirname(file);
    let names = byFolder.get(dir);
    if (!names) byFolder.set(dir, (names = new Set()));
    names.add(path.basename(file).replace(/[*?[\]{}(),!\\]/g, '?'));
  }
  const watchers: FileSystemWatcher[] = [];
  for (const dir of [...byFolder.keys()].sort()) {
    const names = [...byFolder.get(dir)!].sort();
    const pattern = names.length > MAX_NAMES_PER_FOLDER ? '*' : names.length === 1 ? names[0] : `{${names.join(',')}}`;
    watchers.push({
      globPattern: relativePatterns
        ? { baseUri: pathToUri(dir), pattern }
        : `${escapeGlob(dir.split(path.sep).join('/'))}/${pattern}`,
    });
  }
  return watchers;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}(),!\\]/g, '?');
}
