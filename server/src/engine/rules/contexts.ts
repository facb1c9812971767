import type { ManifestFile, ServiceModel, WorkloadModel } from '../model/workspace';
import type { PlanAnalysis } from '../budget/states';
import type { PlanModel } from '../plan/types';
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
  workloads: WorkloadModel[];
  /** What rendering the plan's merges found (merge/* codes). */
  mergeFacts: MergeFact[];
  /** Observed usage per state, when the plan names a snapshot (`spec.usage`) ... */
  usage?: UsageAnalysis;
  /** ... or why it could not be read (the file is missing). */
  usageError?: string;
}
