import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { Config } from './config';

export const PLAN_LANGUAGE = 'consolidation-plan';

/**
 * Owns the extension's lifetimes: the language client and every disposable (rust-analyzer's Ctx).
 * Commands reach the server through it, so a restart never leaves a command holding a dead client.
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  private client: LanguageClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly output: vscode.LogOutputChannel;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Consolidation Plans', { log: true });
    this.disposables.push(this.output);
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: PLAN_LANGUAGE },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'dockercompose' },
      ],
      synchronize: {
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}'),
          vscode.workspace.createFileSystemWatcher('**/.env'),
        ],
      },
      // The server keeps parsed manifests in the extension's storage for this workspace (global without one).
      initializationOptions: { settings: this.config.serverSettings, cacheDirectory: (this.extension.storageUri ?? this.extension.globalStorageUri)?.fsPath },
      outputChannel: this.output,
    };
    this.client = new LanguageClient('consolidation', 'Consolidation Plans', serverOptions, clientOptions);
    await this.client.start();
  }

  async restart(): Promise<void> {
    await this.client?.stop();
    this.client?.dispose();
    this.client = undefined;
    await this.start();
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
