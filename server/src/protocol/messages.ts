/**
 * Messages between the extension and the language server beyond standard LSP, typed once and
 * shared by both sides (as vscode-eslint does).
 */
import { RequestType, type Range, type WorkspaceEdit } from 'vscode-languageserver-protocol';

export interface PlanPhase {
  name: string;
  merges: string[];
  /** Where the phase's name is written in the plan. */
  nameRange: Range;
}

export interface PlanSummary {
  uri: string;
  name: string | null;
  phases: PlanPhase[];
}

/** Every plan the server knows in the workspace. */
export const ListPlansRequest = new RequestType<Record<string, never>, PlanSummary[], void>('consolidation/listPlans');

export interface ReportParams {
  uri: string;
}

export interface ReportResult {
  /** The table `consolidate report` prints. */
  text: string;
  /** The same numbers as `consolidate report --format json`. */
  json: unknown;
}

/** The budget report of one plan. */
export const ReportRequest = new RequestType<ReportParams, ReportResult | null, void>('consolidation/report');

/** Settings the server reads from the `consolidation` section. */
export interface ServerSettings {
  rules: Record<string, string>;
  maxFileSizeKb: number;
  codeLens: { enabled: boolean };
  /** Where generated merged manifests go, relative to the plan. */
  generatedDirectory: string;
  /** Tools for Kustomize and Helm sources (empty: found on PATH). Used only in a trusted workspace. */
  tools?: { kustomize: string; helm: string };
}

/**
 * Client → server: whether the workspace is trusted. Sent in `initializationOptions.trusted` and
 * again when the user grants trust; until then the server runs no external tool.
 */
export const WORKSPACE_TRUST_NOTIFICATION = 'consolidation/workspaceTrust';
export interface WorkspaceTrustParams {
  trusted: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { rules: {}, maxFileSizeKb: 2048, codeLens: { enabled: true }, generatedDirectory: 'generated' };

/** Client command that opens a file after a code action wrote it. */
export const OPEN_FILE_COMMAND = 'consolidation.openFile';

/** The code action kind of "Generate merged manifests" (shown with the refactorings in the light bulb). */
export const GENERATE_KIND = 'refactor.generate';

/** `data` of an unresolved "Generate merged manifests" action. */
export interface GenerateActionData {
  kind: 'generate';
  planUri: string;
  phase: string;
  merge?: string;
}

export interface GenerateParams {
  planUri: string;
  phase: string;
  merge?: string;
}

export type GenerateResult = { edit: WorkspaceEdit; open: string } | { reason: string };

/** The edit "Generate merged manifests" makes (the palette form of the code action), or why it cannot. */
export const GenerateRequest = new RequestType<GenerateParams, GenerateResult, void>('consolidation/generate');
