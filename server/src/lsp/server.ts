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
import { buildReport } from '../engine/report/report';
import { formatReportText } from '../engine/report/reportText';
import { ConsolidationWorkspace, isPlanFile } from '../engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../engine/workspace/diagnose';
import type { Finding } from '../engine/rules/types';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { ManifestReaderPool } from '../engine/workspace/manifestReaderPool';
import { PersistentCache } from '../engine/workspace/persistentCache';
import { engineVersion } from '../engine/workspace/engineVersion';
import { warmUpText } from '../engine/workspace/warmUp';
import { readManifestFile } from '../engine/manifests/readManifestFile';
import { DEFAULT_SERVER_SETTINGS, GENERATE_KIND, GenerateRequest, ListPlansRequest, ReportRequest, type ServerSettings } from '../protocol/messages';
import { generateActions, generateEdit, isGenerateData, resolveGenerate } from '../service/generateAction';
import { quickFixes } from '../service/codeActions';
import { codeLenses } from '../service/codeLens';
import { completion } from '../service/completion';
import { definition } from '../service/definition';
import { toDiagnostic } from '../service/diagnostics';
import { hover } from '../service/hover';
import { documentSymbols } from '../service/symbols';
import { pathToUri, uriToPath } from '../service/uris';
import { toRange } from '../service/positions';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { normalizeSettings, toWorkspaceOptions } from './settings';

const PLAN_GLOBS = ['**/*.plan.yaml', '**/*.plan.yml'];
const SERVER_VERSION = '0.1.0';

/** The LSP adapter: transport and document sync here, every answer from the language service. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  const workspace = new ConsolidationWorkspace(nodeFileHost, toWorkspaceOptions(settings));
  let folders: string[] = [];
  let pullsConfiguration = false;
  const plansOnDisk = new Set<string>();
  /** The client's own URI for each open file, so published diagnostics match it exactly. */
  const uriOf = new Map<string, string>();
  /** What was last published per URI: the cached finding lists it was made of, for which version. */
  const published = new Map<string, { parts: Finding[][]; version: number | undefined }>();

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

  function publishDiagnostics(): void {
    const open = [...uriOf.keys()];
    const plans = [...new Set([...plansOnDisk, ...open.filter(isPlanFile)])];
    const byFile = diagnose(workspace, { plans, manifests: open.filter((f) => !isPlanFile(f)), orphanScope: 'per-file' });
    const seen = new Set<string>();
    for (const [file, parts] of byFile) {
      const uri = uriOf.get(file) ?? pathToUri(file);
      seen.add(uri);
      const version = documents.get(uri)?.version;
      const previous = published.get(uri);
      // A new version of an open document always gets an answer, even when nothing changed.
      if (previous && previous.version === version && sameParts(previous.parts, parts)) continue;
      published.set(uri, { parts, version });
      const diagnostics = flattenParts(parts).map((f) => toDiagnostic(workspace, f));
      void connection.sendDiagnostics({ uri, version, diagnostics });
    }
    for (const uri of [...published.keys()]) {
      if (seen.has(uri)) continue;
      published.delete(uri);
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
    if (!workspace.setOptions(toWorkspaceOptions(settings))) return;
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

  /** A plan file path for a request's document, or undefined when it is not a plan. */
  function planPath(uri: string): string | undefined {
    const file = uriToPath(uri);
    return file && isPlanFile(file) ? file : undefined;
  }

  function offsetIn(uri: string, position: { line: number; character: number }): number | undefined {
    return documents.get(uri)?.offsetAt(position);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = (params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [params.rootUri ? uriToPath(params.rootUri) : params.rootPath ?? undefined]).filter(
      (f): f is string => !!f,
    );
    pullsConfiguration = !!params.capabilities.workspace?.configuration;
    if (params.initializationOptions && typeof params.initializationOptions === 'object') {
      settings = normalizeSettings((params.initializationOptions as { settings?: unknown }).settings);
      workspace.setOptions(toWorkspaceOptions(settings));
      // The client's storage folder for this workspace: parsed manifests are kept there for the next start.
      const cacheDir = (params.initializationOptions as { cacheDirectory?: unknown }).cacheDirectory;
      if (typeof cacheDir === 'string' && path.isAbsolute(cacheDir)) {
        cache = new PersistentCache(path.join(cacheDir, 'model-cache'), engineVersion(__filename, SERVER_VERSION));
        workspace.usePersistentCache(cache);
      }
    }
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

  connection.onHover(({ textDocument, position }) => {
    const plan = planPath(textDocument.uri);
    const offset = offsetIn(textDocument.uri, position);
    return plan && offset !== undefined ? hover(workspace, plan, offset) ?? null : null;
  });

  connection.onCompletion(({ textDocument, position }) => {
    const plan = planPath(textDocument.uri);
    const offset = offsetIn(textDocument.uri, position);
    return plan && offset !== undefined ? completion(workspace, plan, offset) : [];
  });

  connection.onDefinition(({ textDocument, position }) => {
    const plan = planPath(textDocument.uri);
    const offset = offsetIn(textDocument.uri, position);
    return plan && offset !== undefined ? definition(workspace, plan, offset) : [];
  });

  connection.onCodeLens(({ textDocument }) => {
    const plan = planPath(textDocument.uri);
    return plan && settings.codeLens.enabled ? codeLenses(workspace, plan) : [];
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const plan = planPath(textDocument.uri);
    return plan ? documentSymbols(workspace, plan) : [];
  });

  connection.onCodeAction(({ textDocument, context, range }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return [];
    const actions = quickFixes(textDocument.uri, context.diagnostics, (offset) => document.positionAt(offset));
    const plan = planPath(textDocument.uri);
    const wantsGenerate = !context.only || context.only.some((kind) => GENERATE_KIND.startsWith(kind));
    if (plan && wantsGenerate) {
      const offsets = { start: document.offsetAt(range.start), end: document.offsetAt(range.end) };
      actions.push(...generateActions(workspace, plan, textDocument.uri, offsets, settings.generatedDirectory));
    }
    return actions;
  });

  connection.onRequest(GenerateRequest, (params) => {
    const plan = planPath(params.planUri);
    return plan ? generateEdit(workspace, plan, params, settings.generatedDirectory) : { reason: 'not a plan file' };
  });

  connection.onCodeActionResolve((action) => {
    if (!isGenerateData(action.data)) return action;
    const plan = planPath(action.data.planUri);
    return plan ? resolveGenerate(workspace, plan, action, settings.generatedDirectory) : action;
  });

  connection.onRequest(ListPlansRequest, () => {
    const plans = new Set([...plansOnDisk, ...documents.all().flatMap((d) => planPath(d.uri) ?? [])]);
    return [...plans].sort().flatMap((file) => {
      const model = workspace.planModel(file);
      return model
        ? [
            {
              uri: uriOf.get(file) ?? pathToUri(file),
              name: model.name ?? null,
              phases: model.phases.map((p) => ({ name: p.name, merges: p.merge.map((m) => m.name), nameRange: toRange(workspace, file, p.nameLocation.range) })),
            },
          ]
        : [];
    });
  });

  connection.onRequest(ReportRequest, ({ uri }) => {
    const file = planPath(uri);
    const result = file ? workspace.plan(file) : undefined;
    if (!result || !file) return null;
    const report = buildReport(result, path.dirname(file));
    return { text: formatReportText(report), json: report };
  });

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
