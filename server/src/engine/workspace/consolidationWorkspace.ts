import * as path from 'node:path';
import { analysePlan } from '../budget/states';
import { layerComposeWorkloads, parseDotEnv } from '../manifests/compose';
import { readManifestFile } from '../manifests/readManifestFile';
import type { ManifestFile, WorkloadModel } from '../model/manifest';
import type { SourceLocation } from '../model/location';
import { readPlan } from '../plan/readPlan';
import type { PlanModel } from '../plan/types';
import type { RuleSettings } from '../rules/registry';
import type { PlanResult } from '../analysis/planResult';
import type { Finding } from '../rules/types';
import { LineIndex } from '../yaml/lineIndex';
import { toPlain } from '../yaml/nodes';
import { parseYaml } from '../yaml/parse';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../files/fileSize';
import type { FileHost } from './fileHost';
import { isComposeText, isPlanFile } from './fileKinds';
import { SourceLists, type SourceLimits } from './sourceLists';
import type { ManifestReaderPool } from './manifestReaderPool';
import type { PersistentCache } from './persistentCache';
import { renderPlan, type PlanRender } from '../render/renderPlan';
import { readUsageSnapshot } from '../usage/snapshot';
import { analyseUsage } from '../usage/stateUsage';
import {
  RenderedSources,
  renderProblemMessage,
  type RenderedSource,
  type RenderTiming,
  type SourceRenderer,
} from './renderedSources';
import { RenderedLocator } from './renderedLocations';
import { ownerOf, type OwnerInfo } from '../model/owners';
import { WorkspaceFindings } from './workspaceFindings';

export interface WorkspaceOptions {
  /** Files over this many bytes are not parsed. */
  maxFileBytes: number;
  rules: RuleSettings;
  /** What one plan's sources may read, in files and bytes (default DEFAULT_SOURCE_LIMITS). */
  sourceLimits?: SourceLimits;
  /**
   * The workspace folders: a plan's sources must resolve inside the deepest one holding the plan (its
   * own folder when none does), as Kustomize's load restrictor keeps a kustomization in its root.
   * Unset: sources may be read from anywhere.
   */
  sourceRoots?: readonly string[];
}

export { DEFAULT_SOURCE_LIMITS, type SourceLimits } from './sourceLists';

export const DEFAULT_OPTIONS: WorkspaceOptions = { maxFileBytes: DEFAULT_MAX_FILE_SIZE_KB * 1024, rules: {} };

export { isComposeText, isPlanFile } from './fileKinds';

export type { PlanResult } from '../analysis/planResult';

interface SourceSet {
  manifests: ManifestFile[];
  workloads: WorkloadModel[];
  limitRanges: ManifestFile['limitRanges'];
}

interface CachedText {
  /** The file's text; empty for a file on disk over the size cap, which is not read at all. */
  text: string;
  /** The size on disk of a file read from disk, when it matters (near or over the size cap). */
  fileBytes?: number;
  /** A manifest over the size cap whose text was not read. */
  unread?: boolean;
  lines?: LineIndex;
  manifest?: ManifestFile;
  plan?: PlanModel;
  /** Plain values of the file's YAML documents, read on demand (rendering, merge checks). */
  values?: unknown[];
}

/**
 * The language service's model of a workspace: plans, the manifests they reference and any other
 * manifest it is asked about. Pure (no LSP, no vscode); the CLI, the server and the tests share it.
 * Files are read through a FileHost and cached by text, so an edit re-reads one file.
 */
export class ConsolidationWorkspace {
  private readonly texts = new Map<string, CachedText>();
  private readonly overlays = new Map<string, string>();
  /** The files each plan's globs match (see sourceLists.ts). */
  private readonly sourceLists: SourceLists;
  private readonly planResults = new Map<string, PlanResult>();
  private readonly dotEnvs = new Map<string, Record<string, string>>();
  private readonly sourceSets = new Map<string, SourceSet>();
  private readonly renderCache = new WeakMap<PlanResult, PlanRender>();
  // Rendered sources (Kustomize, Helm): see renderedSources.ts.
  private renderedSources?: RenderedSources;
  private readonly virtualFiles = new Map<
    string,
    { text: string; source: RenderedSource; locator?: RenderedLocator }
  >();
  private readonly mappedFindings = new WeakMap<Finding[], Finding[]>();

  private persistent: PersistentCache | undefined;

  /**
   * Counts the changes that may change the models or findings of files other than the one changed (new
   * settings, a `.env`, a file created or deleted): a caller that diagnoses only the files that changed
   * (the language server, per edit) looks at every file again when this moved.
   */
  private changesBeyondOneFile = 0;
  get generation(): number {
    return this.changesBeyondOneFile;
  }

  /** The findings of its plans and manifests, cached with the models they come from (workspaceFindings.ts). */
  readonly findings: WorkspaceFindings = new WorkspaceFindings(this);

  constructor(
    private readonly host: FileHost,
    private options: WorkspaceOptions = DEFAULT_OPTIONS,
  ) {
    this.sourceLists = new SourceLists(
      host,
      () => this.options,
      () => this.overlays.keys(),
      (file) => this.sizeOf(file),
    );
  }

  /** Parsed models are also read from and written to this on-disk cache (a warm start reads instead of parsing). */
  usePersistentCache(cache: PersistentCache | undefined): void {
    this.persistent = cache;
  }

  /** The key of a file's model in the persistent cache, when it may be cached (not compose: it depends on `.env`). */
  private persistentKey(file: string, entry: CachedText): string | undefined {
    if (!this.persistent || isComposeText(entry.text)) return undefined;
    return this.persistent.key(file, entry.text, `maxFileBytes=${this.options.maxFileBytes}`);
  }

  /** Only texts that are on disk are stored: an editor's unsaved versions (every keystroke) are not. */
  private storable(file: string, entry: CachedText): boolean {
    const overlay = this.overlays.get(file);
    return overlay === undefined || (overlay === entry.text && this.host.readFile(file) === overlay);
  }

  /** Returns whether anything changed. Only a new size cap means reading files again. */
  setOptions(options: WorkspaceOptions): boolean {
    const previous = this.options;
    this.options = options;
    const sourcesChanged =
      JSON.stringify([options.sourceLimits, options.sourceRoots]) !==
      JSON.stringify([previous.sourceLimits, previous.sourceRoots]);
    if (sourcesChanged) this.sourceLists.clear();
    if (options.maxFileBytes !== previous.maxFileBytes) {
      // Files left unread under the old cap are read again under the new one.
      for (const [file, entry] of this.texts) if (entry.unread) this.texts.delete(file);
      for (const entry of this.texts.values()) {
        entry.manifest = undefined;
        entry.plan = undefined;
      }
    } else if (!sourcesChanged && JSON.stringify(options.rules) === JSON.stringify(previous.rules)) {
      return false;
    }
    this.findings.clear();
    this.planResults.clear();
    this.sourceSets.clear();
    this.changesBeyondOneFile++;
    return true;
  }

  /**
   * How Kustomize and Helm sources are rendered; undefined in an untrusted workspace (they are then
   * reported, not rendered). `roots`: the folders they may read.
   */
  setSourceRenderer(renderer: SourceRenderer | undefined, roots: () => string[], timing?: RenderTiming): void {
    this.renderedSources?.dispose();
    this.renderedSources = new RenderedSources(
      this.host,
      renderer,
      roots,
      (planPath) => this.renderSettled(planPath),
      timing,
    );
    this.planResults.clear();
    this.changesBeyondOneFile++;
  }

  /** Called when a render of one of the plan's sources finished (the language server re-publishes). */
  onRenderSettled: (planPath: string) => void = () => undefined;

  private renderSettled(planPath: string): void {
    this.planResults.delete(planPath);
    this.onRenderSettled(planPath);
  }

  /** Renders the Kustomize and Helm sources of these plans and waits for them (the CLI, before it reads the plans). */
  async renderSourcesOf(plans: readonly string[]): Promise<void> {
    // Only the renders are started here: the plans are analysed once, with their output.
    for (const plan of plans) {
      const model = this.planModel(plan);
      if (model?.renderedSources?.length) this.renderSources(model);
    }
    await this.renderedSources?.settled();
  }

  /** Stops every render in progress (the server shuts down). */
  disposeRenders(): void {
    this.renderedSources?.dispose();
  }

  /** Renders and cache hits so far (for the report's figures). */
  get renderStats() {
    return this.renderedSources?.stats;
  }

  get rules(): RuleSettings {
    return this.options.rules;
  }

  /** What a manifest's own findings depend on besides its path and text: the rules and the size cap. */
  get findingSettings(): string {
    return JSON.stringify([this.options.maxFileBytes, this.options.rules]);
  }

  /** An open editor's text replaces the disk's; undefined returns to the disk. */
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
    this.forget(file);
  }

  /** A file changed, was created or deleted on disk. */
  fileChanged(file: string, kind: 'changed' | 'created' | 'deleted' = 'changed'): void {
    if (kind !== 'changed') {
      this.sourceLists.clear();
      this.planResults.clear();
      this.changesBeyondOneFile++;
    }
    this.forget(file);
  }

  private forget(file: string): void {
    this.texts.delete(file);
    for (const [planFile, result] of this.planResults) {
      if (planFile === file || result.sourceSet.has(file) || result.usageFile === file)
        this.planResults.delete(planFile);
    }
    // Compose files read their variables from `.env`: everything read from them is stale.
    if (path.basename(file) === '.env') {
      this.dotEnvs.clear();
      this.texts.clear();
      this.planResults.clear();
      this.changesBeyondOneFile++;
    }
  }

  /** Whether the file is on disk, whatever an open editor holds. */
  existsOnDisk(file: string): boolean {
    return this.host.readFile(file) !== undefined;
  }

  text(file: string): string | undefined {
    return this.entry(file)?.text;
  }

  lineIndex(file: string): LineIndex | undefined {
    // An unread file over the size cap has one finding, at its start: no need to read it for that.
    const entry = this.entry(file, true);
    if (!entry) return undefined;
    entry.lines ??= new LineIndex(entry.text);
    return entry.lines;
  }

  /** The cached text of a file; `forManifest`: a file over the size cap is not read (its size is all its finding needs). */
  private entry(file: string, forManifest = false): CachedText | undefined {
    let entry = this.texts.get(file);
    if (entry?.unread && !forManifest) {
      // Someone needs the text itself (a generated file's owner check, positions): read it now.
      const text = this.host.readFile(file);
      if (text === undefined) return undefined;
      entry.text = text;
      entry.unread = false;
      entry.lines = undefined;
    }
    if (!entry) {
      const overlay = this.overlays.get(file) ?? this.virtualFiles.get(file)?.text;
      const fileBytes = overlay === undefined && !isPlanFile(file) ? this.host.fileSize?.(file) : undefined;
      if (forManifest && fileBytes !== undefined && fileBytes > this.options.maxFileBytes) {
        entry = { text: '', fileBytes, unread: true };
      } else {
        const text = overlay ?? this.host.readFile(file);
        if (text === undefined) return undefined;
        entry = {
          text,
          fileBytes: fileBytes !== undefined && text.length > this.options.maxFileBytes / 4 ? fileBytes : undefined,
        };
      }
      this.texts.set(file, entry);
    }
    return entry;
  }

  /**
   * Parses files on a worker pool ahead of need (Kubernetes manifests only: compose files are read
   * where their `.env` and layering live). A file whose text changes meanwhile is simply read again.
   */
  async preload(files: Iterable<string>, pool: ManifestReaderPool | undefined): Promise<void> {
    if (!pool) return;
    const jobs: Promise<void>[] = [];
    for (const file of files) {
      const entry = this.entry(file, true);
      if (
        !entry ||
        entry.manifest ||
        entry.unread ||
        isPlanFile(file) ||
        entry.text.length > this.options.maxFileBytes / 4 ||
        isComposeText(entry.text)
      )
        continue;
      const key = this.persistentKey(file, entry);
      const cached = key === undefined ? undefined : this.persistent!.get(key, file);
      if (cached) {
        entry.manifest = cached;
        continue;
      }
      if (pool.busy) {
        this.manifest(file);
        // Let the workers' results in, so the next file can go to a worker that is free again.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const job = pool.read(file, entry.text, { maxBytes: this.options.maxFileBytes }).then((manifest) => {
        if (manifest && this.texts.get(file) === entry) entry.manifest ??= manifest;
        if (manifest && key !== undefined && this.storable(file, entry)) this.persistent?.put(key, manifest);
      });
      jobs.push(job);
    }
    await Promise.all(jobs);
  }

  /** The plain value of one YAML document of a file (aliases expanded with a bound). */
  documentValue(file: string, index: number): unknown {
    const entry = this.entry(file);
    if (!entry || index < 0) return undefined;
    entry.values ??= parseYaml(entry.text).documents.map((doc) => {
      try {
        return toPlain(doc, doc.contents);
      } catch {
        return undefined;
      }
    });
    return entry.values[index];
  }

  /** The files a plan's source globs match. */
  sourceFiles(planFile: string): string[] {
    const plan = this.planModel(planFile);
    return plan ? this.sourceLists.of(plan).files : [];
  }

  manifest(file: string): ManifestFile | undefined {
    const entry = this.entry(file, true);
    if (!entry) return undefined;
    if (entry.manifest) return entry.manifest;
    // Rendered sources and files over the size cap (read as one finding) are not kept across runs.
    const key = entry.unread || this.virtualFiles.has(file) ? undefined : this.persistentKey(file, entry);
    const cached = key === undefined ? undefined : this.persistent!.get(key, file);
    if (cached) return (entry.manifest = cached);
    // A rendered source is bounded by the tool's output limit, not by the size of one file.
    const maxBytes = this.virtualFiles.has(file) ? Number.MAX_SAFE_INTEGER : this.options.maxFileBytes;
    entry.manifest = readManifestFile(file, entry.text, {
      maxBytes,
      fileBytes: entry.fileBytes,
      composeEnv: this.dotEnv(path.dirname(file)),
    });
    if (key !== undefined && this.storable(file, entry)) this.persistent!.put(key, entry.manifest);
    return entry.manifest;
  }

  /** The variables docker-compose interpolates in a folder's compose files (its `.env`). */
  composeVariables(dir: string): Record<string, string> {
    return this.dotEnv(dir);
  }

  private dotEnv(dir: string): Record<string, string> {
    let env = this.dotEnvs.get(dir);
    if (!env) {
      const text = this.host.readFile(path.join(dir, '.env'));
      env = text === undefined ? {} : parseDotEnv(text);
      this.dotEnvs.set(dir, env);
    }
    return env;
  }

  planModel(file: string): PlanModel | undefined {
    const entry = this.entry(file);
    if (!entry) return undefined;
    entry.plan ??= readPlan(file, entry.text, this.options.maxFileBytes);
    return entry.plan;
  }

  /** The plan, its sources and its analysis: every state and every reference resolved. */
  plan(file: string): PlanResult | undefined {
    const cached = this.planResults.get(file);
    if (cached) return cached;
    const plan = this.planModel(file);
    if (!plan) return undefined;
    const { files, empty, problems } = this.sourceLists.of(plan);
    const rendered = this.renderSources(plan);
    const { manifests, workloads, limitRanges } = this.sourceSet(file, [...files, ...rendered.files]);
    const result: PlanResult = {
      plan,
      sourceFiles: files,
      sourceSet: new Set([...files, ...rendered.inputs]),
      emptySources: empty,
      sourceProblems: problems,
      renderProblems: rendered.problems,
      manifests,
      workloads,
      analysis: analysePlan(plan, workloads, limitRanges),
    };
    if (plan.usage) this.readUsage(result, limitRanges);
    this.planResults.set(file, result);
    return result;
  }

  /** Reads the plan's usage snapshot (data only) and the usage of each state. */
  private readUsage(result: PlanResult, limitRanges: PlanResult['manifests'][number]['limitRanges']): void {
    const ref = result.plan.usage!;
    const base = path.dirname(result.plan.path);
    const file = path.resolve(base, ref.file);
    const relative = path.relative(base, file);
    // Data beside the plan only: a plan (perhaps from an untrusted repository) does not get to make the editor read ~/.ssh.
    if (path.isAbsolute(ref.file) || relative.startsWith('..') || path.isAbsolute(relative)) {
      result.usageError = `${ref.file}: the usage snapshot must be in the plan's folder or below it (a relative path such as usage.yaml).`;
      return;
    }
    result.usageFile = file;
    const text = this.text(file);
    if (text === undefined) {
      result.usageError = `${ref.file} does not exist: record it with \`consolidate usage ${path.basename(result.plan.path)} --from ...\`.`;
      return;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.options.maxFileBytes) {
      // Said once, on spec.usage: the file itself already gets manifest/too-large when it is checked.
      result.usageError = `${ref.file} is ${Math.round(bytes / 1024)} KiB, over the ${Math.round(this.options.maxFileBytes / 1024)} KiB limit: not read.`;
      return;
    }
    const snapshot = readUsageSnapshot(file, text, this.options.maxFileBytes);
    result.usage = analyseUsage(result.plan, result.analysis, snapshot, limitRanges);
  }

  /** The plan's Kustomize and Helm entries, rendered into virtual files (`<plan>#sources[N]`). */
  private renderSources(plan: PlanModel): {
    files: string[];
    inputs: string[];
    problems: NonNullable<PlanResult['renderProblems']>;
  } {
    const out = {
      files: [] as string[],
      inputs: [] as string[],
      problems: [] as NonNullable<PlanResult['renderProblems']>,
    };
    for (const spec of plan.renderedSources ?? []) {
      this.renderedSources ??= new RenderedSources(this.host, undefined, () => []);
      const source = this.renderedSources.render(plan.path, spec);
      out.inputs.push(...source.inputs);
      // Being rendered again (its inputs changed): its last output stands until the new one is in.
      if (!source.outcome.ok && source.outcome.reason === 'pending' && this.virtualFiles.has(source.virtualPath)) {
        out.files.push(source.virtualPath);
        continue;
      }
      if (!source.outcome.ok) {
        this.virtualFiles.delete(source.virtualPath);
        this.texts.delete(source.virtualPath);
        const what = spec.tool === 'kustomize' ? `Kustomize source "${spec.path}"` : `Helm chart "${spec.chart}"`;
        out.problems.push({
          message: renderProblemMessage(what, source.outcome),
          reason: source.outcome.reason,
          location: spec.location,
        });
        continue;
      }
      const previous = this.virtualFiles.get(source.virtualPath);
      if (previous?.text !== source.outcome.yaml) {
        this.virtualFiles.set(source.virtualPath, { text: source.outcome.yaml, source });
        this.texts.delete(source.virtualPath);
      } else previous.source = source;
      out.files.push(source.virtualPath);
    }
    return out;
  }

  /**
   * Findings placed where rendered objects came from (see renderedLocations.ts); findings on real
   * files are unchanged, and the same input array gives the same output array.
   */
  mapRenderedFindings(findings: Finding[]): Finding[] {
    if (this.virtualFiles.size === 0) return findings;
    let mapped = this.mappedFindings.get(findings);
    if (!mapped) {
      mapped = findings.map((f) => {
        const virtual = this.virtualFiles.get(f.location.file);
        if (!virtual) return f;
        virtual.locator ??= new RenderedLocator(this.host, virtual.source, virtual.text, virtual.source.inputs);
        return virtual.locator.map(f);
      });
      this.mappedFindings.set(findings, mapped);
    }
    return mapped;
  }

  /** Where a location in a rendered source really is (go to definition, hovers); others unchanged. */
  realLocation(location: SourceLocation): SourceLocation {
    const virtual = this.virtualFiles.get(location.file);
    if (!virtual) return location;
    virtual.locator ??= new RenderedLocator(this.host, virtual.source, virtual.text, virtual.source.inputs);
    return virtual.locator.mapLocation(location);
  }

  /**
   * The manifests of a plan's sources and what is read from them, the same arrays as long as no source
   * file changed: an edit of the plan text then reuses everything built from them (cross-file findings,
   * the Service index) instead of redoing work that grows with the workspace.
   */
  private sourceSet(planFile: string, files: string[]): SourceSet {
    const manifests = files.map((f) => this.manifest(f)).filter((m): m is ManifestFile => !!m);
    const previous = this.sourceSets.get(planFile);
    if (
      previous &&
      previous.manifests.length === manifests.length &&
      previous.manifests.every((m, i) => m === manifests[i])
    )
      return previous;
    const set: SourceSet = {
      manifests,
      workloads: layerComposeWorkloads(manifests.flatMap((m) => m.workloads)),
      limitRanges: manifests.flatMap((m) => m.limitRanges),
    };
    this.sourceSets.set(planFile, set);
    return set;
  }

  /** Bytes a file adds to its plan's total: an open editor's text, else its size on disk (not what the file-size cap leaves unread). */
  private sizeOf(file: string): number {
    const overlay = this.overlays.get(file);
    if (overlay !== undefined) return Buffer.byteLength(overlay, 'utf8');
    const size = this.host.fileSize?.(file) ?? this.entry(file)?.text.length ?? 0;
    return size > this.options.maxFileBytes ? 0 : size;
  }

  /** The controller (Helm, Argo CD, Flux) that owns each workload a phase touches, by workload id. */
  owners(result: PlanResult): Map<string, OwnerInfo> {
    const owners = new Map<string, OwnerInfo>();
    for (const fact of result.analysis.references) {
      if (fact.resolution.status !== 'found' || fact.resolution.workload.origin !== 'kubernetes') continue;
      const workload = fact.resolution.workload;
      if (owners.has(workload.id)) continue;
      const owner = ownerOf(
        (this.documentValue(workload.location.file, workload.documentIndex) as { metadata?: unknown } | undefined)
          ?.metadata,
      );
      if (owner) owners.set(workload.id, owner);
    }
    return owners;
  }

  /** The manifests each phase creates or touches (cached with the plan's analysis). */
  render(file: string): PlanRender | undefined {
    const result = this.plan(file);
    if (!result) return undefined;
    let rendered = this.renderCache.get(result);
    if (!rendered) {
      rendered = renderPlan(this, result);
      this.renderCache.set(result, rendered);
    }
    return rendered;
  }
}
