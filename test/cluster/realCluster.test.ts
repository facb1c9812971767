// The same apply / rollback flow against a real cluster, when CONSOLIDATE_E2E_KUBECONFIG names one.
//   CONSOLIDATE_E2E_KUBECONFIG=~/.kube/kind.yaml [CONSOLIDATE_E2E_CONTEXT=kind-e2e] [CONSOLIDATE_E2E_NAMESPACE=existing-ns] \
//     node scripts/run-unit-tests.mjs test/cluster/realCluster.test.ts
// Without CONSOLIDATE_E2E_NAMESPACE it creates a namespace consolidation-e2e-<random> and deletes it at the end.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyPhase, recordStoreFor } from '../../server/src/cluster/applyPhase';
import { connect, loadClientNode, type KubeClusterApi } from '../../server/src/cluster/kubeClusterApi';
import { loadPhase } from '../../server/src/cluster/phasePlan';
import { rollbackPhase } from '../../server/src/cluster/rollback';
import { waitForRollouts } from '../../server/src/cluster/rollout';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import { FIXTURE, fixtureObjects, specOf } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

const kubeconfig = process.env.CONSOLIDATE_E2E_KUBECONFIG;
const skip = kubeconfig
  ? false
  : 'CONSOLIDATE_E2E_KUBECONFIG is not set: no real cluster to run the apply/rollback flow against (the test API server covers it)';

describe('apply and rollback on a real cluster', { timeout: 15 * 60_000 }, () => {
  let api: KubeClusterApi;
  let workspace: TempWorkspace;
  let namespace: string;
  let createdNamespace = false;
  const kinds = ['Deployment', 'Service'];

  before(async () => {
    if (skip) return;
    api = await connect({ kubeconfig, context: process.env.CONSOLIDATE_E2E_CONTEXT });
    namespace = process.env.CONSOLIDATE_E2E_NAMESPACE ?? `consolidation-e2e-${randomBytes(3).toString('hex')}`;
    workspace = tempWorkspace({ copyFrom: FIXTURE, prefix: 'consolidation-e2e-' });
    for (const file of [
      workspace.file('shop.plan.yaml'),
      ...fs.readdirSync(workspace.file('manifests')).map((f) => workspace.file(`manifests/${f}`)),
    ]) {
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/namespace: shop$/gm, `namespace: ${namespace}`));
    }
    // Seeded as another tool would have applied it, under its own field manager.
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig!);
    if (process.env.CONSOLIDATE_E2E_CONTEXT) kc.setCurrentContext(process.env.CONSOLIDATE_E2E_CONTEXT);
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    if (!process.env.CONSOLIDATE_E2E_NAMESPACE) {
      await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      createdNamespace = true;
    }
    for (const object of fixtureObjects()) {
      (object.metadata as JsonObject).namespace = namespace;
      await objects.patch(
        object as never,
        undefined,
        undefined,
        'e2e-seed',
        undefined,
        k8s.PatchStrategy.ServerSideApply,
      );
    }
    await waitForRollouts(
      api,
      ['cart', 'checkout', 'search', 'legacy'].map((name) => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace,
        name,
      })),
      { timeoutMs: 5 * 60_000, pollIntervalMs: 2000 },
    );
  });

  after(async () => {
    if (!api) return;
    if (createdNamespace)
      await api.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
    workspace?.dispose();
  });

  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const kind of kinds) {
      for (const object of await api.list(kind === 'Service' ? 'v1' : 'apps/v1', kind, namespace)) {
        if ((object.metadata.labels as JsonObject | undefined)?.['consolidation.dev/record']) continue;
        const spec = specOf(object as JsonObject) as { spec: JsonObject; annotations: JsonObject | null };
        // What the cluster maintains on its own is not this tool's to restore.
        const annotations = { ...(spec.annotations ?? {}) };
        delete annotations['deployment.kubernetes.io/revision'];
        out[`${kind}/${object.metadata.name}`] = { ...spec, annotations };
      }
    }
    return out;
  };

  it('applies the phase, then rolls it back to exactly the recorded state', { skip }, async () => {
    const initial = await snapshot();
    const loaded = loadPhase(path.join(workspace.dir, 'shop.plan.yaml'), 'merge-backend');
    const applied = await applyPhase({
      api,
      loaded,
      timeoutMs: 5 * 60_000,
      onProgress: (e) => process.stderr.write(`  ${e.message}\n`),
    });
    assert.equal(applied.status, 'applied', applied.message);
    const cart = await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'cart' });
    assert.equal((cart!.spec as JsonObject).replicas, 0);
    const service = await api.get({ apiVersion: 'v1', kind: 'Service', namespace, name: 'cart' });
    assert.deepEqual((service!.spec as JsonObject).selector, { 'consolidation.dev/merge': 'backend' });

    const rolledBack = await rollbackPhase({ api, store: recordStoreFor(api, loaded), timeoutMs: 5 * 60_000 });
    assert.equal(rolledBack.status, 'rolled-back', rolledBack.message);
    assert.equal(await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'backend' }), undefined);
    assert.deepEqual(await snapshot(), initial);
    await api.delete(recordStoreFor(api, loaded).configMapRef);
  });
});
