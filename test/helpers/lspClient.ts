// A small LSP client for tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it, as an
// editor would (initialize with a workspace folder, answer workspace/configuration, open and edit
// documents, collect published diagnostics). Waiting is on events, with a generous timeout as a hang
// guard only: nothing here measures time.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  ConfigurationRequest,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  type CodeAction,
  type CodeLens,
  type Command,
  type CompletionItem,
  type CompletionList,
  type ConfigurationItem,
  type Definition,
  type Diagnostic,
  type DocumentSymbol,
  type FileEvent,
  type Hover,
  type InitializeResult,
  type Location,
  type LocationLink,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
  type SymbolInformation,
} from 'vscode-languageserver-protocol';
import { assertBuilt, SERVER } from './cli';

export const DEFAULT_WAIT_MS = 60_000;

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
export function messageText(message: string | { value: string }): string {
  return typeof message === 'string' ? message : message.value;
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

export interface StartOptions {
  /** The workspace folder (a real path). */
  folder: string;
  /** What `workspace/configuration` answers for the `consolidation` section; read at each request. */
  settings?: () => unknown;
  /** Whether the client advertises `workspace.configuration` (pull model). Default true. */
  pullConfiguration?: boolean;
  /** `initializationOptions` of `initialize` (default `{}`). */
  initializationOptions?: unknown;
}

interface Waiter {
  uri: string;
  predicate: (params: PublishDiagnosticsParams) => boolean;
  resolve: (params: PublishDiagnosticsParams) => void;
}

export class LspClient {
  readonly connection: MessageConnection;
  /** The last diagnostics published for each URI. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publication, in order. */
  readonly publications: PublishDiagnosticsParams[] = [];
  /** Every configuration item the server asked for, in order. */
  readonly configurationRequests: ConfigurationItem[][] = [];
  readonly registrations: string[] = [];
  stderr = '';
  initializeResult: InitializeResult | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly versions = new Map<string, number>();
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: StartOptions,
  ) {
    this.exitedPromise = new Promise((resolve) => child.on('exit', () => ((this.exited = true), resolve())));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params);
      this.publications.push(params);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.predicate(params)) {
          this.waiters.delete(waiter);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests.push(params.items);
      return params.items.map((item) => (item.section === 'consolidation' ? (this.options.settings?.() ?? {}) : null));
    });
    this.connection.onRequest(RegistrationRequest.type, (params) => {
      this.registrations.push(...params.registrations.map((r) => r.method));
    });
    this.connection.onRequest(UnregistrationRequest.type, () => undefined);
    this.connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    // window/logMessage, window/showMessage, telemetry: not needed here.
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  /** Spawns the server, initializes it with one workspace folder and sends `initialized`. */
  static async start(options: StartOptions): Promise<LspClient> {
    assertBuilt();
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child, options);
    try {
      const pull = options.pullConfiguration ?? true;
      client.initializeResult = await client.withTimeout(
        client.connection.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          rootUri: uriOf(options.folder),
          workspaceFolders: [{ uri: uriOf(options.folder), name: 'workspace' }],
          capabilities: {
            workspace: {
              configuration: pull,
              workspaceFolders: true,
              didChangeConfiguration: { dynamicRegistration: true },
              didChangeWatchedFiles: { dynamicRegistration: true },
            },
            textDocument: {
              synchronization: { didSave: true, dynamicRegistration: false },
              publishDiagnostics: { versionSupport: true, relatedInformation: true },
              hover: { contentFormat: ['markdown', 'plaintext'] },
              completion: { completionItem: { snippetSupport: false } },
              codeAction: { dataSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } },
              documentSymbol: { hierarchicalDocumentSymbolSupport: true },
            },
          },
          initializationOptions: options.initializationOptions ?? {},
        }),
        'initialize',
      );
      await client.connection.sendNotification(InitializedNotification.type, {});
      return client;
    } catch (error) {
      await client.dispose();
      throw error;
    }
  }

  /** Rejects when `promise` has not settled after `ms` (or the server died), naming what was awaited. */
  withTimeout<T>(promise: Promise<T>, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\n--- server stderr ---\n${this.stderr}`)), ms);
    });
    const died = this.exitedPromise.then(() => {
      throw new Error(`the server exited while waiting for ${what}\n--- server stderr ---\n${this.stderr}`);
    });
    return Promise.race([promise, timeout, died]).finally(() => clearTimeout(timer));
  }

  /**
   * The diagnostics of `uri` once they satisfy `predicate`: the last published ones if they already
   * do, else the next publication that does.
   */
  waitForDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean, what = `diagnostics of ${uri}`): Promise<PublishDiagnosticsParams> {
    const last = this.diagnostics.get(uri);
    if (last && predicate(last)) return Promise.resolve(last);
    let waiter: Waiter | undefined;
    const promise = new Promise<PublishDiagnosticsParams>((resolve) => {
      waiter = { uri, predicate, resolve };
      this.waiters.add(waiter);
    });
    return this.withTimeout(promise, what).finally(() => this.waiters.delete(waiter!));
  }

  /** The next diagnostics of `uri` whose version is `version` (an open document after an edit). */
  waitForVersion(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.waitForDiagnostics(uri, (p) => p.version === version, `diagnostics of ${uri} at version ${version}`);
  }

  // ---- documents ----

  async open(file: string, text: string, languageId = file.endsWith('.plan.yaml') ? 'consolidation-plan' : 'yaml'): Promise<string> {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Replaces the whole text; returns the new version. */
  async replaceText(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental edit; returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async changeConfiguration(): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async watchedFilesChanged(changes: FileEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  // ---- requests ----

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.withTimeout(this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }), 'hover');
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const result: CompletionItem[] | CompletionList | null = await this.withTimeout(
      this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }),
      'completion',
    );
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  async definition(uri: string, position: Position): Promise<Location[]> {
    const result: Definition | LocationLink[] | null = await this.withTimeout(
      this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position }),
      'definition',
    );
    if (!result) return [];
    const list = Array.isArray(result) ? result : [result];
    return list.map((l) => ('targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange } : l));
  }

  async codeLenses(uri: string): Promise<CodeLens[]> {
    return (await this.withTimeout(this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }), 'code lenses')) ?? [];
  }

  async documentSymbols(uri: string): Promise<(DocumentSymbol | SymbolInformation)[]> {
    return (await this.withTimeout(this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }), 'document symbols')) ?? [];
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<(CodeAction | Command)[]> {
    return (
      (await this.withTimeout(
        this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } }),
        'code actions',
      )) ?? []
    );
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.withTimeout(this.connection.sendRequest<R>(method, params), method);
  }

  /** shutdown + exit, then kill whatever is left. Safe to call twice. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      try {
        await this.withTimeout(this.connection.sendRequest(ShutdownRequest.type), 'shutdown', 10_000);
        await this.connection.sendNotification(ExitNotification.type);
        await this.withTimeout(this.exitedPromise, 'the server to exit', 10_000);
      } catch {
        // Killed below.
      }
    }
    if (!this.exited) this.child.kill('SIGKILL');
    this.connection.dispose();
    this.waiters.clear();
  }
}
