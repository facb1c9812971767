import type { PlanState } from '../budget/states';
import type { SourceLocation } from '../model/location';
import type { ServiceModel } from '../model/manifest';
import type { MergeSpec, PhaseSpec, WorkloadRef } from '../plan/types';
import type { KubeObject } from './kube';
import type { MergeSource } from './podMerge';

/** A Service as rendering goes through the phases. */
export interface ServiceEntry {
  model: ServiceModel | undefined;
  object: KubeObject;
  /** Ids of the workloads whose pods it selects now. */
  selects: Set<string>;
}

/** A source of a merge, with the plan's reference to it (in the merge's `from`) when there is one. */
export type MergeSourceFact = MergeSource & { ref?: WorkloadRef };

/**
 * What rendering one merge found, as plain facts for the merge rules (rules/merge/) to check: the
 * sources as they were when the merge was rendered (later phases go on changing the live objects),
 * the merged workload, and the Services that selected the sources.
 */
export interface MergeFacts {
  phase: PhaseSpec;
  merge: MergeSpec;
  sources: MergeSourceFact[];
  merged: KubeObject;
  replicas: number;
  /** The Services that selected a source before the merge. */
  selecting: ServiceEntry[];
  /** The plan's state after the merge's phase. */
  after: PlanState;
  /** The workload that already has the merge's name in its namespace (scaled to 0 is still there). */
  nameTakenBy?: { kind: string; location: SourceLocation };
}
