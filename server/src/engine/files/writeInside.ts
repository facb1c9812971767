import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from './fsErrors';

export type Placement = { ok: true; file: string } | { ok: false; reason: string };

/**
 * Where `segments` land under `root`, or why nothing may be written there: the path must stay inside
 * the root as written (no `..`, no absolute segment), and on disk (no symbolic link on the way, or as
 * the file itself, that leads outside the root, and no dangling link that would create a file
 * elsewhere). The root itself may be a link: it is the folder the user chose.
 */
export function placeInside(root: string, ...segments: string[]): Placement {
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  const relative = path.relative(base, file);
  const shown = path.join(root, ...segments);
  if (relative === '' || relative.split(path.sep)[0] === '..' || path.isAbsolute(relative)) {
    return { ok: false, reason: `${shown} is outside ${root}` };
  }
  const realBase = realPathOfDeepest(base);
  if (!realBase.ok) return { ok: false, reason: realBase.reason };
  const realFile = realPathOfDeepest(file);
  if (!realFile.ok) return { ok: false, reason: realFile.reason };
  const realRelative = path.relative(realBase.path, realFile.path);
  if (realRelative === '' || realRelative.split(path.sep)[0] === '..' || path.isAbsolute(realRelative)) {
    return { ok: false, reason: `${shown} leads outside ${root} through a symbolic link (to ${realFile.path})` };
  }
  return { ok: true, file };
}

/** The real path of `target`: its deepest existing ancestor with links resolved, plus the rest as written. */
function realPathOfDeepest(target: string): { ok: true; path: string } | { ok: false; reason: string } {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(current);
    } catch {
      stat = undefined;
    }
    if (stat) {
      try {
        return { ok: true, path: path.join(fs.realpathSync(current), ...rest.reverse()) };
      } catch {
        // A link whose target is missing: writing through it would create that target, wherever it is.
        return {
          ok: false,
          reason: `${current} is a symbolic link to a missing file; remove it or point it inside the folder`,
        };
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return { ok: true, path: path.join(current, ...rest.reverse()) };
    rest.push(path.basename(current));
    current = parent;
  }
}

export interface FileToWrite {
  /** Path segments under the root, each already a safe name (see toFileName). */
  segments: string[];
  text: string;
}

/** A file could not be written: the sentence says which, where and why. */
export class WriteError extends Error {}

/**
 * Writes every file under `root`, or none: each place is checked first, and the first refusal is
 * thrown as a WriteError before anything is created. File system errors become sentences too.
 */
export function writeFilesInside(root: string, files: readonly FileToWrite[]): string[] {
  const placed: { file: string; text: string }[] = [];
  for (const entry of files) {
    const place = placeInside(root, ...entry.segments);
    if (!place.ok) throw new WriteError(`nothing was written: ${place.reason}`);
    placed.push({ file: place.file, text: entry.text });
  }
  for (const { file, text } of placed) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } catch (error) {
      throw new WriteError(`cannot write ${file}: ${describeFsError(error)}`);
    }
  }
  return placed.map((p) => p.file);
}
