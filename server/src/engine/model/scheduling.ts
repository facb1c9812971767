/**
 * The placement rules of a pod that the scheduling simulation honours (required rules only: preferred
 * rules never keep a pod Pending, so they are not read).
 */

/** `{key, operator, values}` of a node selector term or a label selector's matchExpressions. */
export interface SelectorRequirement {
  key: string;
  /** In, NotIn, Exists, DoesNotExist (labels and nodes); Gt, Lt (nodes only). */
  operator: string;
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
}

export interface Toleration {
  key?: string;
  /** `Equal` (the default) or `Exists`. */
  operator: string;
  value?: string;
  /** Empty: every effect. */
  effect?: string;
}

/** A required pod anti-affinity term on `kubernetes.io/hostname`: no two such pods on one node. */
export interface AntiAffinityTerm {
  selector: LabelSelector;
  /** Namespaces whose pods the selector looks at; empty: the pod's own. */
  namespaces: string[];
}

/** A `topologySpreadConstraints` entry on `kubernetes.io/hostname` with `whenUnsatisfiable: DoNotSchedule`. */
export interface SpreadConstraint {
  maxSkew: number;
  selector: LabelSelector;
}

/**
 * A pod's placement rules. Node rules are lists with one entry per source pod spec (one for a workload,
 * several for a merged pod), and every entry must hold: a merged pod goes only where each of its
 * sources could go.
 */
export interface PodScheduling {
  /** `nodeSelector` of each source: every label must match. */
  nodeSelectors: Record<string, string>[];
  /** Required node affinity of each source: its `nodeSelectorTerms`, any term (an AND of requirements) matches. */
  nodeAffinities: SelectorRequirement[][][];
  /** Tolerations of each source: a taint is tolerated when every list tolerates it. */
  tolerations: Toleration[][];
  antiAffinity: AntiAffinityTerm[];
  spread: SpreadConstraint[];
}

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function noScheduling(): PodScheduling {
  return { nodeSelectors: [], nodeAffinities: [], tolerations: [[]], antiAffinity: [], spread: [] };
}
