// What the cluster tests (test/e2e/run-cluster.ts with suite-cluster/*.test.ts, and
// test/e2e/run-cluster-ui.ts) agree on: the workspace, its plan and phase, the kubeconfig context,
// and the JSON the runner's bridge answers with. No imports: the extension-host bundle and the
// Node runners both use it.

/** test/workspaces/e2e-cluster (relative to the repo root). */
export const WORKSPACE_DIR = ['test', 'workspaces', 'e2e-cluster'];
export const PLAN_FILE = 'shop.plan.yaml';
export const PLAN_NAME = 'shop';
export const PHASE = 'merge-backend';
/** The phase after PHASE (never applied by the tests). */
export const LATER_PHASE = 'resize-backend';
export const NAMESPACE = 'shop';
/** The kubeconfig's only context (and its current-context). */
export const CONTEXT = 'e2e-context';
/** TestKubeApiServer.writeKubeconfig names its cluster so. */
export const CLUSTER = 'test-cluster';
export const MERGED = 'backend';
/** The Deployments merged into MERGED, with their replicas before the phase. */
export const REPLACED: Record<string, number> = { cart: 2, checkout: 1 };
/** Services re-pointed at the merged pods. */
export const SERVICES = ['cart', 'checkout'];
export const RECORD_FILE = `.consolidation/${PLAN_NAME}-${PHASE}.json`;
export const RECORD_CONFIGMAP = `consolidation-record-${PLAN_NAME}-${PHASE}`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'consolidation-plans';
export const PREVIOUS_REPLICAS = 'consolidation.dev/previous-replicas';
/** The environment variable that gives the extension host the runner's bridge URL. */
export const BRIDGE_ENV = 'E2E_CLUSTER_BRIDGE';

export type Json = any;

/** GET /cluster: the namespace's objects as the API server stores them, and the seeded state. */
export interface ClusterSnapshot {
  server: string;
  deployments: Record<string, Json>;
  services: Record<string, Json>;
  configMaps: Record<string, Json>;
  /** labels, annotations and spec of every seeded Deployment and Service, as seeded (`Kind/name`). */
  seeded: Record<string, Json>;
  /** The same parts of the objects now. */
  now: Record<string, Json>;
  /** How many requests the API server has answered so far (for GET /requests?from=N). */
  requestCount: number;
}

/** GET /requests?from=N: the requests the API server answered, from the N-th on. */
export interface RequestSummary {
  method: string;
  verb: string;
  resource?: string;
  subresource?: string;
  name?: string;
  dryRun: boolean;
  status?: number;
}

/** POST /dialog: the modal dialog the workbench showed, before the bridge pressed a button. */
export interface DialogSeen {
  message: string;
  detail: string;
  buttons: string[];
  screenshot?: string;
}

/** POST /notification: the notification toast that matched. */
export interface NotificationSeen {
  /** The notification's message (without its source and buttons). */
  text: string;
  buttons: string[];
}
