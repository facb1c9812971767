import type { OffsetRange, SourceLocation } from './location';
import type { ResourceList } from './resources';
import type { PodScheduling } from './scheduling';

export type WorkloadKind =
  'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod' | 'Job' | 'CronJob' | 'ComposeService';

/** A resource value as written, with where it was written. `value` is undefined when invalid. */
export interface QuantityField {
  raw: string | number;
  value?: number;
  location: SourceLocation;
}

export interface ContainerPort {
  port: number;
  name?: string;
  protocol: string;
  location: SourceLocation;
}

export interface ContainerModel {
  name: string;
  image?: string;
  init: boolean;
  /** As declared (valid quantities only). */
  requests: ResourceList;
  limits: ResourceList;
  /** Where each declared request/limit is written, by resource name. */
  requestFields: Record<string, QuantityField>;
  limitFields: Record<string, QuantityField>;
  ports: ContainerPort[];
  location: SourceLocation;
  /** Range of the container's `resources` key, or of its name when it has none. */
  resourcesLocation: SourceLocation;
}

export interface WorkloadModel {
  /** Unique within a workspace: `namespace/name` for Kubernetes, `compose:<file>#<service>` for compose. */
  id: string;
  kind: WorkloadKind;
  origin: 'kubernetes' | 'compose';
  name: string;
  /** Namespace as written; undefined when the manifest names none (the plan's default applies). */
  namespace?: string;
  /** Other names that refer to it (the DNS-1123 form of a compose service name). */
  aliases: string[];
  replicas: number;
  replicasLocation?: SourceLocation;
  containers: ContainerModel[];
  initContainers: ContainerModel[];
  /** The pod's `spec.overhead` (RuntimeClass overhead). */
  podOverhead: ResourceList;
  podLabels: Record<string, string>;
  /** matchLabels of the workload's selector, when it has one. */
  selector?: Record<string, string>;
  selectorHasExpressions: boolean;
  selectorLocation?: SourceLocation;
  serviceAccountName?: string;
  /** The pod's required placement rules, when it has any (nodeSelector, affinity, tolerations, spread). */
  scheduling?: PodScheduling;
  /** False for Jobs, CronJobs and one-shot compose services: not steady-state load. */
  steady: boolean;
  /** Where the whole object is, and its name. */
  location: SourceLocation;
  nameLocation: SourceLocation;
  /** Index of the YAML document in its file (for rendering the original object later). */
  documentIndex: number;
}

export interface ServicePortModel {
  port?: number;
  targetPort?: number | string;
  name?: string;
}

export interface ServiceModel {
  name: string;
  namespace?: string;
  selector?: Record<string, string>;
  ports: ServicePortModel[];
  location: SourceLocation;
  nameLocation: SourceLocation;
  selectorLocation?: SourceLocation;
  documentIndex: number;
}

export interface LimitRangeModel {
  name: string;
  namespace?: string;
  /** Container defaults: `default` are limits, `defaultRequest` requests. */
  defaultLimits: ResourceList;
  defaultRequests: ResourceList;
  location: SourceLocation;
}

/** An object that targets a workload by kind and name (HorizontalPodAutoscaler) or selects pods (PodDisruptionBudget). */
export interface WorkloadPolicyModel {
  kind: 'HorizontalPodAutoscaler' | 'PodDisruptionBudget';
  name: string;
  namespace?: string;
  targetKind?: string;
  targetName?: string;
  selector?: Record<string, string>;
  location: SourceLocation;
  /** HorizontalPodAutoscaler: its replica bounds. */
  minReplicas?: number;
  maxReplicas?: number;
  /** HorizontalPodAutoscaler: where `scaleTargetRef.kind` and `.name` are written (for re-targeting). */
  targetKindLocation?: SourceLocation;
  targetNameLocation?: SourceLocation;
  /** PodDisruptionBudget: `minAvailable` / `maxUnavailable` as written (a count or a percentage). */
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

/**
 * A ResourceQuota's `spec.hard` limits on what pods may request in its namespace (the pod-related
 * ones: `pods`, `requests.*` (and its short forms `cpu`, `memory`), `limits.*`); other keys are not read.
 */
export interface ResourceQuotaModel {
  name: string;
  namespace?: string;
  pods?: number;
  requests: ResourceList;
  limits: ResourceList;
  /** Scoped quotas (`scopes`, `scopeSelector`) apply to some pods only: not checked. */
  scoped: boolean;
  location: SourceLocation;
  /** Where each hard key is written, by key as written (`requests.cpu`, `pods`). */
  keyLocations: Record<string, SourceLocation>;
}

export interface ClaimModel {
  name: string;
  namespace?: string;
  accessModes: string[];
  location: SourceLocation;
}

/** Any other named object (ConfigMap, Secret, Namespace, ...): its kind and name only, never its data. */
export interface OtherObjectModel {
  apiVersion?: string;
  kind: string;
  name?: string;
  namespace?: string;
  location: SourceLocation;
}

/** A fact a manifest rule turns into a diagnostic. */
export interface QuantityProblem {
  message: string;
  severity: 'error' | 'warning';
  replacement?: string;
  location: SourceLocation;
}

/** A key Kubernetes does not know where it is written (a typo that silently drops a setting). */
export interface FieldProblem {
  message: string;
  location: SourceLocation;
  replacement?: string;
}

/** A compose finding: a `${VARIABLE}` that is unset or refused, or an image reference that cannot be pulled. */
export interface ComposeProblem {
  code: 'manifest/compose-variable' | 'manifest/invalid-image';
  message: string;
  severity: 'error' | 'warning' | 'information';
  location: SourceLocation;
}

export interface ManifestFile {
  path: string;
  format: 'kubernetes' | 'compose' | 'other';
  /** YAML syntax problems and files too large to analyse. */
  syntaxProblems: {
    message: string;
    severity: 'error' | 'warning';
    range: OffsetRange;
    code: 'manifest/yaml-syntax' | 'manifest/too-large';
  }[];
  quantityProblems: QuantityProblem[];
  fieldProblems: FieldProblem[];
  /** Compose interpolation and image problems (absent for files read before they were checked). */
  composeProblems?: ComposeProblem[];
  workloads: WorkloadModel[];
  services: ServiceModel[];
  limitRanges: LimitRangeModel[];
  policies: WorkloadPolicyModel[];
  claims: ClaimModel[];
  others: OtherObjectModel[];
  /** ResourceQuotas (absent in files that have none). */
  quotas?: ResourceQuotaModel[];
}
