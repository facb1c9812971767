// `consolidate apply` warns, before it writes anything, that Argo CD (or Flux, or Helm) will revert
// a phase that touches objects it manages, and points to the Git route.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { apply, type ClusterCliIo } from '../../server/src/cli/apply';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import { Capture } from '../helpers/capture';

describe('consolidate apply on objects a GitOps controller owns', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('warns that Argo CD will revert the phase, before asking or writing', async () => {
    fixture = await clusterFixture();
    const cart = fixture.workspace.read('manifests/cart.yaml');
    fixture.workspace.write('manifests/cart.yaml', cart.replace('  labels:\n    app.kubernetes.io/name: cart\n', '  labels:\n    app.kubernetes.io/name: cart\n    app.kubernetes.io/instance: shop\n  annotations:\n    argocd.argoproj.io/tracking-id: "shop:apps/Deployment:shop/cart"\n'));
    const run = { cwd: fixture.workspace.dir, out: new Capture(), err: new Capture(), env: { KUBECONFIG: fixture.kubeconfig }, signal: new AbortController().signal, connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 } } } as ClusterCliIo & { err: Capture };
    // No --yes and no terminal: apply refuses after the warning; nothing is written.
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.match(run.err.text, /^consolidate: warning: Phase "merge-backend" touches objects another controller manages: Argo CD \(shop\) owns cart\. .*self-heal.*in Git/m);
    assert.ok(run.err.text.indexOf('warning: Phase') < run.err.text.indexOf('refusing'));
    assert.deepEqual(fixture.server.writes(), []);
  });

  it('says nothing of controllers when none owns what the phase touches', async () => {
    fixture = await clusterFixture();
    const run = { cwd: fixture.workspace.dir, out: new Capture(), err: new Capture(), env: { KUBECONFIG: fixture.kubeconfig }, signal: new AbortController().signal, connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 } } } as ClusterCliIo & { err: Capture };
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.doesNotMatch(run.err.text, /another controller/);
  });
});
