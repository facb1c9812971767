import * as vscode from 'vscode';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../../server/src/protocol/messages';

export const SECTION = 'consolidation';

/** The extension's settings, typed (rust-analyzer style): one place reads `consolidation.*`. */
export class Config {
  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  get serverSettings(): ServerSettings {
    return {
      rules: this.raw.get<Record<string, string>>('rules', {}),
      maxFileSizeKb: this.raw.get<number>('maxFileSizeKb', DEFAULT_SERVER_SETTINGS.maxFileSizeKb),
      codeLens: { enabled: this.codeLensEnabled },
      generatedDirectory: this.generatedDirectory,
      sources: {
        // Reading outside the workspace is for trusted workspaces only, whatever the setting says.
        allowOutsideWorkspace:
          vscode.workspace.isTrusted &&
          this.raw.get<boolean>('sources.allowOutsideWorkspace', DEFAULT_SERVER_SETTINGS.sources.allowOutsideWorkspace),
        maxFiles: this.raw.get<number>('sources.maxFiles', DEFAULT_SERVER_SETTINGS.sources.maxFiles),
        maxSizeMb: this.raw.get<number>('sources.maxSizeMb', DEFAULT_SERVER_SETTINGS.sources.maxSizeMb),
      },
      // Read only in a trusted workspace (restrictedConfigurations in package.json; the server checks trust too).
      tools: {
        kustomize: this.raw.get<string>('tools.kustomize', '').trim(),
        helm: this.raw.get<string>('tools.helm', '').trim(),
        timeoutSeconds: this.raw.get<number>('tools.timeout', DEFAULT_SERVER_SETTINGS.tools.timeoutSeconds),
      },
    };
  }

  /** Code lenses above the budget and the phases (the server's and the extension's). */
  get codeLensEnabled(): boolean {
    return this.raw.get<boolean>('codeLens.enabled', DEFAULT_SERVER_SETTINGS.codeLens.enabled);
  }

  get generatedDirectory(): string {
    return this.raw.get<string>('generatedDirectory', DEFAULT_SERVER_SETTINGS.generatedDirectory);
  }

  /** The kubeconfig file of the cluster commands; empty: KUBECONFIG, else ~/.kube/config. */
  get kubeconfig(): string {
    return this.raw.get<string>('kubeconfig', '').trim();
  }

  /** How long Apply and Roll Back wait for rollouts: `10m`, `90s`, `1h30m`. */
  get applyTimeout(): string {
    return this.raw.get<string>('apply.timeout', '10m');
  }

  get traceServer(): 'off' | 'messages' | 'verbose' {
    return this.raw.get<'off' | 'messages' | 'verbose'>('trace.server', 'off');
  }

  static affectsCodeLens(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SECTION}.codeLens.enabled`);
  }

  static affectsKubeconfig(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SECTION}.kubeconfig`);
  }

  /** Whether a change of configuration needs the server to hear about it. */
  static affectsServer(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(SECTION);
  }
}
