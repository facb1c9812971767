import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';

/** How the engine reaches files: the disk for the CLI, the disk plus open editors for the server. */
export interface FileHost {
  /** The file's text, or undefined when it cannot be read. */
  readFile(file: string): string | undefined;
  /** Absolute paths of files under `baseDir` matching the globs (relative to `baseDir`). */
  glob(baseDir: string, patterns: string[]): string[];
}

const IGNORED = ['**/node_modules/**', '**/.git/**'];

export const nodeFileHost: FileHost = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  glob(baseDir, patterns) {
    try {
      return globSync(patterns, { cwd: baseDir, absolute: true, ignore: IGNORED, dot: false, followSymbolicLinks: false })
        .map((p) => path.resolve(p))
        .sort();
    } catch {
      return [];
    }
  },
};
