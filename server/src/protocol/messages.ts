/**
 * Messages between the extension and the language server beyond standard LSP, typed once and
 * shared by both sides (as vscode-eslint does). Each says who sends it. The server is the one
 * reader of plans: the extension asks it for phases and their ranges, it never parses a plan.
 */
import { RequestType, type Range, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { PlanReport } from '../engine/report/report';
import { COMMANDS } from './commands';
import {
  DEFAULT_MAX_FILE_SIZE_KB,
  DEFAULT_SOURCE_MAX_FILES,
  DEFAULT_SOURCE_MAX_MB,
  DEFAULT_TOOL_TIMEOUT_SECONDS,
} from '../engine/files/fileSize';

export interface PlanPhase {
  name: string;
  merges: string[];
  /** How many workloads the phase removes, scales and resizes. */
  removes: number;
  scales: number;
  resizes: number;
  /** Where the phase's name is written in the plan. */
  nameRange: Range;
}

export interface PlanSummary {
  uri: string;
  name: string | null;
  phases: PlanPhase[];
  /** The plan's `{kustomize: DIR}` entries, as written (Generate offers an overlay over one). */
  kustomizeSources?: string[];
}

/** Client → server: every plan the server knows in the workspace. */
export const ListPlansRequest = new RequestType<Record<string, never>, PlanSummary[], void>('consolidation/listPlans');

export interface PlanSummaryParams {
  uri: string;
}

/**
 * Client → server: one plan's phases as the server reads them now (open editors included), or null
 * when the file is not a plan or cannot be read. The phase code lens and the phase pickers use it.
 */
export const PlanSummaryRequest = new RequestType<PlanSummaryParams, PlanSummary | null, void>(
  'consolidation/planSummary',
);

export interface ReportParams {
  uri: string;
}

export interface ReportResult {
  /** The table `consolidate report` prints. */
  text: string;
  /** The same numbers as `consolidate report --format json` (file paths relative to the plan's folder). */
  json: PlanReport;
}

/** Client → server: the budget report of one plan. */
export const ReportRequest = new RequestType<ReportParams, ReportResult | null, void>('consolidation/report');

/** Settings the server reads from the `consolidation` section (client → server: initializationOptions and workspace/configuration). */
export interface ServerSettings {
  rules: Record<string, string>;
  maxFileSizeKb: number;
  codeLens: { enabled: boolean };
  /** Where generated merged manifests go, relative to the plan. */
  generatedDirectory: string;
  /**
   * What a plan's sources may read. `allowOutsideWorkspace` is only ever true in a trusted workspace
   * (the client sends false otherwise).
   */
  sources?: { allowOutsideWorkspace: boolean; maxFiles: number; maxSizeMb: number };
  /** Tools for Kustomize and Helm sources (empty: found on PATH). Used only in a trusted workspace. */
  tools?: { kustomize: string; helm: string; timeoutSeconds?: number };
}

/**
 * Client → server: whether the workspace is trusted. Sent in `initializationOptions.trusted` and
 * again when the user grants trust; until then the server runs no external tool.
 */
export const WORKSPACE_TRUST_NOTIFICATION = 'consolidation/workspaceTrust';
export interface WorkspaceTrustParams {
  trusted: boolean;
}

export const DEFAULT_SERVER_SETTINGS = {
  rules: {},
  maxFileSizeKb: DEFAULT_MAX_FILE_SIZE_KB,
  codeLens: { enabled: true },
  generatedDirectory: 'generated',
  sources: { allowOutsideWorkspace: false, maxFiles: DEFAULT_SOURCE_MAX_FILES, maxSizeMb: DEFAULT_SOURCE_MAX_MB },
  tools: { kustomize: '', helm: '', timeoutSeconds: DEFAULT_TOOL_TIMEOUT_SECONDS },
} satisfies Required<ServerSettings>;

/** Client command that opens a file after a code action wrote it (server → client, in the action's command). */
export const OPEN_FILE_COMMAND = COMMANDS.openFile;

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
  /**
   * `yaml` (default): the merged manifests of the phase. `kustomize-overlay`: the overlays of every
   * phase up to this one, as `consolidate render --format kustomize-overlay` writes them, over `base`.
   */
  format?: 'yaml' | 'kustomize-overlay';
  /** With `kustomize-overlay`: one of the plan's `{kustomize: DIR}` entries, as written there. */
  base?: string;
}

export type GenerateResult = { edit: WorkspaceEdit; open: string } | { reason: string };

/** Client → server: the edit "Generate merged manifests" makes (the palette form of the code action), or why it cannot. */
export const GenerateRequest = new RequestType<GenerateParams, GenerateResult, void>('consolidation/generate');

/** The budget view's webview panel type (also its serializer's, so it comes back after a restart). */
export const BUDGET_VIEW_TYPE = 'consolidation.budgetView';

/**
 * Sent by the extension to the budget view: the page's new content, rendered from the plan's report
 * JSON by the same code as `consolidate report --format html`. The view replaces its content in
 * place, keeping its scroll position and chosen metric.
 */
export interface BudgetViewUpdate {
  type: 'update';
  planUri: string;
  body: string;
}

export type ExtensionToBudgetView = BudgetViewUpdate;

/**
 * Sent by the budget view to the extension. `ready`: the page's script runs and wants content
 * (first load, or shown again after being hidden). `reveal`: the user chose a bar, workload, pod or
 * target; `file` is relative to the plan's folder (as in the report JSON), `line` is 0-based.
 */
export type BudgetViewToExtension = { type: 'ready' } | { type: 'reveal'; file: string; line: number };

/** What the view keeps with `setState`, given back to the panel serializer after VS Code restarts. */
export interface BudgetViewState {
  planUri?: string;
  metric?: string;
  scrollY?: number;
}
