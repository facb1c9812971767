import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  applyPhase,
  laterRecordStores,
  namespacesOf,
  recordStoreFor,
  type ApplyEvent,
  type ApplyOutcome,
} from '../../../server/src/cluster/applyPhase';
import { describeRef } from '../../../server/src/cluster/clusterApi';
import { parseDuration } from '../../../server/src/cluster/duration';
import { ClusterError } from '../../../server/src/cluster/errors';
import { importCluster } from '../../../server/src/cluster/importCluster';
import { readKubeconfig, type KubeClusterApi } from '../../../server/src/cluster/kubeClusterApi';
import { loadPhase, PlanError, type LoadedPhase } from '../../../server/src/cluster/phasePlan';
import { previewPhase } from '../../../server/src/cluster/preview';
import { rollbackPhase, type RollbackOutcome } from '../../../server/src/cluster/rollback';
import { KrrError, recordUsage, RecordUsageError, type UsageFrom } from '../../../server/src/cluster/recordUsage';
import { PrometheusError } from '../../../server/src/cluster/usagePrometheus';
import { parseUsageDuration } from '../../../server/src/engine/quantity/duration';
import { roleAction } from '../../../server/src/engine/render/roleText';
import { formatVerifyText, verifyPhase } from '../../../server/src/cluster/verifyPhase';
import { COMMANDS } from '../../../server/src/protocol/commands';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { ToolRenderer } from '../../../server/src/tools/toolRenderer';
import type { SeveritySetting } from '../../../server/src/engine/rules/types';
import type { Ctx, CtxInit } from '../ctx';
import { PLAN_LANGUAGE } from '../ctx';
import { pickPlan, planSummary } from '../pickPlan';
import { ClusterState } from './clusterState';
import { PhaseCodeLens } from './phaseCodeLens';
import { LIVE_SCHEME, PreviewDocuments, RESULT_SCHEME } from './previewDocuments';

/**
 * The providers the cluster commands need (context status, preview documents, phase code lens),
 * registered on the Ctx; the commands themselves are in the table of ../commands.ts.
 */
export function createClusterFeatures(ctx: Ctx): ClusterCommands {
  const state = new ClusterState(ctx);
  const previews = new PreviewDocuments();
  const commands = new ClusterCommands(ctx, state, previews);
  const lenses = new PhaseCodeLens(ctx);
  ctx.push(
    state,
    previews,
    lenses,
    vscode.workspace.registerTextDocumentContentProvider(LIVE_SCHEME, previews),
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, previews),
    vscode.languages.registerCodeLensProvider({ language: PLAN_LANGUAGE, scheme: 'file' }, lenses),
    commands.verifyDiagnostics,
  );
  return commands;
}

/** Preview, Apply, Roll Back, Verify, Import, Record Usage and Select Context: everything that talks to a cluster. */
export class ClusterCommands {
  /** Failed verify lines, on the phase's name in the plan (cleared by the next verify of that plan). */
  readonly verifyDiagnostics = vscode.languages.createDiagnosticCollection('consolidation-verify');

  constructor(
    private readonly ctx: Ctx,
    private readonly state: ClusterState,
    private readonly previews: PreviewDocuments,
  ) {}

  /** Runs a command (the table runs these in trusted workspaces only): cluster errors become messages, never stacks. */
  async run(command: () => Promise<void>): Promise<void> {
    try {
      await command();
    } catch (error) {
      const message =
        error instanceof ClusterError
          ? error.fullMessage
          : error instanceof PlanError ||
              error instanceof RecordUsageError ||
              error instanceof PrometheusError ||
              error instanceof KrrError
            ? error.message
            : `Unexpected error: ${(error as Error).message}`;
      this.ctx.output.error(message);
      const choice = await vscode.window.showErrorMessage(message, 'Show Output');
      if (choice) this.ctx.output.show(true);
    }
  }

  // ---- picking a plan and a phase ----------------------------------------------------------------

  /** Whether the plan is saved (the cluster commands read the file), after asking to save it if it is not. */
  private async saved(uri: vscode.Uri, verb: string): Promise<boolean> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!document?.isDirty) return true;
    const save = await vscode.window.showWarningMessage(
      `${path.basename(uri.fsPath)} has unsaved changes. ${verb} works on the saved plan.`,
      { modal: true },
      'Save and Continue',
    );
    return save === 'Save and Continue' && (await document.save());
  }

  /** The plan (saved: apply reads the file) and one of its phases, from the arguments or quick picks. */
  private async pickPhase(
    ctx: CtxInit,
    planArg: unknown,
    phaseArg: unknown,
    verb: string,
  ): Promise<LoadedPhase | undefined> {
    const uri = await pickPlan(ctx, planArg);
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new PlanError(`${uri.toString()}: only plans on disk can be applied.`);
    if (!(await this.saved(uri, verb))) return undefined;
    let phase = typeof phaseArg === 'string' ? phaseArg : undefined;
    if (!phase) {
      // The server's reading of the plan: the extension never parses a plan itself.
      const phases = (await planSummary(ctx, uri))?.phases ?? [];
      if (phases.length === 0) {
        void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} has no phases.`);
        return undefined;
      }
      const describe = (p: (typeof phases)[number]) =>
        [
          p.merges.length && `merge ${p.merges.join(', ')}`,
          p.removes && `remove ${p.removes}`,
          p.scales && `scale ${p.scales}`,
          p.resizes && `resize ${p.resizes}`,
        ]
          .filter(Boolean)
          .join(' · ');
      const picked = await vscode.window.showQuickPick(
        phases.map((p, i) => ({
          label: p.name,
          description: `phase ${i + 1}`,
          detail: describe(p) || 'targets only',
          name: p.name,
        })),
        { placeHolder: `${verb}: which phase of ${path.basename(uri.fsPath)}?` },
      );
      phase = picked?.name;
    }
    if (!phase) return undefined;
    const rules = this.ctx.config.serverSettings.rules as Record<string, SeveritySetting>;
    // The same bounds on the plan's sources as the language server applies.
    const sources = this.ctx.config.serverSettings.sources;
    const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
    const workspace = new ConsolidationWorkspace(nodeFileHost, {
      ...DEFAULT_OPTIONS,
      rules,
      sourceRoots: sources?.allowOutsideWorkspace || folders.length === 0 ? undefined : folders,
      sourceLimits: sources && { maxFiles: sources.maxFiles, maxBytes: Math.floor(sources.maxSizeMb * 1024 * 1024) },
    });
    // Kustomize and Helm sources rendered with the configured tools, as the language server does (trusted workspaces only).
    const tools = this.ctx.config.serverSettings.tools;
    const renderer = vscode.workspace.isTrusted
      ? new ToolRenderer({
          kustomize: tools?.kustomize,
          helm: tools?.helm,
          timeoutMs: tools?.timeoutSeconds ? tools.timeoutSeconds * 1000 : undefined,
        })
      : undefined;
    workspace.setSourceRenderer(renderer, () => folders);
    await workspace.renderSourcesOf([uri.fsPath]);
    return loadPhase(uri.fsPath, phase, { workspace });
  }

  private timeoutMs(): number | undefined {
    return parseDuration(this.ctx.config.applyTimeout) ?? undefined;
  }

  private where(api: KubeClusterApi, loaded: LoadedPhase): string {
    const namespaces = namespacesOf(api, loaded);
    return `Context: ${api.target.context}\nCluster: ${api.target.cluster} (${api.target.server})\nNamespace${namespaces.length === 1 ? '' : 's'}: ${namespaces.join(', ')}`;
  }

  private log(event: ApplyEvent): void {
    if (event.type === 'warning') this.ctx.output.warn(event.message);
    else this.ctx.output.info(event.message);
  }

  // ---- Preview -----------------------------------------------------------------------------------

  async preview(ctx: CtxInit, planArg: unknown, phaseArg: unknown): Promise<void> {
    const loaded = await this.pickPhase(ctx, planArg, phaseArg, 'Preview');
    if (!loaded) return;
    const api = await this.state.connect();
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Preview of phase ${loaded.phaseName} (dry run on ${api.target.context})`,
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: `dry-running ${loaded.render.objects.length} objects` });
        return previewPhase(api, loaded, { signal: controller.signal });
      },
    );
    if (result.problems.length) {
      void vscode.window.showWarningMessage(
        `Phase ${loaded.phaseName} cannot be applied to ${api.target.context} as it stands.`,
        { modal: true, detail: result.problems.join('\n\n') },
      );
      return;
    }
    if (result.entries.length === 0) {
      void vscode.window.showInformationMessage(`Phase ${loaded.phaseName} changes no object.`);
      return;
    }
    if (result.budget.length) {
      this.ctx.output.info(`Budget after phase ${loaded.phaseName} (before → after):`);
      for (const line of result.budget) this.ctx.output.info(`  ${line}`);
      void vscode.window
        .showInformationMessage(
          `Budget after phase ${loaded.phaseName}: ${result.budget.slice(0, 2).join('; ')}`,
          'Show All',
        )
        .then((choice) => {
          if (choice) this.ctx.output.show();
        });
    }
    // The short diffs (re-pointed Services, scale-downs) first; the new workloads, all additions, last.
    const docs = this.previews.add([...result.entries.filter((e) => e.live), ...result.entries.filter((e) => !e.live)]);
    const title = `Phase ${loaded.phaseName}: live ↔ after (dry run on ${api.target.context})`;
    try {
      await vscode.commands.executeCommand(
        'vscode.changes',
        title,
        docs.map((d) => [d.result, d.live, d.result]),
      );
    } catch {
      // No multi-diff editor: one diff editor per object.
      for (const d of docs) {
        await vscode.commands.executeCommand(
          'vscode.diff',
          d.live,
          d.result,
          `${describeRef(d.entry.ref)}: live ↔ after ${loaded.phaseName}`,
          { preview: false },
        );
      }
    }
  }

  // ---- Apply -------------------------------------------------------------------------------------

  async apply(ctx: CtxInit, planArg: unknown, phaseArg: unknown): Promise<void> {
    const loaded = await this.pickPhase(ctx, planArg, phaseArg, 'Apply');
    if (!loaded) return;
    if (loaded.errors.length) {
      const choice = await vscode.window.showErrorMessage(
        `Phase ${loaded.phaseName} cannot be applied: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in the plan or the manifests it touches. Budget findings do not block a phase.`,
        { modal: true, detail: loaded.errors.slice(0, 10).join('\n') },
        'Show Problems',
      );
      if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return;
    }
    const api = await this.state.connect();
    const roles = loaded.render.objects.map((o) => roleAction(o.role, `${o.object.kind} ${o.object.metadata.name}`));
    const confirmed = await vscode.window.showWarningMessage(
      `Apply phase "${loaded.phaseName}" of plan "${loaded.planName}" to ${api.target.context}?`,
      {
        modal: true,
        detail: `${this.where(api, loaded)}\n\nIt will:\n${roles.map((r) => `• ${r}`).join('\n')}${loaded.budget.length ? `\n\nBudget (before → after):\n${loaded.budget.map((l) => `• ${l}`).join('\n')}` : ''}${loaded.controllerWarnings.length ? `\n\n⚠ ${loaded.controllerWarnings.join('\n⚠ ')}` : ''}\n\nThe current state is recorded first (.consolidation/ beside the plan, and a ConfigMap), so the phase can be rolled back. Old workloads are scaled down only after the new ones are ready.`,
      },
      'Apply',
    );
    if (confirmed !== 'Apply') return;
    if (!vscode.workspace.isTrusted) return;
    this.ctx.output.info(
      `Applying phase ${loaded.phaseName} of ${loaded.planFile} to context ${api.target.context} (${api.target.server})`,
    );
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Applying phase ${loaded.phaseName}`,
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return applyPhase({
          api,
          loaded,
          signal: controller.signal,
          timeoutMs: this.timeoutMs(),
          onProgress: (event) => {
            this.log(event);
            if (event.type !== 'done') progress.report({ message: event.message });
          },
          onConflict: async (error) => {
            const owners = [...new Set(error.conflicts.map((c) => c.manager))].join(', ');
            const choice = await vscode.window.showWarningMessage(
              `Fields of the workload this phase creates are owned by ${owners}.`,
              {
                modal: true,
                detail: `${error.message}\n\nForce makes consolidation-plans the owner of these fields; ${owners} may change them back the next time it runs. Cancel stops here, with the old workloads still serving.`,
              },
              'Force',
            );
            return choice === 'Force' ? 'force' : 'stop';
          },
        });
      },
    );
    await this.showApplyOutcome(outcome, loaded);
  }

  private async showApplyOutcome(outcome: ApplyOutcome, loaded: LoadedPhase): Promise<void> {
    const summary = [
      `# ${outcome.message.split('\n')[0]}`,
      '',
      ...(outcome.changes.length ? ['## Changes', '', ...outcome.changes.map((c) => `- ${c}`), ''] : []),
      ...(outcome.done.length ? ['## Done', '', ...outcome.done.map((d) => `- ${d}`), ''] : []),
      ...(outcome.notDone.length ? ['## Not done', '', ...outcome.notDone.map((d) => `- ${d}`), ''] : []),
      ...(outcome.warnings.length ? ['## Warnings', '', ...outcome.warnings.map((d) => `- ${d}`), ''] : []),
      ...(outcome.recordLocation ? [`Record: ${outcome.recordLocation}`, ''] : []),
    ].join('\n');
    for (const line of summary.split('\n')) if (line) this.ctx.output.info(line);
    const showSummary = async () => {
      const document = await vscode.workspace.openTextDocument({ content: summary, language: 'markdown' });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    };
    if (outcome.status === 'applied') {
      const verify = () =>
        vscode.commands.executeCommand(COMMANDS.verifyPhase, vscode.Uri.file(loaded.planFile), loaded.phaseName);
      const choice = await vscode.window.showInformationMessage(outcome.message, 'Show Summary', 'Verify Phase');
      if (choice === 'Verify Phase') await verify();
      if (choice !== 'Show Summary') return;
      await showSummary();
      // Reading the summary is not the end of the loop: verifying that the phase held is the next
      // step. Offered without waiting for an answer (Apply is done).
      void vscode.window
        .showInformationMessage(`Next: verify that phase ${loaded.phaseName} held on the cluster.`, 'Verify Phase')
        .then((next) => (next === 'Verify Phase' ? verify() : undefined));
      return;
    }
    if (outcome.status === 'refused') {
      const [first, ...rest] = outcome.message.split('\n');
      void vscode.window.showErrorMessage(first, { modal: true, detail: rest.map((l) => l.trim()).join('\n') });
      return;
    }
    const actions = outcome.changed ? ['Roll Back', 'Show Summary'] : ['Show Summary'];
    const choice = await vscode.window.showErrorMessage(outcome.message, ...actions);
    if (choice === 'Show Summary') await showSummary();
    if (choice === 'Roll Back')
      await vscode.commands.executeCommand(COMMANDS.rollbackPhase, vscode.Uri.file(loaded.planFile), loaded.phaseName);
  }

  // ---- Roll back ---------------------------------------------------------------------------------

  async rollback(ctx: CtxInit, planArg: unknown, phaseArg: unknown): Promise<void> {
    const loaded = await this.pickPhase(ctx, planArg, phaseArg, 'Roll back');
    if (!loaded) return;
    const api = await this.state.connect();
    const store = recordStoreFor(api, loaded);
    const found = await store.load();
    if (!found) {
      void vscode.window.showWarningMessage(
        `There is no apply record of phase ${loaded.phaseName} (looked for ${store.describe()}): nothing to roll back.`,
      );
      return;
    }
    const record = found.record;
    const restores = record.objects.filter((o) => o.existed).map((o) => `restore ${o.ref.kind} ${o.ref.name}`);
    const deletes = record.objects
      .filter((o) => !o.existed && o.role === 'created')
      .map((o) => `delete ${o.ref.kind} ${o.ref.name} (created by the apply)`);
    const confirmed = await vscode.window.showWarningMessage(
      `Roll back phase "${loaded.phaseName}" of plan "${loaded.planName}" on ${api.target.context}?`,
      {
        modal: true,
        detail: `${this.where(api, loaded)}\n\nRecorded ${record.startedAt} on ${record.context} (status: ${record.status}). It will:\n${[...restores, ...deletes].map((r) => `• ${r}`).join('\n')}\n\nNothing is deleted except what this tool created.`,
      },
      'Roll Back',
    );
    if (confirmed !== 'Roll Back' || !vscode.workspace.isTrusted) return;
    const outcome: RollbackOutcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Rolling back phase ${loaded.phaseName}`,
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return rollbackPhase({
          api,
          store,
          later: laterRecordStores(api, loaded),
          signal: controller.signal,
          timeoutMs: this.timeoutMs(),
          onProgress: (event) => {
            this.log(event);
            if (event.type !== 'done') progress.report({ message: event.message });
          },
        });
      },
    );
    for (const line of [...outcome.done, ...outcome.notDone.map((n) => `not done: ${n}`), ...outcome.warnings])
      this.ctx.output.info(line);
    if (outcome.status === 'rolled-back' && outcome.notDone.length === 0)
      void vscode.window.showInformationMessage(outcome.message);
    else if (
      (await vscode.window.showErrorMessage(
        `${outcome.message}${outcome.notDone.length ? ` Not done: ${outcome.notDone.join('; ')}.` : ''}`,
        'Show Output',
      )) === 'Show Output'
    )
      this.ctx.output.show(true);
  }

  // ---- Import --------------------------------------------------------------------------------------

  async importState(): Promise<void> {
    const api = await this.state.connect();
    const namespace = await vscode.window.showInputBox({
      title: `Import Cluster State from ${api.target.context}`,
      prompt: 'Namespace to import (its Deployments, StatefulSets and Services; never Secrets or ConfigMaps)',
      value: api.target.namespace,
      validateInput: (v) =>
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) ? undefined : 'A namespace name: lowercase letters, digits and -',
    });
    if (!namespace) return;
    const folders = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: 'Import Here',
      title: `Folder for the manifests and the plan of ${namespace}`,
    });
    if (!folders?.[0]) return;
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Importing ${namespace} from ${api.target.context}`,
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return importCluster({
          api,
          namespace,
          outDir: folders[0].fsPath,
          signal: controller.signal,
          onProgress: (message) => progress.report({ message }),
        });
      },
    );
    for (const warning of result.warnings) this.ctx.output.warn(warning);
    await vscode.window.showTextDocument(vscode.Uri.file(result.planFile));
    void vscode.window.showInformationMessage(
      `Imported ${result.workloads} workloads and ${result.services} Services of ${namespace}; budget from ${result.nodes} nodes${result.metrics ? ', usage from metrics' : ''}.${result.warnings.length ? ` ${result.warnings.join(' ')}` : ''}`,
    );
  }

  // ---- Verify ------------------------------------------------------------------------------------

  /** The live cluster against the plan's state after a phase: a checklist beside the plan, failures on the phase. */
  async verify(ctx: CtxInit, planArg: unknown, phaseArg: unknown): Promise<void> {
    const loaded = await this.pickPhase(ctx, planArg, phaseArg, 'Verify');
    if (!loaded) return;
    const api = await this.state.connect();
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Verifying phase ${loaded.phaseName} on ${api.target.context}`,
        cancellable: true,
      },
      async (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return verifyPhase({ api, loaded, signal: controller.signal });
      },
    );
    const uri = vscode.Uri.file(loaded.planFile);
    const phase = (await planSummary(ctx, uri))?.phases.find((p) => p.name === loaded.phaseName);
    const range = phase
      ? ctx.languageClient.protocol2CodeConverter.asRange(phase.nameRange)
      : new vscode.Range(0, 0, 0, 0);
    this.verifyDiagnostics.set(
      uri,
      result.lines
        .filter((l) => l.status === 'fail')
        .map((l) =>
          Object.assign(new vscode.Diagnostic(range, `verify: ${l.message}`, vscode.DiagnosticSeverity.Warning), {
            source: 'consolidation',
            code: `verify/${l.check}`,
          }),
        ),
    );
    const text = formatVerifyText(result);
    for (const line of text.split('\n')) if (line) this.ctx.output.info(line);
    const report = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(report, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    const failed = result.lines.filter((l) => l.status === 'fail').length;
    if (failed)
      void vscode.window.showWarningMessage(
        `Phase ${loaded.phaseName}: ${failed} verify check${failed === 1 ? '' : 's'} failed.`,
      );
    else void vscode.window.showInformationMessage(`Phase ${loaded.phaseName} verified: every check holds.`);
  }

  // ---- Record Usage --------------------------------------------------------------------------------

  /** Measures the plan's workloads (metrics-server, Prometheus) or imports krr's output into the plan's usage snapshot. */
  async recordUsage(ctx: CtxInit, planArg: unknown): Promise<void> {
    const uri = await pickPlan(ctx, planArg);
    if (!uri || uri.scheme !== 'file') return;
    // The snapshot goes where the saved plan's spec.usage says, for the workloads it names.
    if (!(await this.saved(uri, 'Record Usage'))) return;
    const source = await vscode.window.showQuickPick(
      [
        {
          label: 'metrics-server',
          detail: 'Sample metrics.k8s.io on the selected context for a few minutes',
          source: 'metrics-server' as const,
        },
        {
          label: 'Prometheus',
          detail: 'Days of cAdvisor series from a Prometheus server (query_range)',
          source: 'prometheus' as const,
        },
        { label: 'krr', detail: "Import krr's JSON output (krr simple -f json)", source: 'krr' as const },
      ],
      { title: `Record usage for ${path.basename(uri.fsPath)}`, placeHolder: 'Where the usage comes from' },
    );
    if (!source) return;
    let from: UsageFrom | undefined;
    if (source.source === 'metrics-server') {
      const duration = await vscode.window.showInputBox({
        title: 'Sample for how long?',
        value: '5m',
        validateInput: (v) => (parseDuration(v) ? undefined : 'A duration such as 5m or 90s'),
      });
      if (!duration) return;
      from = {
        kind: 'metrics-server',
        api: await this.state.connect(),
        intervalMs: 30_000,
        durationMs: parseDuration(duration)!,
      };
    } else if (source.source === 'prometheus') {
      const url = await vscode.window.showInputBox({
        title: 'Prometheus URL',
        placeHolder: 'http://prometheus.monitoring:9090',
        validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http(s) URL'),
      });
      if (!url) return;
      const window = await vscode.window.showInputBox({
        title: 'Over which window?',
        value: '7d',
        validateInput: (v) => (parseUsageDuration(v) ? undefined : 'A duration such as 7d, 12h or 2w'),
      });
      if (!window) return;
      from = { kind: 'prometheus', url, windowMs: parseUsageDuration(window)! };
    } else {
      const files = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'krr JSON': ['json'] },
        defaultUri: vscode.Uri.file(path.dirname(uri.fsPath)),
        openLabel: 'Import',
      });
      if (!files?.[0]) return;
      from = { kind: 'krr', file: files[0].fsPath };
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Recording usage (${source.label})`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return recordUsage({
          planPath: uri.fsPath,
          from: from!,
          signal: controller.signal,
          onProgress: (message) => progress.report({ message }),
        });
      },
    );
    for (const note of result.notes) this.ctx.output.info(note);
    const missing = result.missing.length ? ` No usage for ${result.missing.join(', ')}.` : '';
    const hint = result.planReadsIt
      ? ''
      : ` Add \`usage: ${path.relative(path.dirname(uri.fsPath), result.file).split(path.sep).join('/')}\` to the plan's spec to use it.`;
    const open = await vscode.window.showInformationMessage(
      `Wrote ${path.basename(result.file)}: ${result.workloads} workloads, ${result.containers} containers.${missing}${hint}`,
      'Open Snapshot',
    );
    if (open) await vscode.window.showTextDocument(vscode.Uri.file(result.file));
  }

  // ---- Select Context ------------------------------------------------------------------------------

  async selectContext(): Promise<void> {
    const summary = await readKubeconfig({ kubeconfig: this.ctx.config.kubeconfig || undefined });
    if (summary.contexts.length === 0)
      throw new ClusterError('config', `The kubeconfig (${summary.files.join(', ')}) has no contexts.`);
    const picked = await vscode.window.showQuickPick(
      summary.contexts.map((c) => ({
        label: c.name,
        description: `${c.cluster}${c.namespace ? ` · ${c.namespace}` : ''}${c.name === summary.current ? ' · current-context' : ''}`,
        detail: c.server,
        picked: c.name === (this.state.context ?? summary.current),
        context: c,
      })),
      {
        title: 'Kubernetes context for the Consolidation cluster commands',
        placeHolder: `From ${summary.files.join(', ')}`,
      },
    );
    if (!picked) return;
    const namespace = await vscode.window.showInputBox({
      title: `Namespace on ${picked.context.name}`,
      prompt: "For objects whose manifests and plan name no namespace. Empty: the context's namespace, else default.",
      value: this.state.context === picked.context.name ? (this.state.namespace ?? '') : '',
      placeHolder: picked.context.namespace ?? 'default',
    });
    if (namespace === undefined) return;
    await this.state.select(picked.context.name, namespace.trim() || undefined);
  }
}
