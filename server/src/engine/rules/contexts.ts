import type {
  ClaimModel,
  LimitRangeModel,
  ManifestFile,
  ResourceQuotaModel,
  ServiceModel,
  WorkloadModel,
  WorkloadPolicyModel,
} from '../model/manifest';
import type { PlanAnalysis } from '../budget/states';
import type { PlanModel } from '../plan/types';
import type { SourceProblem } from '../analysis/planResult';
import type { SourceLocation } from '../model/location';
import type { OwnerInfo } from '../model/owners';
import type { MergeFacts } from '../render/mergeFacts';
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
  /** What rendering found of each of the plan's merges, in plan order (the merge/* rules check them). */
  merges: MergeFacts[];
  /** The PersistentVolumeClaims of the plan's sources. */
  claims?: ClaimModel[];
  /** The LimitRanges of the plan's sources. */
  limitRanges?: LimitRangeModel[];
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
