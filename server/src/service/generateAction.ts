import type { CodeAction, TextDocumentEdit, CreateFile } from 'vscode-languageserver-types';
import { generatedFiles } from '../engine/workspace/generate';
import { unpullableImages } from '../engine/render/imageCheck';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { LineIndex } from '../engine/yaml/lineIndex';
import {
  GENERATE_KIND,
  OPEN_FILE_COMMAND,
  type GenerateActionData,
  type GenerateParams,
  type GenerateResult,
} from '../protocol/messages';
import { generateOverlayEdit } from './generateOverlay';
import { contains } from './positions';
import { pathToUri } from './uris';

/**
 * "Generate merged manifests" on a merge (that merge) or on a phase name (each of its merges). Listed
 * cheaply; the edit is computed in codeAction/resolve so the light bulb stays instant.
 */
export function generateActions(
  workspace: ConsolidationWorkspace,
  planFile: string,
  planUri: string,
  range: { start: number; end: number },
  directory: string,
): CodeAction[] {
  const plan = workspace.planModel(planFile);
  if (!plan) return [];
  const actions: CodeAction[] = [];
  for (const phase of plan.phases) {
    if (phase.merge.length === 0) continue;
    const onPhase = contains(phase.nameLocation.range, range.start);
    for (const merge of phase.merge) {
      const onMerge =
        merge.name && (contains(merge.nameLocation.range, range.start) || contains(merge.location.range, range.start));
      if (onMerge && !onPhase)
        actions.push(
          action(`Generate merged manifests for ${merge.name}`, {
            kind: 'generate',
            planUri,
            phase: phase.name,
            merge: merge.name,
          }),
        );
    }
    if (onPhase)
      actions.push(
        action(
          `Generate merged manifests for phase ${phase.name} (${phase.merge.length} merge${phase.merge.length === 1 ? '' : 's'})`,
          { kind: 'generate', planUri, phase: phase.name },
        ),
      );
  }
  return actions.map((a) => withFeasibility(workspace, planFile, a, directory));
}

function action(title: string, data: GenerateActionData): CodeAction {
  return { title, kind: GENERATE_KIND, data };
}

/** Refuses up front, with the reason: the merge's references must resolve, and regenerating must not overwrite what the user wrote. */
function withFeasibility(
  workspace: ConsolidationWorkspace,
  planFile: string,
  codeAction: CodeAction,
  directory: string,
): CodeAction {
  const data = codeAction.data as GenerateActionData;
  const reason = refusal(workspace, planFile, data, directory);
  return reason ? { ...codeAction, disabled: { reason } } : codeAction;
}

function refusal(
  workspace: ConsolidationWorkspace,
  planFile: string,
  data: GenerateParams,
  directory: string,
): string | undefined {
  const result = workspace.plan(planFile);
  const phase = result?.plan.phases.find((p) => p.name === data.phase);
  if (!result || !phase) return `the plan has no phase ${data.phase}`;
  for (const merge of phase.merge.filter((m) => data.merge === undefined || m.name === data.merge)) {
    const unresolved = result.analysis.references.filter(
      (f) =>
        f.phase === phase.name &&
        f.role === 'merge' &&
        f.resolution.status !== 'found' &&
        merge.from.some((r) => r.location.range.start === f.ref.location.range.start),
    );
    if (unresolved.length > 0)
      return `merge ${merge.name} refers to ${unresolved.map((f) => `"${f.ref.text}"`).join(', ')}, which ${unresolved.length === 1 ? 'is' : 'are'} not a workload it can merge: fix the plan first`;
  }
  const merges = workspace.render(planFile)?.phases.find((p) => p.phase.name === phase.name)?.merges ?? [];
  const unpullable = unpullableImages(
    merges.filter((m) => data.merge === undefined || m.merge.name === data.merge).flatMap((m) => m.objects),
  );
  if (unpullable.length > 0)
    return `${unpullable[0]}${unpullable.length > 1 ? ` (and ${unpullable.length - 1} more)` : ''}: fix the image first`;
  const refused = generatedFiles(workspace, planFile, { directory, phase: data.phase, merge: data.merge }).find(
    (f) => !f.update.ok,
  );
  return refused && !refused.update.ok ? `${refused.file} ${refused.update.reason}` : undefined;
}

export function isGenerateData(data: unknown): data is GenerateActionData {
  return (
    !!data &&
    typeof data === 'object' &&
    (data as GenerateActionData).kind === 'generate' &&
    typeof (data as GenerateActionData).phase === 'string'
  );
}

/** The workspace edit (undoable as one step) that creates or updates a file per merge, or why there is none. */
export function generateEdit(
  workspace: ConsolidationWorkspace,
  planFile: string,
  params: GenerateParams,
  directory: string,
): GenerateResult {
  if (params.format === 'kustomize-overlay') return generateOverlayEdit(workspace, planFile, params, directory);
  const reason = refusal(workspace, planFile, params, directory);
  if (reason) return { reason };
  const files = generatedFiles(workspace, planFile, { directory, phase: params.phase, merge: params.merge });
  if (files.length === 0) return { reason: `phase ${params.phase} has no merge to generate` };
  const documentChanges: (CreateFile | TextDocumentEdit)[] = [];
  for (const file of files) {
    if (!file.update.ok) return { reason: `${file.file} ${file.update.reason}` };
    const uri = pathToUri(file.file);
    if (!file.onDisk) documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
    const end =
      file.existing === undefined
        ? { line: 0, character: 0 }
        : new LineIndex(file.existing).positionAt(file.existing.length);
    documentChanges.push({
      textDocument: { uri, version: null },
      edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: file.update.text }],
    });
  }
  return { edit: { documentChanges }, open: pathToUri(files[0].file) };
}

/** codeAction/resolve: the same edit, then open the first file. */
export function resolveGenerate(
  workspace: ConsolidationWorkspace,
  planFile: string,
  codeAction: CodeAction,
  directory: string,
): CodeAction {
  const result = generateEdit(workspace, planFile, codeAction.data as GenerateActionData, directory);
  if ('reason' in result) return { ...codeAction, disabled: { reason: result.reason } };
  return {
    ...codeAction,
    edit: result.edit,
    command: { title: 'Open generated manifests', command: OPEN_FILE_COMMAND, arguments: [result.open] },
  };
}
