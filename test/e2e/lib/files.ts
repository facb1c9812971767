// Waiting for files on disk (what the editor under test writes) from the runner's side.
import * as fs from 'node:fs';
import * as path from 'node:path';

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Resolves with the file's text (undefined: no such file) once `predicate` holds for it: checks
 * now, on fs.watch events of its nearest existing folder, and every 250 ms (fs.watch may miss
 * events, and cannot watch a folder that does not exist yet). Rejects after `timeoutMs`.
 */
export function waitForFileText(
  file: string,
  predicate: (text: string | undefined) => boolean,
  what: string,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let watcher: fs.FSWatcher | undefined;
    let last: string | undefined;
    const check = () => {
      last = read(file);
      if (!predicate(last)) return false;
      cleanup();
      resolve(last);
      return true;
    };
    const poll = setInterval(check, 250);
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `${what}: not within ${timeoutMs / 1000} s; ${file} ${last === undefined ? 'does not exist' : `holds:\n${last.slice(0, 800)}`}`,
        ),
      );
    }, timeoutMs);
    function cleanup() {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
    }
    if (check()) return;
    let dir = path.dirname(file);
    while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    try {
      watcher = fs.watch(dir, { recursive: true }, () => void check());
    } catch {
      /* the poll still runs */
    }
  });
}
