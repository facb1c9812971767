import type { SourceLocation } from '../model/location';
import type { ResourceList } from '../model/resources';

export const PLAN_API_VERSION = 'consolidation.dev/v1alpha1';
export const PLAN_KIND = 'ConsolidationPlan';

/** A reference to a workload as written in the plan: `name` or `namespace/name`. */
export interface WorkloadRef {
  text: string;
  location: SourceLocation;
}

export interface ResourcePatch {
  requests: ResourceList;
  limits: ResourceList;
}

export interface ResizeStep {
  ref: WorkloadRef;
  /** Applies to the only container (single-container form). */
  pod?: ResourcePatch;
  containers: { name: string; location: SourceLocation; patch: ResourcePatch }[];
  location: SourceLocation;
}

export interface ScaleStep {
  ref: WorkloadRef;
  replicas: number;
  location: SourceLocation;
}

export interface PortMapping {
  servicePort: number;
  containerPort: number | string;
  location: SourceLocation;
}

export interface MergeContainerSpec {
  image?: string;
  ports: number[];
  requests: ResourceList;
  limits: ResourceList;
  location: SourceLocation;
}

export interface MergeSpec {
  name: string;
  nameLocation: SourceLocation;
  from: WorkloadRef[];
  strategy: 'pod' | 'replace';
  replicas?: number;
  replicasLocation?: SourceLocation;
  ports: PortMapping[];
  /** The `ports` key, when written. */
  portsLocation?: SourceLocation;
  container?: MergeContainerSpec;
  /** The service account of the merged pod when the sources disagree. */
  serviceAccountName?: string;
  location: SourceLocation;
}

export type TargetMetric =
  'workloads' | 'pods' | 'cpuRequests' | 'memoryRequests' | 'cpuLimits' | 'memoryLimits' | UsageTargetMetric;

/** Targets on observed usage (p95, from the plan's usage snapshot). */
export type UsageTargetMetric = 'cpuUsage' | 'memoryUsage';

export interface TargetSpec {
  metric: TargetMetric;
  raw: string | number;
  /** A share of the budget in thousandths of a percent (62.5% = 62500), or ... */
  milliPercent?: number;
  /** ... an absolute amount (pods; millicores; bytes). */
  absolute?: number;
  location: SourceLocation;
}

export interface PhaseSpec {
  name: string;
  nameLocation: SourceLocation;
  location: SourceLocation;
  remove: WorkloadRef[];
  scale: ScaleStep[];
  resize: ResizeStep[];
  merge: MergeSpec[];
  targets: TargetSpec[];
}

export interface NodePool {
  name: string;
  count: number;
  allocatable: ResourceList;
  pods: number;
  location: SourceLocation;
  /** Labels of every node of the pool (besides kubernetes.io/hostname, which each node gets). */
  labels?: Record<string, string>;
  taints?: NodeTaint[];
}

export interface NodeTaint {
  key: string;
  value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  effect: string;
}

export interface BudgetSpec {
  /** The `budget` key: where current-state findings go. */
  location: SourceLocation;
  /** cpu, memory and extended resources the cluster can give. */
  allocatable: ResourceList;
  pods?: number;
  /** Limits above this share of the budget warn, in thousandths of a percent (default 100000 = 100%). */
  limitsOvercommitMilliPercent: number;
  podOverhead: ResourceList;
  nodes?: NodePool[];
  /** `tolerateNodeLoss`: each state is also placed with this many of the largest nodes gone. */
  tolerateNodeLoss?: number;
}

export interface SourceGlob {
  pattern: string;
  location: SourceLocation;
}

/** A `sources` entry rendered by the user's own tool: `{kustomize: dir}` or `{helm: {...}}`. */
export type RenderedSourceSpec =
  | { tool: 'kustomize'; index: number; path: string; location: SourceLocation }
  | {
      tool: 'helm';
      index: number;
      chart: string;
      values: string[];
      set: Record<string, string>;
      releaseName?: string;
      namespace?: string;
      location: SourceLocation;
    };

/** A problem found while reading the plan (schema or quantity). */
export interface PlanProblem {
  code: 'plan/schema';
  message: string;
  severity: 'error' | 'warning';
  location: SourceLocation;
  replacement?: string;
}

/** `spec.usage`: the usage snapshot the plan reads. */
export interface UsageRef {
  /** As written, relative to the plan. */
  file: string;
  /** Older than this (ms) is stale; default 14 days. */
  maxAgeMs?: number;
  location: SourceLocation;
}

export interface PlanModel {
  path: string;
  name?: string;
  namespace?: string;
  sources: SourceGlob[];
  /** Sources rendered by Kustomize or Helm (absent when the plan has none). */
  renderedSources?: RenderedSourceSpec[];
  budget?: BudgetSpec;
  usage?: UsageRef;
  phases: PhaseSpec[];
  problems: PlanProblem[];
  /** Location of `spec` (or of the document when it has none), for findings about the whole plan. */
  location: SourceLocation;
}
