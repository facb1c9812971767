// `consolidate apply` warns, before it writes anything, that Argo CD (or Flux, or Helm) will revert
// a phase that touches objects it manages, and points to the Git route.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { apply, type ClusterCliIo } from '../../server/src/cli/apply';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import { Capture } from '../helpers/capture';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';

describe('consolidate apply on objects a GitOps controller owns', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('warns that Argo CD will revert the phase, before asking or writing', async () => {
    fixture = await clusterFixture();
    const cart = fixture.workspace.read('manifests/cart.yaml');
    fixture.workspace.write(
      'manifests/cart.yaml',
      cart.replace(
        '  labels:\n    app.kubernetes.io/name: cart\n',
        '  labels:\n    app.kubernetes.io/name: cart\n    app.kubernetes.io/instance: shop\n  annotations:\n    argocd.argoproj.io/tracking-id: "shop:apps/Deployment:shop/cart"\n',
      ),
    );
    const run = {
      cwd: fixture.workspace.dir,
      out: new Capture(),
      err: new Capture(),
      env: { KUBECONFIG: fixture.kubeconfig },
      signal: new AbortController().signal,
      connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    } as ClusterCliIo & { err: Capture };
    // No --yes and no terminal: apply refuses after the warning; nothing is written.
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.match(
      run.err.text,
      /^consolidate: warning: Phase "merge-backend" touches objects another controller manages: Argo CD \(shop\) owns cart\. .*self-heal.*in Git/m,
    );
    assert.ok(run.err.text.indexOf('warning: Phase') < run.err.text.indexOf('refusing'));
    assert.deepEqual(fixture.server.writes(), []);
  });

  it("names a re-pointed Service that Helm owns, also when the workloads are nobody's (plan diagnostic and apply warning)", async () => {
    fixture = await clusterFixture();
    const cart = fixture.workspace.read('manifests/cart.yaml');
    // Only the Service is Helm's: the merge re-points its selector at the merged workload.
    const service = cart.indexOf('kind: Service');
    fixture.workspace.write(
      'manifests/cart.yaml',
      cart.slice(0, service) +
        cart
          .slice(service)
          .replace(
            '  labels:\n    app.kubernetes.io/name: cart\n',
            '  labels:\n    app.kubernetes.io/name: cart\n    app.kubernetes.io/managed-by: Helm\n  annotations:\n    meta.helm.sh/release-name: storefront\n',
          ),
    );
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const owned = workspace.findings
      .plan(fixture.workspace.file('shop.plan.yaml'))
      .filter((f) => f.code === 'plan/owned-by-controller');
    assert.deepEqual(
      owned.map((f) => f.severity),
      ['information'],
    );
    assert.match(
      owned[0].message,
      /^Phase "merge-backend" touches objects another controller manages: Helm \(release storefront\) owns Service cart\. /,
    );
    const run = {
      cwd: fixture.workspace.dir,
      out: new Capture(),
      err: new Capture(),
      env: { KUBECONFIG: fixture.kubeconfig },
      signal: new AbortController().signal,
      connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    } as ClusterCliIo & { err: Capture };
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.match(
      run.err.text,
      /^consolidate: warning: Phase "merge-backend" touches objects another controller manages: Helm \(release storefront\) owns Service cart\. .*self-heal/m,
    );
    assert.deepEqual(fixture.server.writes(), []);
  });

  it('says nothing of controllers when none owns what the phase touches', async () => {
    fixture = await clusterFixture();
    const run = {
      cwd: fixture.workspace.dir,
      out: new Capture(),
      err: new Capture(),
      env: { KUBECONFIG: fixture.kubeconfig },
      signal: new AbortController().signal,
      connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    } as ClusterCliIo & { err: Capture };
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.doesNotMatch(run.err.text, /another controller/);
  });
});
