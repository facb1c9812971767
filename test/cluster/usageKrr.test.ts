import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { usage } from '../../server/src/cli/usage';
import { importKrr } from '../../server/src/cluster/usageKrr';
import { readUsageSnapshot } from '../../server/src/engine/usage/snapshot';
import { tempWorkspace } from '../helpers/tempWorkspace';
import { Capture } from '../helpers/capture';

const KRR = path.join(__dirname, '..', 'fixtures', 'usage', 'krr.json');
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'live-usage');

describe('consolidate usage --from krr', () => {
  it("imports krr's recommendation: CPU p95 as is, memory max with krr's 15% taken off", () => {
    const { entries, windowMs, skipped } = importKrr(fs.readFileSync(KRR, 'utf8'));
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0].cpu, { p50: 420, p95: 420, max: 420 });
    // 506462208 / 1.15 = 440401920 (420Mi)
    assert.deepEqual(entries[0].memory, { p50: 440401920, p95: 440401920, max: 440401920 });
    assert.equal(entries[0].pods, 2);
    assert.equal(windowMs, 336 * 3_600_000);
    assert.deepEqual(skipped, ['shop/cart/cart: krr had no data ("?")']);
  });

  it('writes the snapshot the plan names, which the plan then reads', async () => {
    const ws = tempWorkspace({ copyFrom: EXAMPLE });
    try {
      fs.rmSync(ws.file('usage.yaml'));
      fs.copyFileSync(KRR, ws.file('krr.json'));
      const out = new Capture();
      const err = new Capture();
      assert.equal(
        await usage(['fine-on-paper.plan.yaml', '--from', 'krr', 'krr.json'], { cwd: ws.dir, out, err }),
        0,
        err.text,
      );
      assert.match(
        out.text,
        /Wrote usage\.yaml: 1 workload, 1 container\.\nNo usage for 2 of the plan's workloads \(not running, or not measured\): checkout, cart\./,
      );
      const snapshot = readUsageSnapshot('usage.yaml', ws.read('usage.yaml'));
      assert.deepEqual(snapshot.problems, []);
      assert.equal(snapshot.source, 'krr');
      assert.equal(snapshot.origin, 'krr.json');
      assert.equal(snapshot.windowText, '2w');
    } finally {
      ws.dispose();
    }
  });

  it('not krr output: exit 1 with a sentence; a missing file: exit 2', async () => {
    const ws = tempWorkspace({ copyFrom: EXAMPLE });
    try {
      ws.write('bad.json', '{"hello": 1}');
      const err = new Capture();
      assert.equal(
        await usage(['fine-on-paper.plan.yaml', '--from', 'krr', 'bad.json', '--out', 'x.yaml'], {
          cwd: ws.dir,
          out: new Capture(),
          err,
        }),
        1,
      );
      assert.match(err.text, /not krr's JSON output: no "scans" list\./);
      await assert.rejects(
        usage(['fine-on-paper.plan.yaml', '--from', 'krr', 'nope.json'], {
          cwd: ws.dir,
          out: new Capture(),
          err: new Capture(),
        }),
        /nope\.json: cannot read it \(ENOENT\)/,
      );
    } finally {
      ws.dispose();
    }
  });
});
