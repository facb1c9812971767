import * as vscode from 'vscode';
import { connect, readKubeconfig, type KubeClusterApi } from '../../../server/src/cluster/kubeClusterApi';
import { COMMANDS } from '../../../server/src/protocol/commands';
import { Config } from '../config';
import type { Ctx } from '../ctx';
import { PLAN_LANGUAGE } from '../ctx';

const CONTEXT_KEY = 'consolidation.cluster.context';
const NAMESPACE_KEY = 'consolidation.cluster.namespace';

/**
 * The kubeconfig context and namespace the cluster commands use (chosen per workspace), shown in
 * the status bar while a plan is open. The kubeconfig path is the `consolidation.kubeconfig` setting.
 */
export class ClusterState implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** The kubeconfig's current-context, read for display when none was chosen. */
  private defaultContext: string | undefined;
  /** Read once a plan is shown (not at activation: loading client-node costs time). */
  private read = false;

  constructor(private readonly ctx: Ctx) {
    this.item = vscode.window.createStatusBarItem('consolidation.cluster', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Consolidation: Kubernetes context';
    this.item.command = COMMANDS.selectContext;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Config.affectsKubeconfig(e)) void this.refresh();
      }),
    );
    this.update();
  }

  get context(): string | undefined {
    return this.ctx.extension.workspaceState.get<string>(CONTEXT_KEY);
  }

  get namespace(): string | undefined {
    return this.ctx.extension.workspaceState.get<string>(NAMESPACE_KEY);
  }

  async select(context: string | undefined, namespace: string | undefined): Promise<void> {
    await this.ctx.extension.workspaceState.update(CONTEXT_KEY, context);
    await this.ctx.extension.workspaceState.update(NAMESPACE_KEY, namespace);
    this.update();
  }

  /** A ClusterApi on the chosen context, through client-node. */
  connect(): Promise<KubeClusterApi> {
    return connect({
      kubeconfig: this.ctx.config.kubeconfig || undefined,
      context: this.context,
      namespace: this.namespace,
      onRetry: (message) => this.ctx.output.warn(message),
    });
  }

  private async refresh(): Promise<void> {
    this.read = true;
    // Reading the kubeconfig runs nothing (exec plugins run on requests), but only a trusted workspace gets cluster commands.
    if (vscode.workspace.isTrusted) {
      try {
        this.defaultContext = (await readKubeconfig({ kubeconfig: this.ctx.config.kubeconfig || undefined })).current;
      } catch {
        this.defaultContext = undefined;
      }
    }
    this.update();
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!vscode.workspace.isTrusted || editor?.document.languageId !== PLAN_LANGUAGE) {
      this.item.hide();
      return;
    }
    if (!this.read) {
      void this.refresh();
      return;
    }
    const context = this.context ?? this.defaultContext;
    this.item.text = `$(cloud) ${context ?? 'no context'}${this.namespace ? ` · ${this.namespace}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(
      `Kubernetes context for **Consolidation** cluster commands: ${context ? `\`${context}\`` : 'none'}${this.context ? '' : " (the kubeconfig's current-context)"}` +
        `${this.namespace ? `, namespace \`${this.namespace}\` for objects that name none` : ''}.\n\nClick to choose another.`,
    );
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
