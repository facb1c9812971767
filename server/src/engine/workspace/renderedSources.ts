import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { RenderedSourceSpec } from '../plan/types';
import type { FileHost } from './fileHost';

/**
 * Sources rendered by the user's own tools (`{kustomize: dir}`, `{helm: {...}}`). The engine never
 * starts a process: it asks a SourceRenderer (the CLI and the language server implement it with
 * child_process), and caches the output by the contents of every input file.
 *
 * Rendering is asynchronous: asking for a source that is not rendered yet starts the tool (debounced
 * when its inputs changed, the previous run cancelled) and answers `pending` at once, with the last
 * output of that source when there is one. When the tool finishes, `onSettled` says which plan to
 * analyse again. The CLI awaits `settled()` before it reads the plans.
 */

/** What to render; paths are absolute. */
export type RenderRequest =
  | { tool: 'kustomize'; dir: string; cwd?: string }
  | {
      tool: 'helm';
      chart: string;
      values: string[];
      set: Record<string, string>;
      releaseName: string;
      namespace?: string;
    };

export type RenderOutcome =
  | {
      ok: true;
      yaml: string;
      millis?: number;
      /** The file each YAML document came from, absolute, when the tool said (Kustomize's origin annotations). */
      origins?: (string | undefined)[];
    }
  | {
      ok: false;
      reason: 'untrusted' | 'missing' | 'failed' | 'timeout' | 'too-large' | 'outside' | 'pending' | 'cancelled';
      message: string;
    };

export interface SourceRenderer {
  /** Runs the tool (with a timeout and an output limit, stopped when `signal` aborts); never rejects. */
  render(request: RenderRequest, signal: AbortSignal): Promise<RenderOutcome>;
}

/** A rendered source: its virtual file (one per plan entry) or why it could not be rendered. */
export interface RenderedSource {
  spec: RenderedSourceSpec;
  /** `<plan>#sources[N]`: the rendered YAML is read like any manifest file under this name. */
  virtualPath: string;
  outcome: RenderOutcome;
  /** The folder paths in the output are relative to (the kustomization, the chart). */
  root: string;
  /** Patch files of the kustomization tree, for findings on values a patch set. */
  patchFiles: string[];
  /** Every file the render read: a change to one renders again. */
  inputs: string[];
}

export interface RenderStats {
  renders: number;
  cacheHits: number;
  millis: number;
}

export interface RenderTiming {
  /** Wait this long after the inputs of a source changed before rendering it again (edits come in bursts). */
  debounceMs: number;
  /** A tool that was missing is looked for again after this long (it may have been installed). */
  retryMissingMs: number;
}

/** The CLI renders at once; the server passes its own debounce. */
export const IMMEDIATE: RenderTiming = { debounceMs: 0, retryMissingMs: 30_000 };

const MAX_INPUT_FILES = 5_000;
/** Tools run at once; the others wait their turn. */
const MAX_CONCURRENT_RENDERS = 4;
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

interface Job {
  key: string;
  controller: AbortController;
  timer?: ReturnType<typeof setTimeout>;
  done: Promise<void>;
}

interface CachedOutcome {
  outcome: RenderOutcome;
  at: number;
}

/** The message of `plan/source-render` for a source that has no output (yet). */
export function renderProblemMessage(what: string, outcome: Exclude<RenderOutcome, { ok: true }>): string {
  if (outcome.reason === 'untrusted') return `${what} ${outcome.message}`;
  if (outcome.reason === 'pending')
    return `${what} is ${outcome.message}: its workloads, the totals and the findings that depend on them follow when it finishes`;
  return `${what} could not be rendered: ${outcome.message}`;
}

/** Whether a plan waits for the first output of one of its sources: its totals would read as zero. */
export function isRendering(result: { renderProblems?: { reason: string }[] }): boolean {
  return result.renderProblems?.some((p) => p.reason === 'pending') ?? false;
}

/**
 * Plan findings that hold without the workloads of a source being rendered: the plan's own form and
 * its sources. Every other one (references, budgets, merges, usage) waits for the render, rather
 * than reporting a workload unknown or a total far below the budget.
 */
const INDEPENDENT_OF_WORKLOADS = new Set([
  'plan/schema',
  'plan/source-render',
  'plan/source-empty',
  'plan/source-outside-workspace',
  'plan/sources-too-large',
  'plan/duplicate-reference',
  'plan/same-phase-reference',
]);

export function heldBackWhileRendering<T extends { code: string }>(findings: T[]): T[] {
  return findings.filter((f) => INDEPENDENT_OF_WORKLOADS.has(f.code));
}

export function virtualSourcePath(planPath: string, index: number): string {
  return `${planPath}#sources[${index}]`;
}

export function isVirtualSourcePath(file: string): boolean {
  return /#sources\[\d+\]$/.test(file);
}

/** Renders a plan's Kustomize and Helm entries through a SourceRenderer, cached by input contents. */
export class RenderedSources {
  private readonly cache = new Map<string, CachedOutcome>();
  /** The render running (or waiting for its debounce) per source entry (`<plan>#sources[N]`). */
  private readonly jobs = new Map<string, Job>();
  /** The last key each source entry asked for: a different one means its inputs changed. */
  private readonly lastKey = new Map<string, string>();
  private disposed = false;
  private active = 0;
  private readonly queue: (() => void)[] = [];
  readonly stats: RenderStats = { renders: 0, cacheHits: 0, millis: 0 };

  constructor(
    private readonly host: FileHost,
    private readonly renderer: SourceRenderer | undefined,
    /** Folders a source and everything it reads must stay inside (the workspace). */
    private readonly roots: () => string[],
    /** Called with the plan's path when one of its renders finished (not when it was cancelled). */
    private readonly onSettled: (planPath: string) => void = () => undefined,
    private readonly timing: RenderTiming = IMMEDIATE,
  ) {}

  /** The source's output if rendered, else `pending` (the render is started) or why it cannot be. */
  render(planPath: string, spec: RenderedSourceSpec): RenderedSource {
    const base = path.dirname(planPath);
    const virtualPath = virtualSourcePath(planPath, spec.index);
    const root = path.resolve(base, spec.tool === 'kustomize' ? spec.path : spec.chart);
    const done = (outcome: RenderOutcome, patchFiles: string[] = [], inputs: string[] = []): RenderedSource => ({
      spec,
      virtualPath,
      outcome,
      root,
      patchFiles,
      inputs,
    });
    if (!this.renderer) {
      return done({
        ok: false,
        reason: 'untrusted',
        message: 'not rendered: this workspace is not trusted, and rendering runs an external tool',
      });
    }
    const inputs =
      spec.tool === 'kustomize'
        ? this.kustomizeInputs(root)
        : this.helmInputs(
            root,
            spec.values.map((v) => path.resolve(base, v)),
          );
    // Paths in the message relative to the plan, as the user wrote them.
    if ('error' in inputs)
      return done({ ok: false, reason: 'outside', message: inputs.error.split(base + path.sep).join('') });
    const request: RenderRequest =
      spec.tool === 'kustomize'
        ? { tool: 'kustomize', dir: root }
        : {
            tool: 'helm',
            chart: root,
            values: spec.values.map((v) => path.resolve(base, v)),
            set: spec.set,
            releaseName: spec.releaseName ?? 'release-name',
            namespace: spec.namespace,
          };
    const hash = createHash('sha256').update(JSON.stringify(request));
    for (const file of inputs.files) hash.update(`\0${file}\0${this.host.readFile(file) ?? '<unreadable>'}`);
    const key = hash.digest('hex');
    const changed = this.lastKey.has(virtualPath) && this.lastKey.get(virtualPath) !== key;
    this.lastKey.set(virtualPath, key);
    const cached = this.cache.get(key);
    // A missing tool is looked for again after a while; any other outcome holds until an input changes.
    if (
      cached &&
      !(
        cached.outcome.ok === false &&
        cached.outcome.reason === 'missing' &&
        Date.now() - cached.at >= this.timing.retryMissingMs
      )
    ) {
      this.stats.cacheHits++;
      return done(cached.outcome, inputs.patchFiles, inputs.files);
    }
    this.start(planPath, virtualPath, key, request, changed);
    const what = spec.tool === 'kustomize' ? 'kustomize build' : 'helm template';
    return done({ ok: false, reason: 'pending', message: `being rendered (${what})` }, inputs.patchFiles, inputs.files);
  }

  /** Resolves when no render is running or waiting (renders started meanwhile included). */
  async settled(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs.values()].map((job) => job.done));
  }

  /** Whether a render of this source entry is running or waiting. */
  isRendering(virtualPath: string): boolean {
    return this.jobs.has(virtualPath);
  }

  /** Stops every render (settings changed, the server shuts down); nothing is reported afterwards. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.jobs.values()) {
      if (job.timer) clearTimeout(job.timer);
      job.controller.abort();
    }
  }

  /** A place among the MAX_CONCURRENT_RENDERS tools that may run (a folder of plans does not start them all at once): undefined when free now, else a promise of one. */
  private slot(): Promise<void> | undefined {
    if (this.active < MAX_CONCURRENT_RENDERS) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }

  /** Starts rendering `key` for this entry, cancelling a render of older inputs. */
  private start(planPath: string, virtualPath: string, key: string, request: RenderRequest, debounce: boolean): void {
    const running = this.jobs.get(virtualPath);
    if (running?.key === key || this.disposed) return;
    if (running) {
      if (running.timer) clearTimeout(running.timer);
      running.controller.abort();
    }
    const controller = new AbortController();
    const job: Job = { key, controller, done: Promise.resolve() };
    job.done = new Promise<void>((resolve) => {
      const finish = () => {
        if (this.jobs.get(virtualPath) === job) this.jobs.delete(virtualPath);
        resolve();
      };
      const run = async () => {
        job.timer = undefined;
        const turn = this.slot();
        if (turn) await turn;
        const started = Date.now();
        let outcome: RenderOutcome;
        try {
          outcome = controller.signal.aborted
            ? { ok: false, reason: 'cancelled', message: 'cancelled' }
            : await this.renderer!.render(request, controller.signal);
        } catch (error) {
          outcome = { ok: false, reason: 'failed', message: (error as Error).message };
        } finally {
          this.release();
        }
        finish();
        if (controller.signal.aborted || (outcome.ok === false && outcome.reason === 'cancelled')) return;
        this.stats.renders++;
        this.stats.millis += Date.now() - started;
        if (this.cache.size > 64) this.cache.clear();
        this.cache.set(key, { outcome, at: Date.now() });
        this.onSettled(planPath);
      };
      // Aborted while waiting for the debounce: nothing ran.
      controller.signal.addEventListener('abort', () => job.timer === undefined || finish(), { once: true });
      if (debounce && this.timing.debounceMs > 0) job.timer = setTimeout(() => void run(), this.timing.debounceMs);
      else void run();
    });
    this.jobs.set(virtualPath, job);
  }

  private inside(file: string): boolean {
    return this.roots().some((root) => {
      const relative = path.relative(root, file);
      return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
    });
  }

  /** Every file a kustomization reads, followed through resources, components and patches. */
  private kustomizeInputs(dir: string): { files: string[]; patchFiles: string[] } | { error: string } {
    const files = new Set<string>();
    const patchFiles: string[] = [];
    const seenDirs = new Set<string>();
    const visit = (folder: string, from: string): string | undefined => {
      if (!this.inside(folder)) return `${from} points outside the workspace (${folder}): not rendered`;
      if (seenDirs.has(folder)) return undefined;
      seenDirs.add(folder);
      const name = KUSTOMIZATION_FILES.map((f) => path.join(folder, f)).find(
        (f) => this.host.readFile(f) !== undefined,
      );
      // Not a kustomization (a missing path, a typo): the tool says what is wrong, in its words.
      if (!name) return undefined;
      files.add(name);
      let value: Record<string, unknown>;
      try {
        value = (parseDocument(this.host.readFile(name) ?? '').toJS({ maxAliasCount: 100 }) ?? {}) as Record<
          string,
          unknown
        >;
      } catch (error) {
        return `${name}: ${(error as Error).message}`;
      }
      const refs: { ref: string; patch?: boolean }[] = [];
      const strings = (v: unknown): string[] =>
        Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      for (const key of [
        'resources',
        'bases',
        'components',
        'crds',
        'generators',
        'transformers',
        'validators',
        'configurations',
      ]) {
        for (const ref of strings(value[key])) refs.push({ ref });
      }
      for (const ref of strings(value.patchesStrategicMerge)) if (!ref.includes('\n')) refs.push({ ref, patch: true });
      for (const key of ['patches', 'patchesJson6902', 'replacements']) {
        for (const item of Array.isArray(value[key]) ? (value[key] as unknown[]) : []) {
          const p = (item as { path?: unknown })?.path;
          if (typeof p === 'string') refs.push({ ref: p, patch: key !== 'replacements' });
        }
      }
      for (const key of ['configMapGenerator', 'secretGenerator']) {
        for (const item of Array.isArray(value[key]) ? (value[key] as Record<string, unknown>[]) : []) {
          for (const f of [
            ...strings(item?.files),
            ...strings(item?.envs),
            ...(typeof item?.env === 'string' ? [item.env] : []),
          ]) {
            refs.push({ ref: f.includes('=') ? f.slice(f.indexOf('=') + 1) : f });
          }
        }
      }
      for (const { ref, patch } of refs) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(github\.com|gitlab\.com|bitbucket\.org|git@)/.test(ref)) {
          return `${path.relative(folder, name) || name} reads a remote resource (${ref}): not rendered, only files in the workspace are`;
        }
        const target = path.resolve(folder, ref);
        if (!this.inside(target)) return `${name} points outside the workspace (${ref}): not rendered`;
        if (this.host.readFile(target) !== undefined) {
          files.add(target);
          if (patch) patchFiles.push(target);
        } else {
          const problem = visit(target, name);
          if (problem) return problem;
        }
        if (files.size > MAX_INPUT_FILES) return `the kustomization reads over ${MAX_INPUT_FILES} files: not rendered`;
      }
      return undefined;
    };
    const problem = visit(dir, 'the source');
    return problem ? { error: problem } : { files: [...files].sort(), patchFiles };
  }

  /** The chart's files (subcharts included) and the values files. */
  private helmInputs(chart: string, values: string[]): { files: string[]; patchFiles: string[] } | { error: string } {
    for (const file of [chart, ...values])
      if (!this.inside(file)) return { error: `${file} is outside the workspace: not rendered` };
    const files = this.host.glob(chart, ['**/*']);
    if (files.length === 0) return { error: `there is no chart at ${chart}` };
    if (files.length > MAX_INPUT_FILES) return { error: `the chart has over ${MAX_INPUT_FILES} files: not rendered` };
    return { files: [...files, ...values], patchFiles: [] };
  }
}
