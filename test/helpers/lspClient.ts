// A small LSP client for tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it, as an
// editor would (initialize with a workspace folder, answer workspace/configuration, open and edit
// documents, collect published diagnostics). Waiting is on events, with a generous timeout as a hang
// guard only: nothing here measures time. The fuzz harness drives the same client with hostile input:
// it keeps every publication and log message, takes JSON-RPC errors as answers (tryRequest), and a
// crashed server is reported with its exit and stderr instead of taking the test process down.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  CodeLensRefreshRequest,
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
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  ShutdownRequest,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  type CodeAction,
  type ClientCapabilities,
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
  type Registration,
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
  /** `initializationOptions` of `initialize` (default `{}`; `null` sends none). */
  initializationOptions?: unknown;
  /** The workspace folder's name in `initialize` (default `workspace`). */
  folderName?: string;
  /** The client capabilities of `initialize`, instead of the default ones (pullConfiguration then has no effect). */
  capabilities?: ClientCapabilities;
  /** The server process's working folder (default: this process's). */
  cwd?: string;
  /** How long `initialize` may take (default DEFAULT_WAIT_MS). */
  timeoutMs?: number;
  /** Keep every publication, in order, in `published` (default: only the last one per URI, in `diagnostics`). */
  keepPublished?: boolean;
  /** Keep at most about this many characters of the server's stderr (default: all of it). */
  maxStderrChars?: number;
}

/** A request or a wait that the server did not answer in time (the server is still running). */
export class RequestTimeout extends Error {}

/** A message the server logged or showed (window/logMessage, window/showMessage), with when it came. */
export interface ServerLog {
  type: number;
  message: string;
  at: number;
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
  /** Every configuration item the server asked for, in order. */
  readonly configurationRequests: ConfigurationItem[][] = [];
  readonly registrations: string[] = [];
  /** Every capability the server registered, with its options, in order (unregistered ones removed). */
  readonly registered: Registration[] = [];
  /** How many times the server asked the editor to ask for code lenses again (workspace/codeLens/refresh). */
  codeLensRefreshes = 0;
  /** Called after each registration, unregistration or code lens refresh the server asks for. */
  private readonly serverRequestWaiters = new Set<() => void>();
  /** Every diagnostics publication in order, when started with `keepPublished`. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** window/logMessage and window/showMessage, in order. */
  readonly logs: ServerLog[] = [];
  /** The requests tryRequest() saw answered with a JSON-RPC error, as `method: message`. */
  readonly responseErrors: string[] = [];
  stderr = '';
  initializeResult: InitializeResult | undefined;
  /** How the server process ended, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly waiters = new Set<Waiter>();
  /** The checks of waitFor() calls, run on every message from the server and on its exit. */
  private readonly checks = new Set<() => void>();
  private readonly versions = new Map<string, number>();
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: StartOptions,
  ) {
    this.exitedPromise = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exited = true;
        this.exit = { code, signal };
        this.wake();
        resolve();
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < (options.maxStderrChars ?? Infinity)) this.stderr += chunk.toString('utf8');
    });
    // A crashed server must fail the test that waits on it, not the test process: writes to a dead
    // server and a broken connection are ignored here and reported by the waits (its exit, its stderr).
    child.stdin.on('error', () => undefined);
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    this.connection.onError(() => undefined);
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params);
      if (this.options.keepPublished) this.published.push(params);
      this.wake();
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
      this.registered.push(...params.registrations);
      for (const waiter of [...this.serverRequestWaiters]) waiter();
    });
    this.connection.onRequest(UnregistrationRequest.type, (params) => {
      const gone = new Set(params.unregisterations.map((u) => u.id));
      this.registered.splice(0, this.registered.length, ...this.registered.filter((r) => !gone.has(r.id)));
      for (const waiter of [...this.serverRequestWaiters]) waiter();
    });
    this.connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    this.connection.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes += 1;
      for (const waiter of [...this.serverRequestWaiters]) waiter();
    });
    for (const type of [LogMessageNotification.type, ShowMessageNotification.type]) {
      this.connection.onNotification(type, (params) => {
        this.logs.push({ type: params.type, message: params.message, at: Date.now() });
        this.wake();
      });
    }
    // Telemetry and the rest: not needed here.
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  /** Spawns the server, initializes it with one workspace folder and sends `initialized`. */
  static async start(options: StartOptions): Promise<LspClient> {
    assertBuilt();
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child, options);
    try {
      const pull = options.pullConfiguration ?? true;
      client.initializeResult = await client.withTimeout(
        client.connection.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          rootUri: uriOf(options.folder),
          workspaceFolders: [{ uri: uriOf(options.folder), name: options.folderName ?? 'workspace' }],
          capabilities: options.capabilities ?? {
            workspace: {
              configuration: pull,
              workspaceFolders: true,
              didChangeConfiguration: { dynamicRegistration: true },
              didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
              codeLens: { refreshSupport: true },
            },
            textDocument: {
              synchronization: { didSave: true, dynamicRegistration: false },
              publishDiagnostics: { versionSupport: true, relatedInformation: true },
              hover: { contentFormat: ['markdown', 'plaintext'] },
              completion: { completionItem: { snippetSupport: false } },
              codeAction: {
                dataSupport: true,
                codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } },
              },
              documentSymbol: { hierarchicalDocumentSymbolSupport: true },
            },
          },
          initializationOptions: options.initializationOptions === undefined ? {} : options.initializationOptions,
        }),
        'initialize',
        options.timeoutMs,
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
      timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}\n--- server stderr ---\n${this.stderr}`)),
        ms,
      );
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
  waitForDiagnostics(
    uri: string,
    predicate: (params: PublishDiagnosticsParams) => boolean,
    what = `diagnostics of ${uri}`,
  ): Promise<PublishDiagnosticsParams> {
    const last = this.diagnostics.get(uri);
    if (last && predicate(last)) return Promise.resolve(last);
    let waiter: Waiter | undefined;
    const promise = new Promise<PublishDiagnosticsParams>((resolve) => {
      waiter = { uri, predicate, resolve };
      this.waiters.add(waiter);
    });
    return this.withTimeout(promise, what).finally(() => this.waiters.delete(waiter!));
  }

  /** The registrations in force once they satisfy `predicate` (now, or after a later (un)registration). */
  waitForRegistrations(
    predicate: (registered: Registration[]) => boolean,
    what = 'a registration',
  ): Promise<Registration[]> {
    if (predicate(this.registered)) return Promise.resolve(this.registered);
    let waiter: (() => void) | undefined;
    const promise = new Promise<Registration[]>((resolve) => {
      waiter = () => {
        if (predicate(this.registered)) resolve(this.registered);
      };
      this.serverRequestWaiters.add(waiter);
    });
    return this.withTimeout(promise, what).finally(() => this.serverRequestWaiters.delete(waiter!));
  }

  /** Resolves once the server has asked for more than `seen` code lens refreshes. */
  waitForCodeLensRefresh(seen: number, what = 'a workspace/codeLens/refresh request'): Promise<number> {
    if (this.codeLensRefreshes > seen) return Promise.resolve(this.codeLensRefreshes);
    let waiter: (() => void) | undefined;
    const promise = new Promise<number>((resolve) => {
      waiter = () => {
        if (this.codeLensRefreshes > seen) resolve(this.codeLensRefreshes);
      };
      this.serverRequestWaiters.add(waiter);
    });
    return this.withTimeout(promise, what).finally(() => this.serverRequestWaiters.delete(waiter!));
  }

  /** The next diagnostics of `uri` whose version is `version` (an open document after an edit). */
  waitForVersion(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.waitForDiagnostics(uri, (p) => p.version === version, `diagnostics of ${uri} at version ${version}`);
  }

  // ---- documents ----

  async open(
    file: string,
    text: string,
    languageId = file.endsWith('.plan.yaml') ? 'consolidation-plan' : 'yaml',
  ): Promise<string> {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  /** Replaces the whole text; returns the new version. */
  async replaceText(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  /** An incremental edit; returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
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
    return this.withTimeout(
      this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }),
      'hover',
    );
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
    return (
      (await this.withTimeout(
        this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }),
        'code lenses',
      )) ?? []
    );
  }

  async documentSymbols(uri: string): Promise<(DocumentSymbol | SymbolInformation)[]> {
    return (
      (await this.withTimeout(
        this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }),
        'document symbols',
      )) ?? []
    );
  }

  async codeActions(
    uri: string,
    range: Range,
    diagnostics: Diagnostic[],
    only?: string[],
  ): Promise<(CodeAction | Command)[]> {
    return (
      (await this.withTimeout(
        this.connection.sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range,
          context: { diagnostics, only },
        }),
        'code actions',
      )) ?? []
    );
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.withTimeout(this.connection.sendRequest<R>(method, params), method);
  }

  // ---- for harnesses that expect failures (the fuzz tests) ----

  /** Sends a notification without waiting for it to be written; nothing is sent once the server has exited. */
  notify(method: string, params: unknown): void {
    if (!this.exit) void this.connection.sendNotification(method, params).catch(() => undefined);
  }

  /**
   * A request that may be answered with a JSON-RPC error: `{ result }`, or `{ error }` (also kept in
   * responseErrors). Throws a RequestTimeout when it is not answered within `timeoutMs`, and an Error
   * with the exit and stderr when the server has exited.
   */
  async tryRequest<R>(
    method: string,
    params: unknown,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<{ result?: R; error?: string }> {
    if (this.exit)
      throw new Error(
        `server exited (${JSON.stringify(this.exit)}) before ${method}; stderr:\n${this.stderr.slice(-4000)}`,
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RequestTimeout(
              `${method} not answered within ${timeoutMs} ms; params ${JSON.stringify(params).slice(0, 400)}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([this.connection.sendRequest<R>(method, params), timeout]);
      return { result };
    } catch (error) {
      if (error instanceof RequestTimeout) throw error;
      if (this.exit)
        throw new Error(
          `server exited (${JSON.stringify(this.exit)}) during ${method}; stderr:\n${this.stderr.slice(-4000)}`,
          { cause: error },
        );
      const message = `${method}: ${(error as Error).message}`;
      this.responseErrors.push(message);
      return { error: message };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once `condition` holds, checked on every message from the server and every 250 ms; rejects
   * after `timeoutMs` (a RequestTimeout), when the server exits, or as soon as `abort` gives a reason.
   */
  waitFor(
    condition: () => boolean,
    timeoutMs: number,
    what: () => string,
    abort: () => string | undefined = () => undefined,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const reason = condition() ? undefined : abort();
        if (condition()) finish(resolve);
        else if (this.exit)
          finish(() =>
            reject(
              new Error(
                `server exited (${JSON.stringify(this.exit)}) while waiting for ${what()}; stderr:\n${this.stderr.slice(-4000)}`,
              ),
            ),
          );
        else if (reason) finish(() => reject(new Error(`gave up waiting for ${what()}: ${reason}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new RequestTimeout(`timed out after ${timeoutMs} ms waiting for ${what()}`))),
        timeoutMs,
      );
      const poll = setInterval(check, 250);
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.checks.delete(check);
        fn();
      };
      this.checks.add(check);
      check();
    });
  }

  /** shutdown and exit; the process's exit code, or null when it has not exited within `timeoutMs`. */
  async shutdown(timeoutMs = DEFAULT_WAIT_MS): Promise<number | null> {
    await this.tryRequest('shutdown', null, timeoutMs);
    this.notify('exit', null);
    await this.waitFor(
      () => this.exit !== undefined,
      timeoutMs,
      () => 'the server to exit after shutdown/exit',
    ).catch(() => undefined);
    return this.exit ? this.exit.code : null;
  }

  /** Stops the server at once, without shutdown (after a scenario, passed or failed). */
  kill(): void {
    this.connection.dispose();
    if (!this.exit && this.child.pid !== undefined) this.child.kill('SIGKILL');
  }

  private wake(): void {
    for (const check of [...this.checks]) check();
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
