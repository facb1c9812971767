// A test API server seeded with a fixture's manifests, a copy of the fixture on disk (records are
// written beside the plan), and a ClusterApi on it through the real client-node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { connect, type ConnectOptions, type KubeClusterApi } from '../../server/src/cluster/kubeClusterApi';
import { loadPhase, type LoadedPhase } from '../../server/src/cluster/phasePlan';
import type { ClusterCliIo } from '../../server/src/cli/apply';
import { Capture } from './capture';
import { tempWorkspace, type TempWorkspace } from './tempWorkspace';
import type { JsonObject } from './kubeFields';
import { TestKubeApiServer, type TestKubeApiServerOptions } from './testKubeApiServer';

export const FIXTURE = path.resolve(__dirname, '../fixtures/cluster');

export interface ClusterFixture {
  server: TestKubeApiServer;
  workspace: TempWorkspace;
  kubeconfig: string;
  planFile: string;
  api: KubeClusterApi;
  /** Retries reported by the client (transient failures). */
  retries: string[];
  load(phase: string): LoadedPhase;
  connect(options?: Partial<ConnectOptions>): Promise<KubeClusterApi>;
  dispose(): Promise<void>;
}

/** The fixture's manifests as objects. */
export function fixtureObjects(dir = FIXTURE): JsonObject[] {
  const folder = path.join(dir, 'manifests');
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(folder, f), 'utf8')).map((d) => d.toJSON() as JsonObject),
    )
    .filter((o) => o && typeof o === 'object' && o.kind);
}

/**
 * Seeds the fixture as its owners would have applied it: workloads with `kubectl apply`, Services
 * through Helm (so their fields have another owner than this tool).
 */
export async function clusterFixture(
  options: TestKubeApiServerOptions & { requestTimeoutMs?: number; seed?: boolean } = {},
): Promise<ClusterFixture> {
  const server = await TestKubeApiServer.start(options);
  const workspace = tempWorkspace({ copyFrom: FIXTURE, prefix: 'consolidation-cluster-' });
  const kubeconfig = server.writeKubeconfig(workspace.file('.kube'), { namespace: 'shop' });
  if (options.seed !== false) {
    for (const object of fixtureObjects())
      server.seed(object, { manager: object.kind === 'Service' ? 'helm' : 'kubectl-client-side-apply' });
  }
  const retries: string[] = [];
  const connectTo = (extra: Partial<ConnectOptions> = {}) =>
    connect({
      kubeconfig,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      onRetry: (message) => retries.push(message),
      ...extra,
    });
  const api = await connectTo();
  const planFile = workspace.file('shop.plan.yaml');
  return {
    server,
    workspace,
    kubeconfig,
    planFile,
    api,
    retries,
    load: (phase) => loadPhase(planFile, phase),
    connect: connectTo,
    dispose: async () => {
      await server.close();
      workspace.dispose();
    },
  };
}

/** The parts of an object a rollback must restore exactly (no server-maintained metadata or status). */
export function specOf(object: JsonObject | undefined): unknown {
  if (!object) return undefined;
  const metadata = object.metadata as JsonObject;
  return { labels: metadata.labels ?? null, annotations: metadata.annotations ?? null, spec: object.spec };
}

/** What `consolidate apply`/`rollback` run with in process: captured output, the fixture's kubeconfig, quick polls and retries. */
export function cliIo<Extra extends object = object>(
  fixture: ClusterFixture,
  extra: Partial<ClusterCliIo> & Extra = {} as Extra,
): ClusterCliIo & { out: Capture; err: Capture } & Extra {
  return {
    cwd: fixture.workspace.dir,
    out: new Capture(),
    err: new Capture(),
    env: { KUBECONFIG: fixture.kubeconfig },
    signal: new AbortController().signal,
    pollIntervalMs: 5,
    connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 }, requestTimeoutMs: 5000 },
    ...extra,
  } as ClusterCliIo & { out: Capture; err: Capture } & Extra;
}
