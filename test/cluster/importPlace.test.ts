// Import Cluster State writes only inside its folder and replaces no file the user has: checked
// before anything is written. In-process against the test API server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { importCluster } from '../../server/src/cluster/importCluster';
import { clusterFixture, type ClusterFixture } from '../helpers/clusterFixture';

describe('Import Cluster State: files inside the folder, nothing of the user replaced', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('refuses, writing nothing, when a manifest it would write is already there', async () => {
    fixture = await clusterFixture();
    const out = fixture.workspace.file('imported');
    const mine = path.join(out, 'manifests', 'deployment-cart.yaml');
    fs.mkdirSync(path.dirname(mine), { recursive: true });
    fs.writeFileSync(mine, '# my own notes about cart\n');
    await assert.rejects(
      importCluster({ api: fixture.api, namespace: 'shop', outDir: out }),
      /Nothing was imported: .*deployment-cart\.yaml already exists/,
    );
    assert.equal(fs.readFileSync(mine, 'utf8'), '# my own notes about cart\n');
    assert.deepEqual(fs.readdirSync(path.join(out, 'manifests')), ['deployment-cart.yaml']);
    assert.equal(fs.existsSync(path.join(out, 'shop.plan.yaml')), false);
  });

  it('refuses when manifests/ is a symbolic link that leads outside the folder', async () => {
    fixture = await clusterFixture();
    const out = fixture.workspace.file('imported');
    const elsewhere = fixture.workspace.file('elsewhere');
    fs.mkdirSync(out, { recursive: true });
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(out, 'manifests'));
    await assert.rejects(
      importCluster({ api: fixture.api, namespace: 'shop', outDir: out }),
      /Nothing was imported: .* leads outside .*imported through a symbolic link/,
    );
    assert.deepEqual(fs.readdirSync(elsewhere), []);
  });
});
