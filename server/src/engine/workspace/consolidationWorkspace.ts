import * as path from 'node:path';
import picomatch from 'picomatch';
import { analysePlan, type PlanAnalysis } from '../budget/states';
import { layerComposeWorkloads, parseDotEnv } from '../manifests/compose';
import { readManifestFile } from '../manifests/readManifestFile';
import type { ManifestFile, WorkloadModel } from '../model/workspace';
import { readPlan } from '../plan/readPlan';
import type { PlanModel, SourceGlob } from '../plan/types';
import { MANIFEST_RULES, MANIFEST_SET_RULES, PLAN_RULES, runRules, type RuleSettings } from '../rules/registry';
import type { Finding } from '../rules/types';
import { LineIndex } from '../yaml/lineIndex';
import { toPlain } from '../yaml/nodes';
import { parseYaml } from '../yaml/parse';
import type { FileHost } from './fileHost';
import type { ManifestReaderPool } from './manifestReaderPool';
import type { PersistentCache } from './persistentCache';
import { renderPlan, type PlanRender } from '../render/renderPlan';

export interface WorkspaceOptions {
  /** Files over this many bytes are not parsed. */
  maxFileBytes: number;
  rules: RuleSettings;
}

export const DEFAULT_OPTIONS: WorkspaceOptions = { maxFileBytes: 2048 * 1024, rules: {} };

const PLAN_FILE = /\.plan\.ya?ml$/i;
/** A top-level `services:` key: a docker-compose file (Kubernetes objects never have one). */
const COMPOSE_FILE = /^services\s*:/m;

export function isPlanFile(file: string): boolean {
  return PLAN_FILE.test(file);
}

export interface PlanResult {
  plan: PlanModel;
  sourceFiles: string[];
  sourceSet: ReadonlySet<string>;
  emptySources: SourceGlob[];
  manifests: ManifestFile[];
  workloads: WorkloadModel[];
  analysis: PlanAnalysis;
}

interface SourceSet {
  manifests: ManifestFile[];
  workloads: WorkloadModel[];
  limitRanges: ManifestFile['limitRanges'];
}

interface CachedText {
  text: string;
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
  private readonly sourceLists = new Map<string, { files: string[]; empty: SourceGlob[] }>();
  private readonly planResults = new Map<string, PlanResult>();
  private readonly dotEnvs = new Map<string, Record<string, string>>();
  private readonly sourceSets = new Map<string, SourceSet>();
  private manifestFindingCache = new WeakMap<ManifestFile, Finding[]>();
  private fileSetFindingCache = new WeakMap<ManifestFile, Finding[]>();
  private planFindingCache = new WeakMap<PlanResult, Finding[]>();
  /** Cross-file findings by source set and default namespace: they do not depend on the plan's phases. */
  private planSetFindingCache = new WeakMap<ManifestFile[], Map<string, Finding[]>>();
  private readonly renderCache = new WeakMap<PlanResult, PlanRender>();

  private persistent: PersistentCache | undefined;

  constructor(private readonly host: FileHost, private options: WorkspaceOptions = DEFAULT_OPTIONS) {}

  /** Parsed models are also read from and written to this on-disk cache (a warm start reads instead of parsing). */
  usePersistentCache(cache: PersistentCache | undefined): void {
    this.persistent = cache;
  }

  /** The key of a file's model in the persistent cache, when it may be cached (not compose: it depends on `.env`). */
  private persistentKey(file: string, entry: CachedText): string | undefined {
    if (!this.persistent || COMPOSE_FILE.test(entry.text)) return undefined;
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
    if (options.maxFileBytes !== previous.maxFileBytes) {
      for (const entry of this.texts.values()) {
        entry.manifest = undefined;
        entry.plan = undefined;
      }
    } else if (JSON.stringify(options.rules) === JSON.stringify(previous.rules)) {
      return false;
    }
    this.manifestFindingCache = new WeakMap();
    this.fileSetFindingCache = new WeakMap();
    this.planFindingCache = new WeakMap();
    this.planSetFindingCache = new WeakMap();
    this.planResults.clear();
    this.sourceSets.clear();
    return true;
  }

  get rules(): RuleSettings {
    return this.options.rules;
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
    }
    this.forget(file);
  }

  private forget(file: string): void {
    this.texts.delete(file);
    for (const [planFile, result] of this.planResults) {
      if (planFile === file || result.sourceSet.has(file)) this.planResults.delete(planFile);
    }
    // Compose files read their variables from `.env`: everything read from them is stale.
    if (path.basename(file) === '.env') {
      this.dotEnvs.clear();
      this.texts.clear();
      this.planResults.clear();
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
    const entry = this.entry(file);
    if (!entry) return undefined;
    entry.lines ??= new LineIndex(entry.text);
    return entry.lines;
  }

  private entry(file: string): CachedText | undefined {
    let entry = this.texts.get(file);
    if (!entry) {
      const text = this.overlays.get(file) ?? this.host.readFile(file);
      if (text === undefined) return undefined;
      entry = { text };
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
      const entry = this.entry(file);
      if (!entry || entry.manifest || isPlanFile(file) || entry.text.length > this.options.maxFileBytes / 4 || COMPOSE_FILE.test(entry.text)) continue;
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
    return plan ? this.sources(plan).files : [];
  }

  manifest(file: string): ManifestFile | undefined {
    const entry = this.entry(file);
    if (!entry) return undefined;
    if (entry.manifest) return entry.manifest;
    const key = this.persistentKey(file, entry);
    const cached = key === undefined ? undefined : this.persistent!.get(key, file);
    if (cached) return (entry.manifest = cached);
    entry.manifest = readManifestFile(file, entry.text, { maxBytes: this.options.maxFileBytes, composeEnv: this.dotEnv(path.dirname(file)) });
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
    const { files, empty } = this.sources(plan);
    const { manifests, workloads, limitRanges } = this.sourceSet(file, files);
    const result: PlanResult = {
      plan,
      sourceFiles: files,
      sourceSet: new Set(files),
      emptySources: empty,
      manifests,
      workloads,
      analysis: analysePlan(plan, workloads, limitRanges),
    };
    this.planResults.set(file, result);
    return result;
  }

  /**
   * The manifests of a plan's sources and what is read from them, the same arrays as long as no source
   * file changed: an edit of the plan text then reuses everything built from them (cross-file findings,
   * the Service index) instead of redoing work that grows with the workspace.
   */
  private sourceSet(planFile: string, files: string[]): SourceSet {
    const manifests = files.map((f) => this.manifest(f)).filter((m): m is ManifestFile => !!m);
    const previous = this.sourceSets.get(planFile);
    if (previous && previous.manifests.length === manifests.length && previous.manifests.every((m, i) => m === manifests[i])) return previous;
    const set: SourceSet = {
      manifests,
      workloads: layerComposeWorkloads(manifests.flatMap((m) => m.workloads)),
      limitRanges: manifests.flatMap((m) => m.limitRanges),
    };
    this.sourceSets.set(planFile, set);
    return set;
  }

  private sources(plan: PlanModel): { files: string[]; empty: SourceGlob[] } {
    let list = this.sourceLists.get(plan.path);
    const key = plan.sources.map((s) => s.pattern).join('\n');
    if (!list || (list as { key?: string }).key !== key) {
      const base = path.dirname(plan.path);
      const files = new Set<string>();
      const empty: SourceGlob[] = [];
      for (const source of plan.sources) {
        const matched = this.host.glob(base, [source.pattern]).filter((f) => !isPlanFile(f)).sort(composeLayerOrder);
        for (const overlayFile of this.overlays.keys()) {
          if (!files.has(overlayFile) && matchesGlob(base, source.pattern, overlayFile)) matched.push(overlayFile);
        }
        if (matched.length === 0) empty.push(source);
        for (const f of matched) files.add(f);
      }
      // Listed order matters: layered compose files override in the order the plan gives them.
      list = Object.assign({ files: [...files], empty }, { key });
      this.sourceLists.set(plan.path, list);
    }
    return list;
  }

  /** Findings of a plan file: schema, references and budgets (cached with the plan's analysis). */
  planFindings(file: string): Finding[] {
    const result = this.plan(file);
    if (!result) return [];
    let findings = this.planFindingCache.get(result);
    if (!findings) {
      const mergeFacts = result.plan.phases.some((p) => p.merge.length > 0) ? this.render(file)?.facts ?? [] : [];
      findings = runRules(
        PLAN_RULES,
        { plan: result.plan, planText: this.text(file) ?? '', analysis: result.analysis, emptySources: result.emptySources, workloads: result.workloads, mergeFacts },
        this.options.rules,
      );
      this.planFindingCache.set(result, findings);
    }
    return findings;
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

  /** Cross-file findings over a plan's sources, with the plan's default namespace. */
  planSourceSetFindings(file: string): Finding[] {
    const result = this.plan(file);
    if (!result) return [];
    let byNamespace = this.planSetFindingCache.get(result.manifests);
    if (!byNamespace) this.planSetFindingCache.set(result.manifests, (byNamespace = new Map()));
    const key = result.plan.namespace ?? '\0';
    let findings = byNamespace.get(key);
    if (!findings) {
      findings = this.manifestSetFindings(result.manifests, result.plan.namespace);
      byNamespace.set(key, findings);
    }
    return findings;
  }

  /** Findings of one manifest file on its own (cached with the file's model). */
  manifestFindings(file: string): Finding[] {
    const manifest = this.manifest(file);
    if (!manifest) return [];
    let findings = this.manifestFindingCache.get(manifest);
    if (!findings) {
      findings = runRules(MANIFEST_RULES, { file: manifest }, this.options.rules);
      this.manifestFindingCache.set(manifest, findings);
    }
    return findings;
  }

  /**
   * Cross-file findings of one file checked alone, for a manifest open in an editor that no plan
   * reads: only a file that declares workloads can say its Services select nothing.
   */
  fileSetFindings(file: string): Finding[] {
    const manifest = this.manifest(file);
    if (!manifest || manifest.workloads.length === 0) return [];
    let findings = this.fileSetFindingCache.get(manifest);
    if (!findings) {
      findings = this.manifestSetFindings([manifest]);
      this.fileSetFindingCache.set(manifest, findings);
    }
    return findings;
  }

  /** Findings over manifests read together (Services and the pods they select). */
  manifestSetFindings(files: ManifestFile[], defaultNamespace?: string): Finding[] {
    return runRules(
      MANIFEST_SET_RULES,
      { files, workloads: files.flatMap((f) => f.workloads), services: files.flatMap((f) => f.services), defaultNamespace },
      this.options.rules,
    );
  }
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
