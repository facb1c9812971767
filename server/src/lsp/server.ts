import * as path from 'node:path';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  type Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Disposable,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConsolidationWorkspace, isPlanFile } from '../engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../engine/workspace/diagnose';
import type { Finding } from '../engine/rules/types';
import { nodeFileHost, type FileHost } from '../engine/workspace/fileHost';
import { RecordingFileHost, ResultCache } from '../engine/workspace/resultCache';
import { ManifestReaderPool } from '../engine/workspace/manifestReaderPool';
import { PersistentCache } from '../engine/workspace/persistentCache';
import { engineVersion } from '../engine/workspace/engineVersion';
import { warmUpText } from '../engine/workspace/warmUp';
import { readManifestFile } from '../engine/manifests/readManifestFile';
import {
  DEFAULT_SERVER_SETTINGS,
  GENERATE_KIND,
  GenerateRequest,
  ListPlansRequest,
  PlanSummaryRequest,
  ReportRequest,
  WORKSPACE_TRUST_NOTIFICATION,
  type ServerSettings,
  type WorkspaceTrustParams,
} from '../protocol/messages';
import { toDiagnostic } from '../service/diagnostics';
import { getLanguageService, planPathOf } from '../service/languageService';
import { pathToUri, uriToPath } from '../service/uris';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { StandaloneDiagnostics } from './standaloneDiagnostics';
import { boundHeapGrowth } from './heapGrowth';
import { normalizeSettings, toWorkspaceOptions } from './settings';
import { ToolRenderer } from '../tools/toolRenderer';
import { extraWatchers } from './watchedFiles';
import { loadStartSnapshot, storeStartSnapshot, type UsableSnapshot } from './startSnapshot';
import { clockWindow, withinWindow } from '../engine/rules/usage/clockWindow';
import type { PlanResult } from '../engine/analysis/planResult';

const PLAN_GLOBS = ['**/*.plan.yaml', '**/*.plan.yml'];
const SERVER_VERSION = '0.1.0';
/** The largest start snapshot kept (its diagnostics' JSON), as the CLI bounds a stored result. */
const MAX_SNAPSHOT_CHARS = 16 * 1024 * 1024;
/** Saving a patch file several times in a row renders once; a missing tool is looked for again after 30 s. */
const RENDER_TIMING = { debounceMs: 300, retryMissingMs: 30_000 };
/**
 * How long changes on disk must have stopped before they are analysed: longer than the 250 ms for which the
 * client gathers file events, so the notifications of one `git checkout` make one pass.
 */
const WATCHED_FILES_SETTLE_MS = 300;

/** The LSP adapter: transport and document sync here, every answer from the language service. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  /**
   * With a cache folder, what the workspace reads is recorded until the start's results are stored for the
   * next start (startSnapshot.ts); then, and without a cache, it reads the disk directly.
   */
  let recorder: RecordingFileHost | undefined;
  const host: FileHost = {
    readFile: (file) => (recorder ?? nodeFileHost).readFile(file),
    fileSize: (file) => (recorder ?? nodeFileHost).fileSize!(file),
    glob: (dir, patterns, bound) => (recorder ?? nodeFileHost).glob(dir, patterns, bound),
    realPath: (file) => (recorder ?? nodeFileHost).realPath!(file),
  };
  const workspace = new ConsolidationWorkspace(host, toWorkspaceOptions(settings));
  let folders: string[] = [];
  let pullsConfiguration = false;
  // Kustomize and Helm sources: rendered only once the client says the workspace is trusted.
  let trusted = false;
  let rendererKey: string | undefined;
  const useRenderer = (): boolean => {
    const key = JSON.stringify([trusted, settings.tools]);
    if (key === rendererKey) return false;
    rendererKey = key;
    const tools = settings.tools;
    const renderer = trusted
      ? new ToolRenderer({
          kustomize: tools?.kustomize,
          helm: tools?.helm,
          timeoutMs: tools?.timeoutSeconds ? tools.timeoutSeconds * 1000 : undefined,
        })
      : undefined;
    // Renders run as child processes beside the server; edits to a source's inputs are debounced.
    workspace.setSourceRenderer(renderer, () => folders, RENDER_TIMING);
    return true;
  };
  useRenderer();
  const plansOnDisk = new Set<string>();
  /** The client's own URI for each open file, so published diagnostics match it exactly. */
  const uriOf = new Map<string, string>();
  /** The open plan files, in the order opened: a pass does not look through every open file for them. */
  const openPlans = new Set<string>();
  const allPlans = () => [...new Set([...plansOnDisk, ...openPlans])];
  /** Files whose text changed, or that were opened, closed or changed on disk, since the last pass. */
  const changedFiles = new Set<string>();
  /**
   * What the last full pass was made from: the plans, their results and the files those results read or
   * put findings in, and the workspace's generation. While all of these are the same, every other open
   * file's findings are its own, and a pass diagnoses only the files that changed: the work of an edit
   * grows with the edit, not with the number of open files. Undefined: the next pass looks at every file.
   */
  let lastPass:
    { plans: string[]; results: (PlanResult | undefined)[]; generation: number; planFiles: Set<string> } | undefined;
  /**
   * What was last published per file: under which URI, for which version, and what it was made of (the
   * cached finding lists, or the key of diagnostics read from the cache) and what it said (JSON).
   */
  const published = new Map<
    string,
    { uri: string; parts?: Finding[][]; key?: string; json?: string; version: number | undefined }
  >();

  const pool = ManifestReaderPool.beside(__dirname);
  let cache: PersistentCache | undefined;
  let engine = '';
  /**
   * A warm start whose stored results still hold: passes publish them (and compute only open manifests no
   * plan reads) until something changes or the editor has been quiet for a moment; then the models are loaded
   * and passes compute as usual (what they find is the same: nothing is published again).
   */
  let snapshot: UsableSnapshot | undefined;
  let snapshotTimer: NodeJS.Timeout | undefined;
  const leaveSnapshot = () => {
    if (snapshotTimer) clearTimeout(snapshotTimer);
    snapshotTimer = undefined;
    snapshot = undefined;
  };
  /** Stores the start's results once passes have stopped for a moment (and at shutdown). */
  let storeTimer: NodeJS.Timeout | undefined;
  const storeSnapshotLater = () => {
    if (!recorder) return;
    if (storeTimer) clearTimeout(storeTimer);
    storeTimer = setTimeout(() => {
      storeTimer = undefined;
      storeSnapshot();
    }, 1000);
    storeTimer.unref();
  };
  /** Diagnostics of open manifests no plan reads, kept with the cache (a warm start publishes them as they are). */
  let standalone: StandaloneDiagnostics | undefined;
  /** Bounds the cache folder once the workspace has settled (not on every pass). */
  let pruneTimer: NodeJS.Timeout | undefined;
  const pruneLater = () => {
    if (!cache || pruneTimer) return;
    pruneTimer = setTimeout(() => {
      pruneTimer = undefined;
      cache?.prune();
    }, 30_000);
    pruneTimer.unref();
  };
  /** Parses started as texts arrive; a pass waits for them before it publishes. */
  const inflight = new Set<Promise<void>>();
  const parseAhead = (files: string[]) => {
    const job = workspace.preload(files, pool).finally(() => inflight.delete(job));
    inflight.add(job);
  };

  boundHeapGrowth();
  const scheduler = new DiagnosticsScheduler(
    async (stale) => {
      while (inflight.size > 0) await Promise.all(inflight);
      // Texts changed while parses were awaited: the next pass analyses the newest versions instead.
      if (stale()) return;
      publishDiagnostics();
      if (snapshot) upgradeLater();
      // Which files the plans read is known once they are computed (not from a snapshot).
      else watchFilesRead();
      storeSnapshotLater();
      refreshLenses();
      pruneLater();
      warmWorkersLater();
    },
    (error) => connection.console.error(`diagnostics failed: ${(error as Error).stack ?? error}`),
  );

  /**
   * Publishes the files whose findings changed since they were last published (the same cached lists mean
   * the same findings: nothing is compared or converted for the others), and clears the files that have
   * none any more. The work of a pass then grows with what changed, not with the workspace.
   */
  function publishDiagnostics(): void {
    if (snapshot && publishFromSnapshot(snapshot)) return;
    leaveSnapshot();
    const plans = allPlans();
    const results = plans.map((plan) => workspace.plan(plan));
    const changed = [...changedFiles];
    changedFiles.clear();
    const previousPass = lastPass;
    // Cleared until this pass is done: should it fail, the next one looks at every file.
    lastPass = undefined;
    const onlyChanged =
      previousPass !== undefined &&
      previousPass.generation === workspace.generation &&
      sameItems(previousPass.plans, plans) &&
      sameItems(previousPass.results, results) &&
      changed.every((f) => !previousPass.planFiles.has(f));
    const open = onlyChanged ? changed.filter((f) => uriOf.has(f)) : [...uriOf.keys()];
    const manifests = open.filter((f) => !isPlanFile(f));
    const { alone, fromCache } = standaloneFromCache(plans, manifests);
    const planFiles = new Set<string>();
    const byFile = diagnose(
      workspace,
      {
        // The plans' parts are those of the last pass (the same results), and no changed file is in them.
        plans: onlyChanged ? [] : plans,
        manifests: manifests.filter((f) => !fromCache.has(f)),
        orphanScope: 'per-file',
      },
      planFiles,
    );
    for (const file of fromCache.keys()) {
      if (!byFile.has(file)) continue;
      // A plan's findings landed in it after all: its own are computed, not read.
      fromCache.delete(file);
      alone.delete(file);
      byFile
        .get(file)!
        .push(...(diagnose(workspace, { plans: [], manifests: [file], orphanScope: 'per-file' }).get(file) ?? []));
    }
    for (const [file, parts] of byFile) publishComputed(file, parts, alone.has(file));
    publishFromIndex(fromCache);
    // Files with nothing to say any more (closed, no plan reads them): only changed files can be such.
    clearOthers(onlyChanged ? changed : [...published.keys()], (file) => byFile.has(file) || fromCache.has(file));
    lastPass = onlyChanged ? previousPass : { plans, results, generation: workspace.generation, planFiles };
  }

  /**
   * Whether what was last published for a file went where and for what its diagnostics would go now: the
   * same version, and the client's URI when the file is open (a closed file keeps the URI it had).
   */
  function sameTarget(previous: { uri: string; version: number | undefined }, openUri?: string, version?: number) {
    return previous.version === version && previous.uri === (openUri ?? previous.uri);
  }

  /** Publishes a file's findings unless they are what was last published for it (see publishDiagnostics). */
  function publishComputed(file: string, parts: Finding[][], alone: boolean): void {
    const openUri = uriOf.get(file);
    const version = openUri === undefined ? undefined : documents.get(openUri)?.version;
    const previous = published.get(file);
    // A new version of an open document always gets an answer, even when nothing changed.
    if (previous?.parts && sameTarget(previous, openUri, version) && sameParts(previous.parts, parts)) return;
    const diagnostics = flattenParts(parts).map((f) => toDiagnostic(workspace, f));
    // Read again (a file changed on disk, a checkout) yet the same diagnostics: nothing to tell the client.
    const json = JSON.stringify(diagnostics);
    if (previous && sameTarget(previous, openUri, version) && previous.json === json) {
      previous.parts = parts;
      return;
    }
    publish(file, openUri, version, { parts, json }, diagnostics);
    if (openUri !== undefined && alone) keepStandalone(file, openUri, diagnostics);
  }

  /** Publishes the diagnostics of open manifests no plan reads that the cache holds for their texts. */
  function publishFromIndex(fromCache: Map<string, { key: string; diagnostics: Diagnostic[] }>): void {
    for (const [file, { key, diagnostics }] of fromCache) {
      const openUri = uriOf.get(file)!;
      const version = documents.get(openUri)?.version;
      const previous = published.get(file);
      if (previous?.key === key && sameTarget(previous, openUri, version)) continue;
      publish(file, openUri, version, { key }, diagnostics);
    }
  }

  /** Clears the diagnostics of the `candidates` that have none any more. */
  function clearOthers(candidates: Iterable<string>, keep: (file: string) => boolean): void {
    for (const file of candidates) {
      const entry = published.get(file);
      if (!entry || keep(file)) continue;
      published.delete(file);
      void connection.sendDiagnostics({ uri: entry.uri, diagnostics: [] });
    }
  }

  /**
   * A pass of a warm start whose stored results hold (startSnapshot.ts): publishes what the plans published
   * then, and computes only the open manifests they do not read, as a pass would. False (nothing published)
   * when an open editor makes the stored results wrong: a plan not on disk, or a text other than the one on
   * disk in a file the plans read or put findings in.
   */
  function publishFromSnapshot(s: UsableSnapshot): boolean {
    const computed: string[] = [];
    const alone: string[] = [];
    for (const [file, uri] of uriOf) {
      const text = documents.get(uri)?.getText();
      if (text === undefined) return false;
      if (s.dependsOn(file) && !s.sameText(file, text)) return false;
      if (isPlanFile(file) || s.covered.has(file)) {
        if (!s.dependsOn(file) || !s.files.has(file) || (isPlanFile(file) && !s.plans.has(file))) return false;
      } else if (s.files.has(file)) {
        // A plan's findings in a file of its own findings too: computed as usual.
        return false;
      } else if (s.read.has(file)) computed.push(file);
      else alone.push(file);
    }
    const stored = new Map<string, Diagnostic[]>();
    try {
      for (const [file, json] of s.files) stored.set(file, JSON.parse(json) as Diagnostic[]);
    } catch {
      return false;
    }
    for (const [file, json] of s.files) {
      const openUri = uriOf.get(file);
      const version = openUri === undefined ? undefined : documents.get(openUri)?.version;
      const previous = published.get(file);
      if (previous && sameTarget(previous, openUri, version) && previous.json === json) continue;
      publish(file, openUri, version, { json }, stored.get(file)!);
    }
    const { fromCache } = standaloneFromCache(s.read, alone);
    const byFile = diagnose(workspace, {
      plans: [],
      manifests: [...computed, ...alone.filter((f) => !fromCache.has(f))],
      orphanScope: 'per-file',
    });
    const aloneSet = new Set(alone);
    for (const [file, parts] of byFile) publishComputed(file, parts, aloneSet.has(file));
    publishFromIndex(fromCache);
    clearOthers([...published.keys()], (file) => s.files.has(file) || byFile.has(file) || fromCache.has(file));
    return true;
  }

  /** Once a warm start has published and the editor is quiet for a moment: passes compute (models are loaded). */
  function upgradeLater(): void {
    if (snapshotTimer) clearTimeout(snapshotTimer);
    snapshotTimer = setTimeout(() => {
      leaveSnapshot();
      scheduler.schedule();
    }, 1000);
    snapshotTimer.unref();
  }

  /**
   * Keeps what the plans published for the next start (startSnapshot.ts), once, when the reads were stable,
   * no plan renders its sources, and every open editor of a file the plans read holds its text on disk (then
   * the results are those of the disk, which the next start checks).
   */
  function storeSnapshot(): void {
    const rec = recorder;
    if (!cache || !rec || snapshot || scheduler.waiting) return;
    if (!rec.stable) {
      recorder = undefined;
      return;
    }
    if ([...openPlans].some((p) => !plansOnDisk.has(p))) return;
    const plans = [...plansOnDisk].sort();
    const covered = new Set<string>();
    const read = new Set<string>();
    const results = plans.map((plan) => workspace.plan(plan));
    for (const result of results) {
      if (!result) continue;
      if (result.plan.renderedSources?.length) {
        recorder = undefined;
        return;
      }
      for (const m of result.manifests) {
        covered.add(m.path);
        read.add(m.path);
      }
      for (const f of result.sourceSet) read.add(f);
      if (result.usageFile) read.add(result.usageFile);
    }
    // Open files the plans read must hold their text on disk (what the next start checks).
    for (const [file, uri] of uriOf) {
      if ((plansOnDisk.has(file) || read.has(file)) && rec.readFile(file) !== documents.get(uri)?.getText()) return;
    }
    const files: [string, string][] = [];
    for (const [file, parts] of diagnose(workspace, { plans, manifests: [], orphanScope: 'per-file' }))
      files.push([file, JSON.stringify(flattenParts(parts).map((f) => toDiagnostic(workspace, f)))]);
    recorder = undefined;
    // Unstable reads (a file changed meanwhile), or results so large that computing them again is cheaper.
    if (!rec.stable || files.reduce((n, [, json]) => n + json.length, 0) > MAX_SNAPSHOT_CHARS) return;
    // A usage snapshot that turned stale since the findings were computed: they are already outdated.
    const clock = clockWindow(results);
    if (!withinWindow(clock)) return;
    storeStartSnapshot(cache, {
      clock,
      key: startKey(),
      manifest: rec.manifest(),
      plans,
      covered: [...covered],
      read: [...read],
      files,
    });
  }

  /** Everything besides the files that what a start publishes depends on. */
  function startKey(): string {
    return ResultCache.key(engine, { settings, folders, trusted, format: 1 });
  }

  /**
   * Code lenses (each state's totals and usage) are asked for by the editor when a plan is edited;
   * a file changed on disk (a manifest, a recorded usage snapshot) changes them too, so the editor
   * is asked to ask again once the findings are published.
   */
  let lensRefreshSupport = false;
  let lensesStale = false;
  function refreshLenses(): void {
    if (!lensesStale) return;
    lensesStale = false;
    if (lensRefreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }
  // A render finished: its plan is analysed again with the output (or the reason there is none), and
  // the lenses, which said the totals wait for the render, are asked for again once that is published.
  workspace.onRenderSettled = () => {
    leaveSnapshot();
    lensesStale = true;
    scheduler.schedule();
  };

  /** Whether the client takes watchers from the server (and {baseUri, pattern} ones). */
  let dynamicWatchers = false;
  let relativePatterns = false;
  let watchedResults: (PlanResult | undefined)[] = [];
  let watchedKey = '[]';
  let watchRegistration: Promise<Disposable | undefined> | undefined;
  /** Per file: whether the client's fixed watchers cover it (the folders are set once, at initialize). */
  const staticallyCovered = new Map<string, boolean>();

  /** Asks the client to watch the files plans read that its fixed watchers miss (watchedFiles.ts). */
  function watchFilesRead(): void {
    if (!dynamicWatchers) return;
    const plans = allPlans().sort();
    const results = plans.map((plan) => workspace.plan(plan));
    // The results are cached per plan: the same objects, the same files.
    if (results.length === watchedResults.length && results.every((r, i) => r === watchedResults[i])) return;
    watchedResults = results;
    const files = new Set<string>();
    for (const result of results) {
      if (!result) continue;
      for (const file of result.sourceSet) files.add(file);
      if (result.usageFile) files.add(result.usageFile);
    }
    const watchers = extraWatchers(files, folders, relativePatterns, staticallyCovered);
    const key = JSON.stringify(watchers);
    if (key === watchedKey) return;
    watchedKey = key;
    const previous = watchRegistration;
    watchRegistration = watchers.length
      ? connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch((error: Error) => {
          connection.console.warn(`could not register file watchers: ${error.message}`);
          return undefined;
        })
      : undefined;
    void previous?.then((registration) => registration?.dispose());
  }

  function publish(
    file: string,
    openUri: string | undefined,
    version: number | undefined,
    source: { parts?: Finding[][]; key?: string; json?: string },
    diagnostics: Diagnostic[],
  ): void {
    const previous = published.get(file);
    const uri = openUri ?? previous?.uri ?? pathToUri(file);
    // The client's spelling of the URI replaces ours: what was published under ours is cleared.
    if (previous && previous.uri !== uri) void connection.sendDiagnostics({ uri: previous.uri, diagnostics: [] });
    published.set(file, { uri, version, ...source });
    void connection.sendDiagnostics({ uri, version, diagnostics });
  }

  /**
   * The open manifests that no plan reads (`alone`: their findings are their own), and those of them whose
   * diagnostics the cache holds for their text.
   */
  function standaloneFromCache(
    plans: string[] | ReadonlySet<string>,
    manifests: string[],
  ): { alone: Set<string>; fromCache: Map<string, { key: string; diagnostics: Diagnostic[] }> } {
    const fromCache = new Map<string, { key: string; diagnostics: Diagnostic[] }>();
    if (!standalone || manifests.length === 0) return { alone: new Set(), fromCache };
    // The files the plans read (given as a set when known without computing the plans).
    let covered: ReadonlySet<string>;
    if (Array.isArray(plans)) {
      const read = new Set<string>();
      for (const plan of plans) {
        const result = workspace.plan(plan);
        if (!result) continue;
        for (const f of result.sourceSet) read.add(f);
        for (const m of result.manifests) read.add(m.path);
        if (result.usageFile) read.add(result.usageFile);
      }
      covered = read;
    } else covered = plans as ReadonlySet<string>;
    const alone = new Set(manifests.filter((f) => !covered.has(f)));
    for (const file of alone) {
      const text = documents.get(uriOf.get(file)!)?.getText();
      const hit = text === undefined ? undefined : standalone.lookup(file, text);
      if (hit?.key !== undefined && hit.diagnostics)
        fromCache.set(file, { key: hit.key, diagnostics: hit.diagnostics });
    }
    return { alone, fromCache };
  }

  /** Keeps the diagnostics of an open manifest no plan reads, when its text is the file's text on disk. */
  function keepStandalone(file: string, uri: string, diagnostics: Diagnostic[]): void {
    const text = documents.get(uri)?.getText();
    if (text === undefined || standalone!.lookup(file, text).key === undefined) return;
    if (nodeFileHost.readFile(file) !== text) return;
    const key = standalone!.store(file, text, diagnostics);
    // The next pass reads these from the cache: they are what was just published.
    const entry = published.get(file);
    if (entry && key !== undefined) entry.key = key;
  }

  async function loadSettings(): Promise<void> {
    if (!pullsConfiguration) return;
    try {
      const [value] = await connection.workspace.getConfiguration([{ section: 'consolidation' }]);
      applySettings(value);
    } catch (error) {
      connection.console.warn(`could not read settings: ${(error as Error).message}`);
    }
  }

  function applySettings(value: unknown): void {
    settings = normalizeSettings(value);
    // Re-publish only when findings can change: a client sends the same settings more than once.
    const toolsChanged = useRenderer();
    if (!workspace.setOptions(toWorkspaceOptions(settings, folders)) && !toolsChanged) return;
    leaveSnapshot();
    standalone?.clear();
    published.clear();
    lastPass = undefined;
    scheduler.schedule();
  }

  /**
   * Optimizes the YAML parser on every thread while the client has not sent files yet. Not on a warm
   * start: models are then read from the cache, and warming would only delay its diagnostics; it is done
   * once the start has published (`warmWorkersLater`), for the edits.
   */
  function warmUp(): void {
    if (cache?.hasEntries()) {
      workersToWarm = true;
      return;
    }
    const text = warmUpText();
    void pool?.warmUp(text).then(() => pool.warmUp(text));
    setImmediate(() => {
      for (let i = 0; i < 2; i++) readManifestFile('/warm-up.yaml', text, { maxBytes: Number.MAX_SAFE_INTEGER });
    });
  }

  let workersToWarm = false;
  /**
   * After a warm start has published and no pass ran for 500 ms: starts and warms the workers (off the main
   * thread), then this thread's parser, one round per turn and only while no change waits, for the edits.
   */
  let warmTimer: NodeJS.Timeout | undefined;
  function warmWorkersLater(): void {
    if (!workersToWarm) return;
    // Once passes and opened files have stopped for a while: the start may still be opening files or
    // publishing, pass after pass (on two cores, warming now would slow that down).
    if (warmTimer) clearTimeout(warmTimer);
    warmTimer = setTimeout(warmNow, 500);
    warmTimer.unref();
  }
  function warmNow(): void {
    workersToWarm = false;
    const text = warmUpText();
    setImmediate(() => void pool?.warmUp(text));
    let rounds = 2;
    const warmThisThread = () => {
      if (scheduler.waiting) return void setTimeout(warmThisThread, 100).unref();
      readManifestFile('/warm-up.yaml', text, { maxBytes: Number.MAX_SAFE_INTEGER });
      if (--rounds > 0) setImmediate(warmThisThread);
    };
    setTimeout(warmThisThread, 0).unref();
  }

  function scanPlans(): void {
    plansOnDisk.clear();
    for (const folder of folders) for (const plan of host.glob(folder, PLAN_GLOBS)) plansOnDisk.add(plan);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = (
      params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [
        params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? undefined),
      ]
    ).filter((f): f is string => !!f);
    pullsConfiguration = !!params.capabilities.workspace?.configuration;
    dynamicWatchers = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    relativePatterns = params.capabilities.workspace?.didChangeWatchedFiles?.relativePatternSupport === true;
    lensRefreshSupport = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    if (params.initializationOptions && typeof params.initializationOptions === 'object') {
      settings = normalizeSettings((params.initializationOptions as { settings?: unknown }).settings);
      trusted = (params.initializationOptions as { trusted?: unknown }).trusted === true;
      useRenderer();
      // The client's storage folder for this workspace: parsed manifests are kept there for the next start.
      const cacheDir = (params.initializationOptions as { cacheDirectory?: unknown }).cacheDirectory;
      if (typeof cacheDir === 'string' && path.isAbsolute(cacheDir)) {
        engine = engineVersion(__filename, SERVER_VERSION);
        cache = new PersistentCache(path.join(cacheDir, 'model-cache'), engine);
        recorder = new RecordingFileHost();
        workspace.usePersistentCache(cache);
        standalone = new StandaloneDiagnostics(cache, () => workspace.findingSettings);
      }
    }
    // Sources stay inside the workspace folders now known (unless the settings allow more).
    workspace.setOptions(toWorkspaceOptions(settings, folders));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        documentSymbolProvider: true,
        completionProvider: { triggerCharacters: ['-', ' ', '[', ','] },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, GENERATE_KIND], resolveProvider: true },
      },
      serverInfo: { name: 'consolidation-plans', version: SERVER_VERSION },
    };
  });

  connection.onInitialized(async () => {
    if (pullsConfiguration) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'consolidation' })
        .catch(() => undefined);
    }
    await loadSettings();
    warmUp();
    scanPlans();
    // A warm start whose stored results hold publishes them; the models are loaded later.
    if (cache && recorder) snapshot = loadStartSnapshot(cache, startKey(), [...plansOnDisk].sort());
    if (snapshot) recorder = undefined;
    else parseAhead([...plansOnDisk].flatMap((plan) => workspace.sourceFiles(plan)));
    scheduler.schedule();
  });

  connection.onNotification(WORKSPACE_TRUST_NOTIFICATION, (params: WorkspaceTrustParams) => {
    trusted = params?.trusted === true;
    if (!useRenderer()) return;
    leaveSnapshot();
    published.clear();
    lastPass = undefined;
    scheduler.schedule();
  });

  connection.onDidChangeConfiguration((change) => {
    if (pullsConfiguration) void loadSettings();
    else applySettings((change.settings as { consolidation?: unknown } | undefined)?.consolidation);
  });

  documents.onDidChangeContent(({ document }) => {
    const file = uriToPath(document.uri);
    if (!file) return;
    const opening = !uriOf.has(file);
    if (!opening) leaveSnapshot();
    // Files still opening (a start): warming the workers and loading the models wait until they stop.
    else if (snapshot) upgradeLater();
    if (warmTimer) warmWorkersLater();
    uriOf.set(file, document.uri);
    if (isPlanFile(file)) openPlans.add(file);
    changedFiles.add(file);
    const text = document.getText();
    workspace.setOverlay(file, text);
    // Files opened together are parsed on the workers. An edit is one file the next pass needs at once:
    // parsed there, on this thread (handing it to a worker only adds the copies, and grows the workers' heaps
    // edit after edit). Its diagnostics in the cache (a warm start): the model is read only if a plan needs it.
    if (
      opening &&
      !(snapshot && (snapshot.read.has(file) || snapshot.files.has(file) || isPlanFile(file))) &&
      !(standalone && !isPlanFile(file) && standalone.lookup(file, text).diagnostics)
    )
      parseAhead([file]);
    scheduler.schedule();
  });

  documents.onDidClose(({ document }) => {
    const file = uriToPath(document.uri);
    if (!file) return;
    uriOf.delete(file);
    leaveSnapshot();
    openPlans.delete(file);
    changedFiles.add(file);
    standalone?.forget(file);
    workspace.setOverlay(file, undefined);
    scheduler.schedule();
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    leaveSnapshot();
    let rescan = false;
    const changed: string[] = [];
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      const kind =
        change.type === FileChangeType.Created
          ? 'created'
          : change.type === FileChangeType.Deleted
            ? 'deleted'
            : 'changed';
      workspace.fileChanged(file, kind);
      changedFiles.add(file);
      if (isPlanFile(file) && kind !== 'changed') rescan = true;
      lensesStale = true;
      if (kind !== 'deleted') changed.push(file);
    }
    if (rescan) scanPlans();
    // What the plans read is parsed again on the workers while the burst settles.
    const read = new Set(
      [...plansOnDisk, ...[...uriOf.keys()].filter(isPlanFile)].flatMap((plan) => workspace.sourceFiles(plan)),
    );
    parseAhead(changed.filter((f) => read.has(f) && !uriOf.has(f)));
    scheduler.schedule(WATCHED_FILES_SETTLE_MS);
  });

  // Requests: thin calls into the language service, which answers in LSP types.
  const service = getLanguageService(workspace, () => settings);
  const withDocument = <T>(uri: string, answer: (document: TextDocument) => T, none: T): T => {
    const document = documents.get(uri);
    return document ? answer(document) : none;
  };

  connection.onHover(({ textDocument, position }) =>
    withDocument(textDocument.uri, (d) => service.doHover(d, position), null),
  );

  connection.onCompletion(({ textDocument, position }) =>
    withDocument(textDocument.uri, (d) => service.doComplete(d, position), []),
  );

  connection.onDefinition(({ textDocument, position }) =>
    withDocument(textDocument.uri, (d) => service.findDefinition(d, position), []),
  );

  connection.onCodeLens(({ textDocument }) => service.getCodeLenses(textDocument));

  connection.onDocumentSymbol(({ textDocument }) => service.findDocumentSymbols(textDocument));

  connection.onCodeAction(({ textDocument, context, range }) =>
    withDocument(textDocument.uri, (d) => service.getCodeActions(d, range, context), []),
  );

  connection.onRequest(GenerateRequest, (params) => service.generate(params));

  connection.onCodeActionResolve((action) => service.resolveCodeAction(action));

  connection.onRequest(ListPlansRequest, () => {
    const plans = new Set([...plansOnDisk, ...documents.all().flatMap((d) => planPathOf(d.uri) ?? [])]);
    return [...plans].sort().flatMap((file) => service.getPlanSummary(file, uriOf.get(file)) ?? []);
  });

  connection.onRequest(PlanSummaryRequest, ({ uri }) => {
    const file = planPathOf(uri);
    return file ? service.getPlanSummary(file, uri) : null;
  });

  connection.onRequest(ReportRequest, ({ uri }) => service.getReport(uri));

  connection.onShutdown(async () => {
    scheduler.dispose();
    workspace.disposeRenders();
    if (pruneTimer) clearTimeout(pruneTimer);
    if (storeTimer) clearTimeout(storeTimer);
    storeSnapshot();
    leaveSnapshot();
    standalone?.flush();
    cache?.prune();
    await pool?.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameParts(a: Finding[][], b: Finding[][]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i] || (part.length === 0 && b[i].length === 0));
}
