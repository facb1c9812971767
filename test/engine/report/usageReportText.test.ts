// The report's usage table never shows a sum over no workload as 0, and names the workloads without
// data in every state, not only the current one (a merge of a workload without data has none either).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildReport } from '../../../server/src/engine/report/report';
import { formatReportText } from '../../../server/src/engine/report/reportText';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const SHOP = path.join(__dirname, '..', '..', 'workspaces', 'e2e-cluster');

describe('report text: usage of states without data', () => {
  it('a state whose every workload is unknown shows "unknown", not 0m; each state names its unknown workloads', () => {
    const ws = tempWorkspace({ copyFrom: SHOP, prefix: 'consolidation-usage-report-' });
    try {
      const plan = ws.write(
        'shop.plan.yaml',
        ws
          .read('shop.plan.yaml')
          .replace('  namespace: shop\n', '  namespace: shop\n  usage: {file: usage.json, maxAge: 520w}\n'),
      );
      // cart only: checkout has no data, so the merged backend (cart + checkout) has none either.
      const cart = {
        name: 'cart',
        samples: 2,
        cpu: { p50: 200, p95: 230, max: 230 },
        memory: { p50: 300000000, p95: 314572800, max: 314572800 },
      };
      ws.write(
        'usage.json',
        JSON.stringify({
          apiVersion: 'consolidation.dev/v1alpha1',
          kind: 'UsageSnapshot',
          source: 'metrics-server',
          origin: 'context test',
          takenAt: '2026-12-01T10:00:00Z',
          window: '5m',
          workloads: [{ name: 'cart', namespace: 'shop', pods: 2, containers: [cart] }],
        }),
      );
      const report = buildReport(new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS).plan(plan)!, ws.dir);
      const text = formatReportText(report);
      const usageRows = text.slice(text.indexOf('Observed usage:')).split('\n');
      const current = usageRows.find((l) => l.startsWith('current '))!;
      const merged = usageRows.find((l) => l.startsWith('merge-backend '))!;
      assert.match(current, /^current +300m +460m \(6%\) +460m +384Mi +600Mi \(4%\) +600Mi +1$/, text);
      assert.match(merged, /^merge-backend +400m +unknown +unknown +512Mi +unknown +unknown +1$/, text);
      assert.ok(!/merge-backend .* 0m/.test(merged), merged);
      assert.match(
        text,
        /No usage data \(unknown, left out of the sums\):\n {2}current: checkout\n {2}after merge-backend: backend\n {2}after resize-backend: backend\n$/,
      );
    } finally {
      ws.dispose();
    }
  });
});
