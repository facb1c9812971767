// Runner side (Node, not the extension host): the test Kubernetes API server for the real-editor
// cluster tests, seeded with the workspace's manifests as their owners would have applied them
// (Deployments by kubectl, Services by Helm), and a kubeconfig for it in a temp folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '../../lib/code-server';
import { fixtureObjects, specOf } from '../../../helpers/clusterFixture';
import type { JsonObject } from '../../../helpers/kubeFields';
import { TestKubeApiServer } from '../../../helpers/testKubeApiServer';
import { CONTEXT, NAMESPACE, type ClusterSnapshot, type Json, type RequestSummary } from './shared';

export interface ClusterEnv {
  readonly server: TestKubeApiServer;
  /** The kubeconfig file (token auth, http://127.0.0.1:PORT, context CONTEXT, namespace NAMESPACE). */
  readonly kubeconfig: string;
  snapshot(): ClusterSnapshot;
  requests(from: number): RequestSummary[];
  /** Writes <workspace>/.vscode/settings.json pointing consolidation.kubeconfig at the kubeconfig. */
  writeWorkspaceSettings(workspace: string, extra?: Record<string, unknown>): void;
  close(): Promise<void>;
}

function nameOf(object: JsonObject): string {
  return String((object.metadata as JsonObject).name);
}

/** labels, annotations and spec of every Deployment and Service of the namespace, by `Kind/name`. */
function specs(server: TestKubeApiServer): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const kind of ['Deployment', 'Service']) {
    for (const object of server.objects(kind, NAMESPACE)) out[`${kind}/${nameOf(object)}`] = specOf(object);
  }
  return out;
}

export async function startClusterEnv(options: { workspace: string; readyDelayMs: number }): Promise<ClusterEnv> {
  const server = await TestKubeApiServer.start({ readyDelayMs: options.readyDelayMs });
  const dir = makeTempDir('kube');
  // Removed by close(), or at exit if the run is interrupted (the server dies with this process).
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    for (const object of fixtureObjects(options.workspace)) {
      server.seed(object, { manager: object.kind === 'Service' ? 'helm' : 'kubectl-client-side-apply' });
    }
  } catch (err) {
    await server.close();
    removeDir();
    process.removeListener('exit', removeDir);
    throw err;
  }
  const kubeconfig = server.writeKubeconfig(dir, { context: CONTEXT, namespace: NAMESPACE });
  const seeded = specs(server);
  const byName = (kind: string) => Object.fromEntries(server.objects(kind, NAMESPACE).map((o) => [nameOf(o), o]));
  return {
    server,
    kubeconfig,
    snapshot: () => ({
      server: server.url,
      deployments: byName('Deployment'),
      services: byName('Service'),
      configMaps: byName('ConfigMap'),
      seeded,
      now: specs(server),
      requestCount: server.requests.length,
    }),
    requests: (from) =>
      server.requests.slice(from).map((r) => ({
        method: r.method,
        verb: r.verb,
        resource: r.resource,
        subresource: r.subresource,
        name: r.name,
        dryRun: r.query.get('dryRun') === 'All',
        status: r.status,
      })),
    writeWorkspaceSettings(workspace, extra = {}) {
      const folder = path.join(workspace, '.vscode');
      fs.mkdirSync(folder, { recursive: true });
      const settings = { 'consolidation.kubeconfig': kubeconfig, 'consolidation.apply.timeout': '60s', ...extra };
      fs.writeFileSync(path.join(folder, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
    },
    async close() {
      await server.close();
      removeDir();
      process.removeListener('exit', removeDir);
    },
  };
}
