import * as path from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConsolidationWorkspace, isPlanFile } from '../engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../engine/workspace/diagnose';
import type { Finding } from '../engine/rules/types';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { ManifestReaderPool } from '../engine/workspace/manifestReaderPool';
import { PersistentCache } from '../engine/workspace/persistentCache';
import { engineVersion } from '../engine/workspace/engineVersion';
import { warmUpText } from '../engine/workspace/warmUp';
import { readManifestFile } from '../engine/manifests/readManifestFile';
import { DEFAULT_SERVER_SETTINGS, GENERATE_KIND, GenerateRequest, ListPlansRequest, PlanSummaryRequest, ReportRequest, WORKSPACE_TRUST_NOTIFICATION, type ServerSettings, type WorkspaceTrustParams } from '../protocol/messages';
import { toDiagnostic } from '../service/diagnostics';
import { getLanguageService, planPathOf } from '../service/languageService';
import { pathToUri, uriToPath } from '../service/uris';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { normalizeSettings, toWorkspaceOptions } from './settings';
import { ToolRenderer } from '../tools/toolRenderer';

const PLAN_GLOBS = ['**/*.plan.yaml', '**/*.plan.yml'];
const SERVER_VERSION = '0.1.0';

/** The LSP adapter: transport and document sync here, every answer from the language service. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  const workspace = new ConsolidationWorkspace(nodeFileHost, toWorkspaceOptions(settings));
  let folders: string[] = [];
  let pullsConfiguration = false;
  // Kustomize and Helm sources: rendered only once the client says the workspace is trusted.
  let trusted = false;
  let rendererKey: string | undefined;
  const useRenderer = (): boolean => {
    const key = JSON.stringify([trusted, settings.tools]);
    if (key === rendererKey) return false;
    rendererKey = key;
    workspace.setSourceRenderer(trusted ? new ToolRenderer({ kustomize: settings.tools?.kustomize, helm: settings.tools?.helm }) : undefined, () => folders);
    return true;
  };
  useRenderer();
  const plansOnDisk = new Set<string>();
  /** The client's own URI for each open file, so published diagnostics match it exactly. */
  const uriOf = new Map<string, string>();
  /** What was last published per file: under which URI, the cached finding lists it was made of, for which version. */
  const published = new Map<string, { uri: string; parts: Finding[][]; version: number | undefined }>();

  const pool = ManifestReaderPool.beside(__dirname);
  let cache: PersistentCache | undefined;
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

  const scheduler = new DiagnosticsScheduler(async (stale) => {
    while (inflight.size > 0) await Promise.all(inflight);
    // Texts changed while parses were awaited: the next pass analyses the newest versions instead.
    if (stale()) return;
    publishDiagnostics();
    pruneLater();
  }, (error) => connection.console.error(`diagnostics failed: ${(error as Error).stack ?? error}`));

  /**
   * Publishes the files whose findings changed since they were last published (the same cached lists mean
   * the same findings: nothing is compared or converted for the others), and clears the files that have
   * none any more. The work of a pass then grows with what changed, not with the workspace.
   */
  function publishDiagnostics(): void {
    const open = [...uriOf.keys()];
    const plans = [...new Set([...plansOnDisk, ...open.filter(isPlanFile)])];
    const byFile = diagnose(workspace, { plans, manifests: open.filter((f) => !isPlanFile(f)), orphanScope: 'per-file' });
    for (const [file, parts] of byFile) {
      const openUri = uriOf.get(file);
      const version = openUri === undefined ? undefined : documents.get(openUri)?.version;
      const previous = published.get(file);
      // A new version of an open document always gets an answer, even when nothing changed.
      if (previous && previous.version === version && previous.uri === (openUri ?? previous.uri) && sameParts(previous.parts, parts)) continue;
      const uri = openUri ?? previous?.uri ?? pathToUri(file);
      // The client's spelling of the URI replaces ours: what was published under ours is cleared.
      if (previous && previous.uri !== uri) void connection.sendDiagnostics({ uri: previous.uri, diagnostics: [] });
      published.set(file, { uri, parts, version });
      const diagnostics = flattenParts(parts).map((f) => toDiagnostic(workspace, f));
      void connection.sendDiagnostics({ uri, version, diagnostics });
    }
    for (const [file, { uri }] of published) {
      if (byFile.has(file)) continue;
      published.delete(file);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    }
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
    published.clear();
    scheduler.schedule();
  }

  /** Optimizes the YAML parser on every thread while the client has not sent files yet. */
  function warmUp(): void {
    const text = warmUpText();
    void pool?.warmUp(text).then(() => pool.warmUp(text));
    setImmediate(() => {
      for (let i = 0; i < 2; i++) readManifestFile('/warm-up.yaml', text, { maxBytes: Number.MAX_SAFE_INTEGER });
    });
  }

  function scanPlans(): void {
    plansOnDisk.clear();
    for (const folder of folders) for (const plan of nodeFileHost.glob(folder, PLAN_GLOBS)) plansOnDisk.add(plan);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = (params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [params.rootUri ? uriToPath(params.rootUri) : params.rootPath ?? undefined]).filter(
      (f): f is string => !!f,
    );
    pullsConfiguration = !!params.capabilities.workspace?.configuration;
    if (params.initializationOptions && typeof params.initializationOptions === 'object') {
      settings = normalizeSettings((params.initializationOptions as { settings?: unknown }).settings);
      trusted = (params.initializationOptions as { trusted?: unknown }).trusted === true;
      useRenderer();
      // The client's storage folder for this workspace: parsed manifests are kept there for the next start.
      const cacheDir = (params.initializationOptions as { cacheDirectory?: unknown }).cacheDirectory;
      if (typeof cacheDir === 'string' && path.isAbsolute(cacheDir)) {
        cache = new PersistentCache(path.join(cacheDir, 'model-cache'), engineVersion(__filename, SERVER_VERSION));
        workspace.usePersistentCache(cache);
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
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'consolidation' }).catch(() => undefined);
    }
    await loadSettings();
    warmUp();
    scanPlans();
    parseAhead([...plansOnDisk].flatMap((plan) => workspace.sourceFiles(plan)));
    scheduler.schedule();
  });

  connection.onNotification(WORKSPACE_TRUST_NOTIFICATION, (params: WorkspaceTrustParams) => {
    trusted = params?.trusted === true;
    if (!useRenderer()) return;
    published.clear();
    scheduler.schedule();
  });

  connection.onDidChangeConfiguration((change) => {
    if (pullsConfiguration) void loadSettings();
    else applySettings((change.settings as { consolidation?: unknown } | undefined)?.consolidation);
  });

  documents.onDidChangeContent(({ document }) => {
    const file = uriToPath(document.uri);
    if (!file) return;
    uriOf.set(file, document.uri);
    workspace.setOverlay(file, document.getText());
    parseAhead([file]);
    scheduler.schedule();
  });

  documents.onDidClose(({ document }) => {
    const file = uriToPath(document.uri);
    if (!file) return;
    uriOf.delete(file);
    workspace.setOverlay(file, undefined);
    scheduler.schedule();
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    let rescan = false;
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      const kind = change.type === FileChangeType.Created ? 'created' : change.type === FileChangeType.Deleted ? 'deleted' : 'changed';
      workspace.fileChanged(file, kind);
      if (isPlanFile(file) && kind !== 'changed') rescan = true;
    }
    if (rescan) scanPlans();
    scheduler.schedule();
  });

  // Requests: thin calls into the language service, which answers in LSP types.
  const service = getLanguageService(workspace, () => settings);
  const withDocument = <T>(uri: string, answer: (document: TextDocument) => T, none: T): T => {
    const document = documents.get(uri);
    return document ? answer(document) : none;
  };

  connection.onHover(({ textDocument, position }) => withDocument(textDocument.uri, (d) => service.doHover(d, position), null));

  connection.onCompletion(({ textDocument, position }) => withDocument(textDocument.uri, (d) => service.doComplete(d, position), []));

  connection.onDefinition(({ textDocument, position }) => withDocument(textDocument.uri, (d) => service.findDefinition(d, position), []));

  connection.onCodeLens(({ textDocument }) => service.getCodeLenses(textDocument));

  connection.onDocumentSymbol(({ textDocument }) => service.findDocumentSymbols(textDocument));

  connection.onCodeAction(({ textDocument, context, range }) => withDocument(textDocument.uri, (d) => service.getCodeActions(d, range, context), []));

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
    if (pruneTimer) clearTimeout(pruneTimer);
    cache?.prune();
    await pool?.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

function sameParts(a: Finding[][], b: Finding[][]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i] || (part.length === 0 && b[i].length === 0));
}
