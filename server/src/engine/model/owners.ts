/**
 * Which controller owns an object, from its labels and annotations: a GitOps controller (Argo CD,
 * Flux) or Helm reverts a change made to the cluster directly (self-heal, the next upgrade).
 */
export type OwnerController = 'Argo CD' | 'Flux' | 'Helm';

export interface OwnerInfo {
  controller: OwnerController;
  /** What names it: the Argo CD application, the Flux Kustomization or HelmRelease, the Helm release. */
  source?: string;
  /** The label or annotation that says so. */
  evidence: string;
}

interface Metadata {
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export function ownerOf(metadata: unknown): OwnerInfo | undefined {
  const meta = (metadata && typeof metadata === 'object' ? metadata : {}) as Metadata;
  const labels = stringRecord(meta.labels);
  const annotations = stringRecord(meta.annotations);
  // GitOps first: Argo CD and Flux often install Helm charts, whose objects also say managed-by Helm.
  const argoKey = [...Object.keys(annotations), ...Object.keys(labels)].find((k) =>
    k.startsWith('argocd.argoproj.io/'),
  );
  if (argoKey) {
    const tracking = annotations['argocd.argoproj.io/tracking-id'];
    return {
      controller: 'Argo CD',
      source: tracking?.split(':')[0] ?? labels['app.kubernetes.io/instance'],
      evidence: argoKey,
    };
  }
  for (const [prefix, kind] of [
    ['kustomize.toolkit.fluxcd.io/', 'Kustomization'],
    ['helm.toolkit.fluxcd.io/', 'HelmRelease'],
  ] as const) {
    const key =
      Object.keys(labels).find((k) => k.startsWith(prefix)) ??
      Object.keys(annotations).find((k) => k.startsWith(prefix));
    if (key) {
      const name = labels[`${prefix}name`];
      const namespace = labels[`${prefix}namespace`];
      return {
        controller: 'Flux',
        source: name ? `${kind} ${namespace ? `${namespace}/` : ''}${name}` : undefined,
        evidence: key,
      };
    }
  }
  const release = annotations['meta.helm.sh/release-name'];
  if (release || labels['app.kubernetes.io/managed-by'] === 'Helm') {
    return {
      controller: 'Helm',
      source: release ? `release ${release}` : undefined,
      evidence: release ? 'meta.helm.sh/release-name' : 'app.kubernetes.io/managed-by: Helm',
    };
  }
  return undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
