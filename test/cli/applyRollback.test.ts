// `consolidate apply` and `consolidate rollback`, run in-process against the test API server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { apply, rollback } from '../../server/src/cli/apply';
import { main } from '../../server/src/cli/main';
import { cliIo as io, clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';
import type { JsonObject } from '../helpers/kubeFields';
import { Capture } from '../helpers/capture';

function terminal(answers: string[]): NodeJS.ReadableStream & { isTTY: boolean } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean };
  stream.isTTY = true;
  for (const answer of answers) stream.write(`${answer}\n`);
  return stream;
}

function replicas(fixture: ClusterFixture, name: string): unknown {
  return (fixture.server.object('Deployment', 'shop', name)?.spec as JsonObject | undefined)?.replicas;
}

describe('consolidate apply / rollback', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('without --yes and without a terminal: refuses (exit 2) and changes nothing', async () => {
    fixture = await clusterFixture();
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], run), 2);
    assert.match(run.err.text, /refusing to change the cluster without a confirmation.*pass --yes/);
    assert.deepEqual(fixture.server.writes(), []);
  });

  it('--dry-run needs no --yes, prints the diffs and changes nothing', async () => {
    fixture = await clusterFixture();
    const rv = fixture.server.resourceVersion;
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--dry-run'], run), 0, run.err.text);
    assert.equal(fixture.server.resourceVersion, rv);
    assert.deepEqual(fixture.server.writes({ dryRun: false }), []);
    assert.match(run.out.text, /# Dry run of phase merge-backend on context test/);
    assert.match(run.out.text, /^\+\+\+ Deployment shop\/cart \(after phase merge-backend\)$/m);
    assert.match(run.out.text, /^- {2}replicas: 2$/m);
    assert.ok(!fs.existsSync(fixture.workspace.file('.consolidation')));
  });

  it('--yes applies: progress on stderr, the summary on stdout, exit 0; rollback --yes undoes it', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const run = io(fixture);
    assert.equal(
      await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '1m'], run),
      0,
      run.err.text,
    );
    assert.match(
      run.err.text,
      /applying phase merge-backend to context test \(cluster test-cluster, http:\/\/127\.0\.0\.1:\d+\)/,
    );
    assert.match(run.err.text, /Wait for the rollout of Deployment shop\/backend/);
    assert.match(run.out.text, /^Applied phase merge-backend of plan shop to context test/m);
    assert.match(run.out.text, /To undo: consolidate rollback shop\.plan\.yaml --phase merge-backend/);
    assert.equal(replicas(fixture, 'cart'), 0);
    for (const text of [run.out.text, run.err.text])
      assert.ok(!text.includes(fixture.server.token), 'no credentials in the output');

    const back = io(fixture);
    assert.equal(await rollback(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], back), 0, back.err.text);
    assert.match(back.out.text, /Rolled back phase merge-backend/);
    assert.equal(replicas(fixture, 'cart'), 2);
    assert.equal(fixture.server.object('Deployment', 'shop', 'backend'), undefined);
  });

  it('on a terminal it asks, naming the context, cluster and namespace; "n" applies nothing', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    const declined = io(fixture, { stdin: terminal(['n']) });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], declined), 1);
    assert.match(
      declined.err.text,
      /Apply it to context test \(cluster test-cluster, http:\/\/127\.0\.0\.1:\d+\), namespace shop\? \[y\/N\]/,
    );
    assert.match(declined.err.text, /- create Deployment shop\/backend/);
    assert.deepEqual(fixture.server.writes(), []);
    const accepted = io(fixture, { stdin: terminal(['y']) });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend'], accepted), 0, accepted.err.text);
    assert.equal(replicas(fixture, 'cart'), 0);
  });

  it('a failure exits 1 after saying what was and was not done, and how to undo it', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    fixture.server.rollout('shop', 'backend', 'never-ready');
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '100ms'], run), 1);
    assert.match(run.err.text, /Timed out after 100ms waiting for the rollout of Deployment shop\/backend/);
    assert.match(run.err.text, /Done:\n {2}- Recorded the current state/);
    assert.match(run.err.text, /Not done:\n {2}- wait for the rollout/);
    assert.match(run.err.text, /To undo what was done: consolidate rollback shop\.plan\.yaml --phase merge-backend/);
    assert.equal(replicas(fixture, 'cart'), 2);
  });

  it('--yes does not force: a field conflict stops the apply when there is no terminal to ask', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], io(fixture)), 0);
    fixture.server.edit('Deployment', 'shop', 'backend', (o) => ((o.spec as JsonObject).replicas = 5), 'helm');
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--yes'], run), 1);
    assert.match(run.err.text, /\.spec\.replicas is owned by "helm"/);
    assert.equal(replicas(fixture, 'backend'), 5);
  });

  it('usage errors exit 2: no --phase (the phases are listed), an unknown phase, a bad --timeout', async () => {
    fixture = await clusterFixture();
    const err = new Capture();
    const out = new Capture();
    assert.equal(await main(['apply', fixture.planFile], fixture.workspace.dir, out, err), 2);
    assert.match(err.text, /apply needs --phase NAME \(phases: merge-backend, resize-backend\)/);
    const unknown = new Capture();
    assert.equal(
      await main(['rollback', fixture.planFile, '--phase', 'nope', '--yes'], fixture.workspace.dir, out, unknown),
      2,
    );
    assert.match(unknown.text, /no phase "nope" in the plan/);
    const timeout = new Capture();
    assert.equal(
      await main(
        ['apply', fixture.planFile, '--phase', 'merge-backend', '--timeout', '10'],
        fixture.workspace.dir,
        out,
        timeout,
      ),
      2,
    );
    assert.match(timeout.text, /--timeout takes a duration such as 10m/);
  });

  it('an unknown --context or a missing kubeconfig is a failure that says what to do', async () => {
    fixture = await clusterFixture();
    const run = io(fixture);
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--dry-run', '--context', 'prod'], run), 1);
    assert.match(run.err.text, /The kubeconfig has no context "prod" \(contexts: test\)/);
    const missing = io(fixture, { env: { KUBECONFIG: fixture.workspace.file('nowhere.yaml') } });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--dry-run'], missing), 1);
    assert.match(missing.err.text, /No kubeconfig found at .*nowhere\.yaml/);
    const explicit = io(fixture, { env: {} });
    assert.equal(
      await apply(
        ['shop.plan.yaml', '--phase', 'merge-backend', '--dry-run', '--kubeconfig', fixture.kubeconfig],
        explicit,
      ),
      0,
      explicit.err.text,
    );
  });

  it('401: says the credentials were refused, without printing them', async () => {
    fixture = await clusterFixture();
    const kubeconfig = fixture.server.writeKubeconfig(fixture.workspace.file('.kube'), {
      file: 'bad.yaml',
      token: 'not-the-token-s3cr3t',
    });
    const run = io(fixture, { env: { KUBECONFIG: kubeconfig } });
    assert.equal(await apply(['shop.plan.yaml', '--phase', 'merge-backend', '--dry-run'], run), 1);
    assert.match(run.err.text, /did not accept the credentials of context "test" \(401 Unauthorized\)/);
    assert.ok(!run.err.text.includes('s3cr3t'));
  });
});
