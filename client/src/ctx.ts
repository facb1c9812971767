import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { Config, SECTION } from './config';
import { STATIC_WATCH_GLOBS } from '../../server/src/protocol/watchedFiles';

export const PLAN_LANGUAGE = 'consolidation-plan';

/** The Ctx once its language client has started: what command handlers get, so none checks for a missing client. */
export type CtxInit = Ctx & { readonly languageClient: LanguageClient };

/**
 * Owns the extension's lifetimes: the language client and every disposable (rust-analyzer's Ctx).
 * Commands reach the server through it, so a restart never leaves a command holding a dead client.
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  private client: LanguageClient | undefined;
  /** The start in progress (or done); a restart replaces it. */
  private starting: Promise<void> | undefined;
  private disposed: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly output: vscode.LogOutputChannel;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Consolidation Plans', { log: true });
    this.disposables.push(this.output);
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** The started Ctx: waits for the start (or restart) in progress, starting the client if none is. */
  async ready(): Promise<CtxInit> {
    await (this.starting ??= this.start());
    if (!this.client) throw new Error('The Consolidation language server is not running.');
    return this as CtxInit;
  }

  async start(): Promise<void> {
    this.starting = this.startClient();
    return this.starting;
  }

  private async startClient(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: {
        module: serverModule,
        transport: TransportKind.ipc,
        options: { execArgv: ['--nolazy', '--inspect=6010'] },
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: PLAN_LANGUAGE },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'dockercompose' },
      ],
      synchronize: {
        // YAML, `.env`, Helm and Kustomize inputs; the server registers watchers for every other
        // file a plan reads (a JSON usage snapshot, sources outside the workspace: lsp/watchedFiles.ts).
        fileEvents: STATIC_WATCH_GLOBS.map((glob) => vscode.workspace.createFileSystemWatcher(glob)),
      },
      // The server runs Kustomize and Helm only once it knows the workspace is trusted.
      initializationOptions: {
        settings: this.config.serverSettings,
        trusted: vscode.workspace.isTrusted,
        // The server keeps parsed manifests in the extension's storage for this workspace (global without one).
        cacheDirectory: (this.extension.storageUri ?? this.extension.globalStorageUri)?.fsPath,
      },
      // The server pulls `consolidation` through workspace/configuration: it gets the typed settings,
      // with workspace trust applied, not the raw section.
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const values = await next(params, token);
            if (!Array.isArray(values)) return values;
            return params.items.map((item, i) => (item.section === SECTION ? this.config.serverSettings : values[i]));
          },
        },
      },
      outputChannel: this.output,
    };
    this.client = new LanguageClient('consolidation', 'Consolidation Plans', serverOptions, clientOptions);
    await this.client.start();
  }

  /** Stops the client and starts a new one; ready() waits for the whole of it. */
  async restart(): Promise<void> {
    this.starting = (async () => {
      const client = this.client;
      this.client = undefined;
      await client?.stop();
      void client?.dispose();
      await this.startClient();
    })();
    return this.starting;
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  /** Stops the client and disposes everything once; later calls wait for the first. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      const client = this.client;
      this.client = undefined;
      await client?.stop();
      for (const d of this.disposables.splice(0)) d.dispose();
    })();
    return this.disposed;
  }
}
