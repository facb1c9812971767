// What apply writes on objects another manager owns: Helm's ownership labels and annotations stay as they were on
// the Services it re-points and the workloads it scales down or changes; only the workload the phase creates
// carries app.kubernetes.io/managed-by: consolidation-plans (a later `helm upgrade` must still recognise its objects).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { applyPhase } from '../../server/src/cluster/applyPhase';
import { clusterFixture, fixtureObjects, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

const HELM_LABELS = { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'shop-1.0.0' };
const HELM_ANNOTATIONS = { 'meta.helm.sh/release-name': 'shop', 'meta.helm.sh/release-namespace': 'shop' };

function metadataOf(fixture: ClusterFixture, kind: string, name: string): JsonObject {
  const object = fixture.server.object(kind, 'shop', name);
  assert.ok(object, `${kind} shop/${name} exists`);
  return object.metadata as JsonObject;
}

describe('apply on objects another manager owns', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it("keeps Helm's labels and annotations on what it re-points, scales down and changes; marks only what it creates", async () => {
    fixture = await clusterFixture({ readyDelayMs: 10, seed: false });
    for (const object of fixtureObjects()) {
      const metadata = object.metadata as JsonObject;
      metadata.namespace ??= 'shop';
      metadata.labels = { ...((metadata.labels as JsonObject | undefined) ?? {}), ...HELM_LABELS };
      metadata.annotations = { ...((metadata.annotations as JsonObject | undefined) ?? {}), ...HELM_ANNOTATIONS };
      fixture.server.seed(object, { manager: 'helm' });
    }
    const outcome = await applyPhase({ api: fixture.api, loaded: fixture.load('merge-backend'), pollIntervalMs: 5 });
    assert.equal(outcome.status, 'applied', outcome.message);

    // Re-pointed (cart, checkout), scaled down (cart, checkout, legacy), scaled and resized (search).
    for (const [kind, name] of [
      ['Service', 'cart'],
      ['Service', 'checkout'],
      ['Deployment', 'cart'],
      ['Deployment', 'checkout'],
      ['Deployment', 'legacy'],
      ['Deployment', 'search'],
    ]) {
      const metadata = metadataOf(fixture, kind, name);
      const labels = metadata.labels as JsonObject;
      const annotations = metadata.annotations as JsonObject;
      for (const [k, v] of Object.entries(HELM_LABELS)) assert.equal(labels[k], v, `${kind} ${name}: label ${k}`);
      for (const [k, v] of Object.entries(HELM_ANNOTATIONS))
        assert.equal(annotations[k], v, `${kind} ${name}: annotation ${k}`);
      assert.equal(
        annotations['consolidation.dev/phase'],
        'merge-backend',
        `${kind} ${name} says which phase touched it`,
      );
    }
    const backend = metadataOf(fixture, 'Deployment', 'backend');
    assert.equal((backend.labels as JsonObject)['app.kubernetes.io/managed-by'], 'consolidation-plans');
    assert.equal(
      (backend.annotations as JsonObject)['meta.helm.sh/release-name'],
      undefined,
      'the new workload is not part of the Helm release',
    );
  });
});
