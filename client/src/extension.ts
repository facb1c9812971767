import * as vscode from 'vscode';
import { DidChangeConfigurationNotification } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { Config } from './config';
import { Ctx } from './ctx';
import { WORKSPACE_TRUST_NOTIFICATION, type WorkspaceTrustParams } from '../../server/src/protocol/messages';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Disposed once, by deactivate (awaited there, so the server stops cleanly); not also through context.subscriptions.
  ctx = new Ctx(context);
  registerCommands(ctx);
  ctx.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (Config.affectsServer(event))
        void ctx?.languageClient?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // Trust changes what the settings allow (sources outside the workspace): the server asks again;
      // and it may now run Kustomize and Helm.
      void ctx?.languageClient?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
      const params: WorkspaceTrustParams = { trusted: true };
      void ctx?.languageClient?.sendNotification(WORKSPACE_TRUST_NOTIFICATION, params);
    }),
  );
  await ctx.start();
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
