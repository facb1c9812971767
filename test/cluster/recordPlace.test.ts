// Where `consolidate apply` writes its record file: `.consolidation/` inside the plan's folder, never
// through a link that leads elsewhere. The built CLI, as a process, against the test API server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';

describe("consolidate apply: the record file stays in the plan's folder", () => {
  let fixture: ClusterFixture | undefined;
  let outside: string | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    if (outside) fs.rmSync(outside, { recursive: true, force: true });
    fixture = undefined;
  });

  it('refuses, changing nothing, when .consolidation is a symbolic link that leads outside', async () => {
    fixture = await clusterFixture({ readyDelayMs: 1 });
    outside = fs.mkdtempSync(path.join(path.dirname(fixture.workspace.dir), 'record-outside-'));
    fs.symlinkSync(outside, fixture.workspace.file('.consolidation'));
    const result = await runCli(['apply', 'shop.plan.yaml', '--phase', 'merge-backend', '--yes', '--timeout', '1m'], {
      cwd: fixture.workspace.dir,
      env: { KUBECONFIG: fixture.kubeconfig },
    });
    assert.notEqual(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /The apply record cannot be written: .*\.consolidation\/shop-merge-backend\.json leads outside .* through a symbolic link/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack');
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.deepEqual(fixture.server.writes({ dryRun: false }), []);
  });
});
