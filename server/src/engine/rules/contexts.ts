import type { ManifestFile, ServiceModel, WorkloadModel } from '../model/workspace';
import type { PlanAnalysis } from '../budget/states';
import type { PlanModel } from '../plan/types';
import type { SourceLocation } from '../model/location';
import type { OwnerInfo } from '../model/owners';
import type { MergeFact } from '../render/mergeChecks';

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
  workloads: WorkloadModel[];
  /** What rendering the plan's merges found (merge/* codes). */
  mergeFacts: MergeFact[];
  /** Kustomize and Helm sources that could not be rendered. */
  renderProblems?: { message: string; reason: string; location: SourceLocation }[];
  /** Controllers (Helm, Argo CD, Flux) that own the workloads the phases touch, by workload id. */
  owners?: Map<string, OwnerInfo>;
}
