// What reading a plan and its sources yields: the plain result every layer above (render, rules,
// report, workspace) reads. It sits below them all, so none of them needs the workspace for it.
import type { PlanAnalysis } from '../budget/states';
import type { SourceLocation } from '../model/location';
import type { ManifestFile, WorkloadModel } from '../model/manifest';
import type { PlanModel, SourceGlob } from '../plan/types';
import type { UsageAnalysis } from '../usage/stateUsage';

export interface PlanResult {
  plan: PlanModel;
  sourceFiles: string[];
  sourceSet: ReadonlySet<string>;
  emptySources: SourceGlob[];
  /** Globs that read nothing, or less than they match, and why. */
  sourceProblems: SourceProblem[];
  manifests: ManifestFile[];
  workloads: WorkloadModel[];
  analysis: PlanAnalysis;
  /** The usage snapshot's file (`spec.usage`), its usage per state, or why it could not be read. */
  usageFile?: string;
  usage?: UsageAnalysis;
  usageError?: string;
  /** Kustomize and Helm sources that could not be rendered (plan/source-render). */
  renderProblems?: { message: string; reason: string; location: SourceLocation }[];
}

/** Why a source glob reads nothing, or less than it matches. */
export type SourceProblem =
  | { source: SourceGlob; kind: 'outside-workspace'; root: string; resolved: string }
  | { source: SourceGlob; kind: 'never-walked'; folder: string }
  | { source: SourceGlob; kind: 'plans-only'; plans: string[] }
  | {
      source: SourceGlob;
      kind: 'limit';
      limits: { maxFiles: number; maxBytes: number };
      /** Files and bytes read before the limit. */
      files: number;
      bytes: number;
      matched: number;
      /** Files of this glob left unread (undefined: the walk itself stopped, so unknown). */
      unread: number | undefined;
    };
