import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from '../../server/src/protocol/commands';
import { GenerateRequest } from '../../server/src/protocol/messages';
import { createClusterFeatures, type ClusterCommands } from './cluster/clusterCommands';
import type { Ctx, CtxInit } from './ctx';
import { pickPlan, planSummary } from './pickPlan';
import { REPORT_SCHEME, ReportDocuments } from './reportDocuments';
import { BudgetViews } from './budgetView';
import { BudgetStatus } from './budgetStatus';

type Cmd = (...args: any[]) => unknown;

/** What the handlers share: the providers made once at activation. */
export interface Features {
  reports: ReportDocuments;
  budgetViews: BudgetViews;
  cluster: ClusterCommands;
}

/**
 * One command of the table (rust-analyzer's `CommandFactory`). `trusted`: runs only in a trusted
 * workspace (it talks to a cluster or writes there); package.json gives these `isWorkspaceTrusted`
 * as enablement. `enabled` gets the started Ctx; `anyState` gets the Ctx whether or not the
 * language client runs (restart must work when the server is down).
 */
export type CommandFactory =
  | { trusted: boolean; enabled: (ctx: CtxInit, features: Features) => Cmd }
  | { trusted: boolean; anyState: (ctx: Ctx, features: Features) => Cmd };

/** Every command of the extension, by id: the compiler checks that each id of COMMANDS has one. */
export function createCommands(): Record<CommandId, CommandFactory> {
  return {
    [COMMANDS.showReport]: {
      trusted: false,
      enabled: (ctx, f) => (plan?: unknown) => showReport(ctx, f.reports, plan),
    },
    [COMMANDS.showBudget]: {
      trusted: false,
      enabled: (ctx, f) => async (plan?: unknown) => {
        const uri = await pickPlan(ctx, plan);
        if (uri) f.budgetViews.show(uri);
      },
    },
    [COMMANDS.generateMergedManifests]: {
      trusted: false,
      enabled: (ctx) => (plan?: unknown) => generateFromPalette(ctx, plan),
    },
    [COMMANDS.restartServer]: {
      trusted: false,
      anyState: (ctx) => async () => {
        await ctx.restart();
        void vscode.window.setStatusBarMessage('Consolidation language server restarted', 3000);
      },
    },
    [COMMANDS.openFile]: {
      trusted: false,
      anyState: () => async (uri: string) => {
        await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: false });
      },
    },
    [COMMANDS.previewPhase]: {
      trusted: true,
      enabled: (ctx, f) => (plan?: unknown, phase?: unknown) =>
        f.cluster.run(() => f.cluster.preview(ctx, plan, phase)),
    },
    [COMMANDS.applyPhase]: {
      trusted: true,
      enabled: (ctx, f) => (plan?: unknown, phase?: unknown) => f.cluster.run(() => f.cluster.apply(ctx, plan, phase)),
    },
    [COMMANDS.rollbackPhase]: {
      trusted: true,
      enabled: (ctx, f) => (plan?: unknown, phase?: unknown) =>
        f.cluster.run(() => f.cluster.rollback(ctx, plan, phase)),
    },
    [COMMANDS.importClusterState]: {
      trusted: true,
      enabled: (_ctx, f) => () => f.cluster.run(() => f.cluster.importState()),
    },
    [COMMANDS.selectContext]: {
      trusted: true,
      enabled: (_ctx, f) => () => f.cluster.run(() => f.cluster.selectContext()),
    },
    [COMMANDS.recordUsage]: {
      trusted: true,
      enabled: (ctx, f) => (plan?: unknown) => f.cluster.run(() => f.cluster.recordUsage(ctx, plan)),
    },
    [COMMANDS.verifyPhase]: {
      trusted: true,
      enabled: (ctx, f) => (plan?: unknown, phase?: unknown) => f.cluster.run(() => f.cluster.verify(ctx, plan, phase)),
    },
  };
}

/** Makes the shared providers and registers every command of the table. */
export function registerCommands(ctx: Ctx): void {
  const reports = new ReportDocuments(ctx);
  const budgetViews = new BudgetViews(ctx);
  const features: Features = { reports, budgetViews, cluster: createClusterFeatures(ctx) };
  ctx.push(
    reports,
    budgetViews,
    new BudgetStatus(ctx),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
  );
  for (const [id, factory] of Object.entries(createCommands())) {
    ctx.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        if (factory.trusted && !vscode.workspace.isTrusted) {
          void vscode.window.showErrorMessage(
            'Consolidation cluster commands are disabled in untrusted workspaces: trust this workspace to preview, apply or roll back phases.',
          );
          return;
        }
        if ('anyState' in factory) return factory.anyState(ctx, features)(...args);
        return factory.enabled(await ctx.ready(), features)(...args);
      }),
    );
  }
}

/** undefined: merged manifests (yaml); a string: a Kustomize overlay over that source; null: cancelled. */
async function pickOverlayBase(kustomizeSources: string[]): Promise<string | undefined | null> {
  if (kustomizeSources.length === 0) return undefined;
  const format = await vscode.window.showQuickPick(
    [
      {
        label: 'yaml',
        description: 'the merged manifests of a phase',
        detail: 'One file per merge under the generated directory.',
        overlay: false,
      },
      {
        label: 'kustomize-overlay',
        description: `a Kustomize overlay per phase over ${kustomizeSources.length === 1 ? kustomizeSources[0] : "one of the plan's Kustomize sources"}`,
        detail:
          'As consolidate render --format kustomize-overlay writes it: new workloads as resources, every change as a patch.',
        overlay: true,
      },
    ],
    { placeHolder: 'Generate merged manifests as…' },
  );
  if (!format) return null;
  if (!format.overlay) return undefined;
  if (kustomizeSources.length === 1) return kustomizeSources[0];
  return (
    (await vscode.window.showQuickPick(kustomizeSources, {
      placeHolder: 'The overlay builds on which Kustomize source?',
    })) ?? null
  );
}

async function showReport(ctx: CtxInit, reports: ReportDocuments, plan: unknown): Promise<void> {
  const uri = await pickPlan(ctx, plan);
  if (!uri) return;
  const report = await reports.load(uri);
  if (!report) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(uri)} could not be read as a plan.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(report);
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

/**
 * The palette form of the code action: pick a plan and a phase, then apply the server's edit. A plan
 * with Kustomize sources is also offered a Kustomize overlay over one of them (what `consolidate
 * render --format kustomize-overlay` writes, made by the server with the same code).
 */
async function generateFromPalette(ctx: CtxInit, given: unknown): Promise<void> {
  const uri = await pickPlan(ctx, given);
  if (!uri) return;
  const client = ctx.languageClient;
  const summary = await planSummary(ctx, uri);
  const overlay = await pickOverlayBase(summary?.kustomizeSources ?? []);
  if (overlay === null) return;
  const phases = summary?.phases.filter((p) => overlay !== undefined || p.merges.length > 0) ?? [];
  if (phases.length === 0) {
    void vscode.window.showInformationMessage(
      overlay === undefined ? 'This plan has no merges to generate.' : 'This plan has no phases.',
    );
    return;
  }
  const describe = (p: (typeof phases)[number]) =>
    overlay === undefined ? p.merges.join(', ') : `the overlays of phases 1 to ${phases.indexOf(p) + 1}`;
  const phase =
    phases.length === 1
      ? phases[0]
      : (await vscode.window.showQuickPick(phases.map((p) => ({ label: p.name, description: describe(p), phase: p }))))
          ?.phase;
  if (!phase) return;
  const result = await client.sendRequest(GenerateRequest, {
    planUri: uri.toString(),
    phase: phase.name,
    ...(overlay === undefined ? {} : { format: 'kustomize-overlay' as const, base: overlay }),
  });
  if ('reason' in result) {
    void vscode.window.showErrorMessage(`Not generated: ${result.reason}`);
    return;
  }
  // As a refactoring, so VS Code saves the files as it does for the light bulb's action.
  await vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(result.edit), {
    isRefactoring: true,
  });
  await vscode.window.showTextDocument(vscode.Uri.parse(result.open), { preview: false });
}
