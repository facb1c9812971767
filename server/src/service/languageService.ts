import * as path from 'node:path';
import type {
  CodeAction,
  CodeActionContext,
  CodeLens,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  Position,
  Range,
  TextDocumentIdentifier,
} from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { buildReport } from '../engine/report/report';
import { formatReportText } from '../engine/report/reportText';
import { isPlanFile, type ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../engine/workspace/diagnose';
import {
  GENERATE_KIND,
  type GenerateParams,
  type GenerateResult,
  type PlanSummary,
  type ReportResult,
} from '../protocol/messages';
import { quickFixes } from './codeActions';
import { codeLenses } from './codeLens';
import { completion } from './completion';
import { definition } from './definition';
import { toDiagnostic } from './diagnostics';
import { generateActions, generateEdit, isGenerateData, resolveGenerate } from './generateAction';
import { hover } from './hover';
import { toRange } from './positions';
import { documentSymbols } from './symbols';
import { pathToUri, uriToPath } from './uris';

/** What the service's answers depend on besides the workspace (read at each call: settings change). */
export interface LanguageServiceSettings {
  codeLens: { enabled: boolean };
  /** Where generated merged manifests go, relative to the plan. */
  generatedDirectory: string;
}

/**
 * The language service (yaml-language-server's `getLanguageService()`): every answer the editor
 * gets, in LSP types, from a workspace and a document. The LSP adapter (lsp/server.ts) only moves
 * messages; tests call this in-process (test/service/).
 */
export interface LanguageService {
  doHover(document: TextDocument, position: Position): Hover | null;
  doComplete(document: TextDocument, position: Position): CompletionItem[];
  findDefinition(document: TextDocument, position: Position): Location[];
  /** Read through the workspace: the plan need not be open. */
  findDocumentSymbols(document: TextDocumentIdentifier): DocumentSymbol[];
  getCodeLenses(document: TextDocumentIdentifier): CodeLens[];
  /** Quick fixes of the context's diagnostics, and "Generate merged manifests" on a plan. */
  getCodeActions(document: TextDocument, range: Range, context: CodeActionContext): CodeAction[];
  resolveCodeAction(action: CodeAction): CodeAction;
  /** The edit "Generate merged manifests" makes for a phase, or why it cannot. */
  generate(params: GenerateParams): GenerateResult;
  /** The findings of one file (a plan, or a manifest checked on its own), as diagnostics. */
  getDiagnostics(document: TextDocument): Diagnostic[];
  /** A plan's name and phases with their ranges; null when the file is not a plan or cannot be read. */
  getPlanSummary(planFile: string, uri?: string): PlanSummary | null;
  getReport(uri: string): ReportResult | null;
}

/** A plan file path for a URI, or undefined when it is not a plan. */
export function planPathOf(uri: string): string | undefined {
  const file = uriToPath(uri);
  return file && isPlanFile(file) ? file : undefined;
}

export function getLanguageService(
  workspace: ConsolidationWorkspace,
  settings: () => LanguageServiceSettings,
): LanguageService {
  const atCursor = <T>(
    document: TextDocument,
    position: Position,
    answer: (plan: string, offset: number) => T,
    none: T,
  ): T => {
    const plan = planPathOf(document.uri);
    return plan ? answer(plan, document.offsetAt(position)) : none;
  };
  return {
    doHover: (document, position) =>
      atCursor(document, position, (plan, offset) => hover(workspace, plan, offset) ?? null, null),
    doComplete: (document, position) =>
      atCursor(document, position, (plan, offset) => completion(workspace, plan, offset), []),
    findDefinition: (document, position) =>
      atCursor(document, position, (plan, offset) => definition(workspace, plan, offset), []),
    findDocumentSymbols(document) {
      const plan = planPathOf(document.uri);
      return plan ? documentSymbols(workspace, plan) : [];
    },
    getCodeLenses(document) {
      const plan = planPathOf(document.uri);
      return plan && settings().codeLens.enabled ? codeLenses(workspace, plan) : [];
    },
    getCodeActions(document, range, context) {
      const actions = quickFixes(document.uri, context.diagnostics, (offset) => document.positionAt(offset));
      const plan = planPathOf(document.uri);
      const wantsGenerate = !context.only || context.only.some((kind) => GENERATE_KIND.startsWith(kind));
      if (plan && wantsGenerate) {
        const offsets = { start: document.offsetAt(range.start), end: document.offsetAt(range.end) };
        actions.push(...generateActions(workspace, plan, document.uri, offsets, settings().generatedDirectory));
      }
      return actions;
    },
    resolveCodeAction(action) {
      if (!isGenerateData(action.data)) return action;
      const plan = planPathOf(action.data.planUri);
      return plan ? resolveGenerate(workspace, plan, action, settings().generatedDirectory) : action;
    },
    generate(params) {
      const plan = planPathOf(params.planUri);
      return plan
        ? generateEdit(workspace, plan, params, settings().generatedDirectory)
        : { reason: 'not a plan file' };
    },
    getDiagnostics(document) {
      const file = uriToPath(document.uri);
      if (!file) return [];
      const request = isPlanFile(file) ? { plans: [file], manifests: [] } : { plans: [], manifests: [file] };
      const parts = diagnose(workspace, { ...request, orphanScope: 'per-file' }).get(file) ?? [];
      return flattenParts(parts).map((finding) => toDiagnostic(workspace, finding));
    },
    getPlanSummary(planFile, uri) {
      const model = workspace.planModel(planFile);
      if (!model) return null;
      return {
        uri: uri ?? pathToUri(planFile),
        name: model.name ?? null,
        phases: model.phases.map((p) => ({
          name: p.name,
          merges: p.merge.map((m) => m.name),
          removes: p.remove.length,
          scales: p.scale.length,
          resizes: p.resize.length,
          nameRange: toRange(workspace, planFile, p.nameLocation.range),
        })),
        kustomizeSources: (model.renderedSources ?? []).flatMap((s) => (s.tool === 'kustomize' ? [s.path] : [])),
      };
    },
    getReport(uri) {
      const file = planPathOf(uri);
      const result = file ? workspace.plan(file) : undefined;
      if (!result || !file) return null;
      const report = buildReport(
        result,
        path.dirname(file),
        (f, offset) => workspace.lineIndex(f)?.positionAt(offset).line,
      );
      return { text: formatReportText(report), json: report };
    },
  };
}
