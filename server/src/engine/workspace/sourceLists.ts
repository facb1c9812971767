import * as path from 'node:path';
import picomatch from 'picomatch';
import type { SourceProblem } from '../analysis/planResult';
import type { PlanModel, SourceGlob } from '../plan/types';
import { neverWalkedFolderIn, type FileHost, type WalkBound } from './fileHost';
import { isPlanFile } from './fileKinds';
import { DEFAULT_SOURCE_MAX_FILES, DEFAULT_SOURCE_MAX_MB } from '../files/fileSize';

export interface SourceLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  maxFiles: DEFAULT_SOURCE_MAX_FILES,
  maxBytes: DEFAULT_SOURCE_MAX_MB * 1024 * 1024,
};

/** How many directory entries one glob may visit per file it may match: the walk is bounded too. */
const ENTRIES_PER_FILE = 20;

/**
 * The files each plan's `spec.sources` globs match, inside the plan's workspace folder and within the
 * source limits, kept per plan until its patterns change or files are created or deleted (`clear`).
 */
export class SourceLists {
  private readonly lists = new Map<string, SourceList>();

  constructor(
    private readonly host: FileHost,
    private readonly options: () => { sourceLimits?: SourceLimits; sourceRoots?: readonly string[] },
    /** Files open in an editor: matched by the globs even when they are not on disk. */
    private readonly overlays: () => Iterable<string>,
    /** Bytes a file adds to its plan's total. */
    private readonly sizeOf: (file: string) => number,
  ) {}

  clear(): void {
    this.lists.clear();
  }

  /** The files a plan's globs match, resolved again only when its patterns (or, through clear(), the files) change. */
  of(plan: PlanModel): SourceList {
    let list = this.lists.get(plan.path);
    const key = plan.sources.map((s) => s.pattern).join('\n');
    if (!list || list.key !== key) {
      list = this.resolveSources(plan, key);
      this.lists.set(plan.path, list);
    }
    return list;
  }

  /**
   * The files a plan's globs match, in the order listed (layered compose files override in that
   * order), inside the plan's workspace and within the limits: the glob where a limit is reached
   * gets the one problem, and nothing after it is read.
   */
  private resolveSources(plan: PlanModel, key: string): SourceList {
    const base = path.dirname(plan.path);
    const root = this.sourceRoot(plan.path);
    const limits = this.options().sourceLimits ?? DEFAULT_SOURCE_LIMITS;
    const files = new Set<string>();
    const empty: SourceGlob[] = [];
    const problems: SourceProblem[] = [];
    let bytes = 0;
    for (const source of plan.sources) {
      const escape = root === undefined ? undefined : escapesRoot(this.host, base, source.pattern, root);
      if (escape) {
        problems.push({ source, kind: 'outside-workspace', root: root!, resolved: escape });
        continue;
      }
      const neverWalked = neverWalkedFolderIn(
        path.relative(base, path.resolve(base, picomatch.scan(source.pattern).base)),
      );
      if (neverWalked) {
        problems.push({ source, kind: 'never-walked', folder: neverWalked });
        continue;
      }
      const bound: WalkBound = { maxEntries: limits.maxFiles * ENTRIES_PER_FILE + 10_000 };
      let matched = this.host.glob(base, [source.pattern], bound);
      for (const overlayFile of this.overlays()) {
        if (!files.has(overlayFile) && !matched.includes(overlayFile) && matchesGlob(base, source.pattern, overlayFile))
          matched.push(overlayFile);
      }
      const outside = root === undefined ? [] : matched.filter((f) => !isInside(root, f));
      if (outside.length > 0) {
        problems.push({ source, kind: 'outside-workspace', root: root!, resolved: outside[0] });
        matched = matched.filter((f) => isInside(root!, f));
      }
      const plans = matched.filter(isPlanFile);
      matched = matched.filter((f) => !isPlanFile(f)).sort(composeLayerOrder);
      if (matched.length === 0 && outside.length === 0) {
        if (plans.length > 0) problems.push({ source, kind: 'plans-only', plans });
        else empty.push(source);
      }
      let limit: SourceProblem | undefined;
      for (const file of matched) {
        if (files.has(file)) continue;
        const size = this.sizeOf(file);
        if (files.size + 1 > limits.maxFiles || bytes + size > limits.maxBytes) {
          limit = {
            source,
            kind: 'limit',
            limits,
            files: files.size,
            bytes,
            matched: matched.length,
            unread: matched.length - matched.indexOf(file),
          };
          break;
        }
        files.add(file);
        bytes += size;
      }
      if (!limit && bound.truncated)
        limit = { source, kind: 'limit', limits, files: files.size, bytes, matched: matched.length, unread: undefined };
      if (limit) {
        problems.push(limit);
        break;
      }
    }
    return { key, files: [...files], empty, problems };
  }

  /** The folder a plan's sources must stay in, or undefined when they may be anywhere. */
  private sourceRoot(planFile: string): string | undefined {
    const roots = this.options().sourceRoots;
    if (!roots) return undefined;
    const holding = roots.filter((r) => isInside(r, planFile)).sort((a, b) => b.length - a.length);
    return holding[0] ?? path.dirname(planFile);
  }
}

export interface SourceList {
  key: string;
  files: string[];
  empty: SourceGlob[];
  problems: SourceProblem[];
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}

/**
 * Where a glob's fixed part leads when that is outside the root (following links on the way), else
 * undefined. Checked before walking: `/usr/**' is refused without listing /usr. Links are followed
 * through the host (a recording host notes where they led: the whole-result cache checks it again).
 */
function escapesRoot(host: FileHost, base: string, pattern: string, root: string): string | undefined {
  const fixed = path.resolve(base, picomatch.scan(pattern).base);
  if (!isInside(root, fixed)) return fixed;
  const realPath = (file: string) => (host.realPath ? host.realPath(file) : file);
  const realRoot = realPath(root);
  const realFixed = realPath(fixed);
  if (realRoot === undefined || realFixed === undefined) return undefined;
  return isInside(realRoot, realFixed) ? undefined : realFixed;
}

function matchesGlob(base: string, pattern: string, file: string): boolean {
  const relative = path.relative(base, file).split(path.sep).join('/');
  return !relative.startsWith('..') && picomatch.isMatch(relative, pattern);
}

/** Paths sorted, with compose's `*.override.*` files after the file they override. */
function composeLayerOrder(a: string, b: string): number {
  const override = (f: string) => (/\.override\.ya?ml$/i.test(f) ? 1 : 0);
  return override(a) - override(b) || (a < b ? -1 : a > b ? 1 : 0);
}
