import type { LabelSelector, PodScheduling, SelectorRequirement, Toleration } from '../model/scheduling';
import type { NodeTaint } from '../plan/types';

/** The labels and taints of one simulated node. */
export interface NodeIdentity {
  node: string;
  labels: Record<string, string>;
  taints: NodeTaint[];
}

/** Taints that keep pods away; PreferNoSchedule is a preference, ignored as every preferred rule is. */
export function isHardTaint(taint: NodeTaint): boolean {
  return taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
}

/** Does a toleration tolerate a taint (Kubernetes' ToleratesTaint)? */
export function tolerates(toleration: Toleration, taint: NodeTaint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
  // An empty key with Exists tolerates everything.
  if (toleration.key === undefined) return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return toleration.operator === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

/**
 * Why a pod may not go to a node, in words, or undefined when it may: nodeSelector, required node
 * affinity and taints (resources and pod rules are judged by the simulation).
 */
export function nodeMismatch(scheduling: PodScheduling | undefined, node: NodeIdentity): string | undefined {
  const untolerated = node.taints.find(
    (taint) =>
      isHardTaint(taint) && !(scheduling?.tolerations ?? [[]]).every((list) => list.some((t) => tolerates(t, taint))),
  );
  if (untolerated) return `taint ${formatTaint(untolerated)} not tolerated`;
  return scheduling ? nodeRequirementMismatch(scheduling, node.labels) : undefined;
}

/** nodeSelector and required node affinity only (what topology spread counts nodes by). */
export function nodeRequirementMismatch(scheduling: PodScheduling, labels: Record<string, string>): string | undefined {
  for (const selector of scheduling.nodeSelectors) {
    for (const [key, value] of Object.entries(selector)) {
      if (labels[key] !== value) return `nodeSelector ${key}=${value} not matched`;
    }
  }
  for (const terms of scheduling.nodeAffinities) {
    if (!terms.some((term) => term.every((r) => matchesRequirement(r, labels, true))))
      return 'required node affinity not matched';
  }
  return undefined;
}

/** One requirement against labels; `Gt`/`Lt` compare integers and exist only for nodes. */
export function matchesRequirement(
  requirement: SelectorRequirement,
  labels: Record<string, string>,
  node: boolean,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'In':
      return has && requirement.values.includes(value!);
    case 'NotIn':
      return !has || !requirement.values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!node || !has || requirement.values.length !== 1) return false;
      const label = integerOf(value!);
      const bound = integerOf(requirement.values[0]);
      if (label === undefined || bound === undefined) return false;
      return requirement.operator === 'Gt' ? label > bound : label < bound;
    }
    default:
      // An unknown operator is rejected by the API server; such a pod would never exist.
      return false;
  }
}

/** A label selector against a pod's labels (an empty selector matches every pod). */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  return selector.matchExpressions.every((r) => matchesRequirement(r, labels, false));
}

export function formatTaint(taint: NodeTaint): string {
  return `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ''}:${taint.effect}`;
}

function integerOf(text: string): bigint | undefined {
  return /^-?[0-9]+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
}
