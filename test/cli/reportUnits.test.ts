// Issue 13 item 11: the text report mixed units in a column (`10Gi` beside `10,620Mi`, raw bytes such as
// `11,435,877,120` when a source writes `300M`). One unit per column, readable; the JSON keeps exact bytes
// (test/fixtures/check/report-units/expected-report.json).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_FIXTURES } from '../helpers/checkFixtures';
import { runCli } from '../helpers/cli';

describe('report text: one unit per column', () => {
  it('memory columns in Mi throughout, a total that is not whole MiB marked ≈', async () => {
    const result = await runCli(['report', 'units.plan.yaml'], {
      cwd: path.join(CHECK_FIXTURES, 'report-units', 'input'),
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    const header = lines.findIndex((line) => line.startsWith('state '));
    const rows = lines.slice(header + 2).map((row) => row.split(/\s{2,}/));
    assert.deepEqual(
      rows.map((r) => [r[0], r[4], r[5], r[6], r[7]]),
      [
        ['current', '5,000m (31%)', '9,680m (61%)', '10,240Mi (63%)', '10,240Mi (63%)'],
        ['resize-app', '5,000m (31%)', '9,680m (61%)', '10,620Mi (65%)', '10,620Mi (65%)'],
        ['start-cache', '5,100m (32%)', '9,780m (61%)', '≈10,906.1Mi (67%)', '≈10,906.1Mi (67%)'],
      ],
    );
  });
});
