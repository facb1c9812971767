// Issue 14: phases applied out of order are refused, with what is missing (--force-order overrides);
// a field-manager conflict whose causes carry no field names the field from the message.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { apply, rollback } from '../../server/src/cli/apply';
import { cliIo as io, clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';

function replicas(fixture: ClusterFixture, name: string): unknown {
  return (fixture.server.object('Deployment', 'shop', name)?.spec as JsonObject | undefined)?.replicas;
}

/** The fixture's plan with a second phase that touches only objects that exist before the first. */
function withDropSearch(fixture: ClusterFixture): void {
  const plan = fixture.workspace.read('shop.plan.yaml');
  fixture.workspace.write(
    'shop.plan.yaml',
    plan.replace(
      '    - name: resize-backend',
      '    - name: drop-search\n      remove: [search]\n    - name: resize-backend',
    ),
  );
}

describe('phase order', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('a phase whose earlier phase is not applied is refused, naming what is missing, and changes nothing', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    withDropSearch(fixture);
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'drop-search', '--yes'], run), 1);
    assert.match(
      run.err.text,
      /Phase drop-search cannot be applied to context test yet; nothing was changed:\n {2}phase merge-backend is not applied on this cluster: there is no record of it, and Deployment shop\/backend does not exist \(the phase creates it\);.* Deployment shop\/cart has 2 replicas \(the phase scales it to 0\)/,
    );
    assert.match(run.err.text, /--force-order/);
    assert.deepEqual(fixture.server.writes(), []);
    assert.equal(replicas(fixture, 'search'), 3);

    // --dry-run says the same.
    const dry = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'drop-search', '--dry-run'], dry), 1);
    assert.match(dry.err.text, /phase merge-backend is not applied on this cluster/);
  });

  it('in order it applies; after the earlier phase is rolled back it is refused again; --force-order applies anyway, with a warning', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    withDropSearch(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    const inOrder = io(fixture);
    assert.equal(
      await apply(['shop.plan.yaml', '--phase', 'drop-search', '--yes', '--dry-run'], inOrder),
      0,
      inOrder.err.text,
    );

    assert.equal(await rollback(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    const refused = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'drop-search', '--yes'], refused), 1);
    assert.match(refused.err.text, /phase merge-backend is not applied on this cluster: its record says rolled-back/);

    const forced = io(fixture);
    assert.equal(
      await apply(['shop.plan.yaml', '--phase', 'drop-search', '--yes', '--force-order'], forced),
      0,
      forced.err.text,
    );
    assert.match(forced.out.text, /Applied out of order \(--force-order\)/);
    assert.equal(replicas(fixture, 'search'), 0);
  });

  it('a field-manager conflict whose causes carry no field names the field from the message', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.fail({
      resource: 'deployments',
      name: 'backend',
      contentType: 'application/apply-patch+yaml',
      status: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.replicas',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "helm" using apps/v1' }],
    });
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], run), 1);
    assert.match(
      run.err.text,
      /Conflict \(409\) applying Deployment shop\/backend: \.spec\.replicas is owned by "helm"/,
    );
    assert.doesNotMatch(run.err.text, /\? is owned/);
  });
});
