import type { ManifestFile, ResourceQuotaModel, ServiceModel, WorkloadModel, WorkloadPolicyModel } from '../model/workspace';
import type { PlanAnalysis } from '../budget/states';
import type { PlanModel, SourceGlob } from '../plan/types';
import type { SourceLocation } from '../model/location';
import type { OwnerInfo } from '../model/owners';
import type { MergeFact } from '../render/mergeChecks';
import type { UsageAnalysis } from '../usage/stateUsage';

export interface ManifestContext {
  file: ManifestFile;
}

/** Manifests checked together (a plan's sources, or every manifest a check was given). */
export interface ManifestSetContext {
  files: ManifestFile[];
  workloads: WorkloadModel[];
  services: ServiceModel[];
  defaultNamespace?: string;
}

export interface PlanContext {
  plan: PlanModel;
  /** The plan's text, for fixes that edit it. */
  planText: string;
  analysis: PlanAnalysis;
  /** Source globs that matched no file. */
  emptySources: PlanModel['sources'];
  /** Source globs that read nothing, or less than they match, and why (absent: none). */
  sourceProblems?: SourceProblem[];
  workloads: WorkloadModel[];
  /** What rendering the plan's merges found (merge/* codes). */
  mergeFacts: MergeFact[];
  /** The ResourceQuotas of the plan's sources. */
  quotas?: ResourceQuotaModel[];
  /** The HorizontalPodAutoscalers and PodDisruptionBudgets of the plan's sources. */
  policies?: WorkloadPolicyModel[];
  /** Observed usage per state, when the plan names a snapshot (`spec.usage`) ... */
  usage?: UsageAnalysis;
  /** ... or why it could not be read (the file is missing). */
  usageError?: string;
  /** Kustomize and Helm sources that could not be rendered. */
  renderProblems?: { message: string; reason: string; location: SourceLocation }[];
  /** Controllers (Helm, Argo CD, Flux) that own the workloads the phases touch, by workload id. */
  owners?: Map<string, OwnerInfo>;
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
