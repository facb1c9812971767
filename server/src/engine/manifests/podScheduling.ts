import {
  HOSTNAME_LABEL,
  type LabelSelector,
  type PodScheduling,
  type SelectorRequirement,
  type SpreadConstraint,
  type AntiAffinityTerm,
  type Toleration,
} from '../model/scheduling';

type Plain = Record<string, unknown>;

/**
 * The required placement rules of a pod spec (a plain value, as the YAML gives it): nodeSelector,
 * required node affinity, tolerations, required pod anti-affinity and DoNotSchedule spread on the
 * hostname. Malformed entries are skipped (the schema of the manifest is not checked here).
 */
export function readPodScheduling(podSpec: unknown): PodScheduling {
  const spec = asObject(podSpec);
  const affinity = asObject(spec.affinity);
  const nodeTerms = asList(
    asObject(asObject(affinity.nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms,
  ).map((term) =>
    asList(asObject(term).matchExpressions)
      .map(requirement)
      .filter((r): r is SelectorRequirement => !!r),
  );
  const antiAffinity: AntiAffinityTerm[] = asList(
    asObject(affinity.podAntiAffinity).requiredDuringSchedulingIgnoredDuringExecution,
  )
    .map(asObject)
    .filter((term) => term.topologyKey === HOSTNAME_LABEL)
    .map((term) => ({
      selector: labelSelector(term.labelSelector),
      namespaces: asList(term.namespaces).filter((n): n is string => typeof n === 'string'),
    }));
  const spread: SpreadConstraint[] = asList(spec.topologySpreadConstraints)
    .map(asObject)
    .filter(
      (c) =>
        c.topologyKey === HOSTNAME_LABEL &&
        c.whenUnsatisfiable === 'DoNotSchedule' &&
        typeof c.maxSkew === 'number' &&
        Number.isInteger(c.maxSkew) &&
        c.maxSkew >= 1,
    )
    .map((c) => ({ maxSkew: c.maxSkew as number, selector: labelSelector(c.labelSelector) }));
  return {
    nodeSelectors: isObjectValue(spec.nodeSelector) ? [stringRecord(spec.nodeSelector)] : [],
    // No terms at all selects no node in Kubernetes; an absent rule selects every node.
    nodeAffinities:
      nodeTerms.length > 0 ||
      Array.isArray(
        asObject(asObject(affinity.nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms,
      )
        ? [nodeTerms]
        : [],
    tolerations: [
      asList(spec.tolerations)
        .map(toleration)
        .filter((t): t is Toleration => !!t),
    ],
    antiAffinity,
    spread,
  };
}

function labelSelector(value: unknown): LabelSelector {
  const selector = asObject(value);
  return {
    matchLabels: stringRecord(selector.matchLabels),
    matchExpressions: asList(selector.matchExpressions)
      .map(requirement)
      .filter((r): r is SelectorRequirement => !!r),
  };
}

function requirement(value: unknown): SelectorRequirement | undefined {
  const r = asObject(value);
  if (typeof r.key !== 'string' || typeof r.operator !== 'string') return undefined;
  return {
    key: r.key,
    operator: r.operator,
    values: asList(r.values)
      .map(scalarString)
      .filter((v): v is string => v !== undefined),
  };
}

function toleration(value: unknown): Toleration | undefined {
  const t = asObject(value);
  if (!isObjectValue(value)) return undefined;
  return {
    key: typeof t.key === 'string' && t.key !== '' ? t.key : undefined,
    operator: typeof t.operator === 'string' ? t.operator : 'Equal',
    value: scalarString(t.value),
    effect: typeof t.effect === 'string' && t.effect !== '' ? t.effect : undefined,
  };
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asObject(value))) {
    const text = scalarString(v);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function scalarString(value: unknown): string | undefined {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
}

function isObjectValue(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Plain {
  return isObjectValue(value) ? value : {};
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
