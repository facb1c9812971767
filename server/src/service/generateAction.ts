import type { CodeAction, TextDocumentEdit, CreateFile } from 'vscode-languageserver-types';
import { generatedFiles } from '../engine/render/generate';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { LineIndex } from '../engine/yaml/lineIndex';
import { GENERATE_KIND, OPEN_FILE_COMMAND, type GenerateActionData } from '../protocol/messages';
import { contains } from './positions';
import { pathToUri } from './uris';

/**
 * "Generate merged manifests" on a merge (that merge) or on a phase name (each of its merges). Listed
 * cheaply; the edit is computed in codeAction/resolve so the light bulb stays instant.
 */
export function generateActions(workspace: ConsolidationWorkspace, planFile: string, planUri: string, range: { start: number; end: number }, directory: string): CodeAction[] {
  const plan = workspace.planModel(planFile);
  if (!plan) return [];
  const actions: CodeAction[] = [];
  for (const phase of plan.phases) {
    if (phase.merge.length === 0) continue;
    const onPhase = contains(phase.nameLocation.range, range.start);
    for (const merge of phase.merge) {
      const onMerge = merge.name && (contains(merge.nameLocation.range, range.start) || contains(merge.location.range, range.start));
      if (onMerge && !onPhase) actions.push(action(`Generate merged manifests for ${merge.name}`, { kind: 'generate', planUri, phase: phase.name, merge: merge.name }));
    }
    if (onPhase) actions.push(action(`Generate merged manifests for phase ${phase.name} (${phase.merge.length} merge${phase.merge.length === 1 ? '' : 's'})`, { kind: 'generate', planUri, phase: phase.name }));
  }
  return actions.map((a) => withFeasibility(workspace, planFile, a, directory));
}

function action(title: string, data: GenerateActionData): CodeAction {
  return { title, kind: GENERATE_KIND, data };
}

/** Refuses up front, with the reason, when regenerating would overwrite what the user wrote. */
function withFeasibility(workspace: ConsolidationWorkspace, planFile: string, codeAction: CodeAction, directory: string): CodeAction {
  const data = codeAction.data as GenerateActionData;
  const refused = generatedFiles(workspace, planFile, { directory, phase: data.phase, merge: data.merge }).find((f) => !f.update.ok);
  if (refused && !refused.update.ok) return { ...codeAction, disabled: { reason: `${refused.file} ${refused.update.reason}` } };
  return codeAction;
}

export function isGenerateData(data: unknown): data is GenerateActionData {
  return !!data && typeof data === 'object' && (data as GenerateActionData).kind === 'generate' && typeof (data as GenerateActionData).phase === 'string';
}

/** One workspace edit (undoable as one step): create or update a file per merge, then open the first. */
export function resolveGenerate(workspace: ConsolidationWorkspace, planFile: string, codeAction: CodeAction, directory: string): CodeAction {
  const data = codeAction.data as GenerateActionData;
  const files = generatedFiles(workspace, planFile, { directory, phase: data.phase, merge: data.merge });
  const documentChanges: (CreateFile | TextDocumentEdit)[] = [];
  for (const file of files) {
    if (!file.update.ok) return { ...codeAction, disabled: { reason: `${file.file} ${file.update.reason}` } };
    const uri = pathToUri(file.file);
    if (file.existing === undefined) documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
    const end = file.existing === undefined ? { line: 0, character: 0 } : new LineIndex(file.existing).positionAt(file.existing.length);
    documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: file.update.text }] });
  }
  return {
    ...codeAction,
    edit: { documentChanges },
    command: files[0] ? { title: 'Open generated manifests', command: OPEN_FILE_COMMAND, arguments: [pathToUri(files[0].file)] } : undefined,
  };
}
