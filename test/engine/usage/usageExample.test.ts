import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost, type FileHost } from '../../../server/src/engine/workspace/fileHost';
import { buildReport } from '../../../server/src/engine/report/report';
import { formatReportText } from '../../../server/src/engine/report/reportText';
import { hover } from '../../../server/src/service/hover';
import { codeLenses } from '../../../server/src/service/codeLens';

const dir = path.join(__dirname, '..', '..', '..', 'examples', 'live-usage');
const finePlan = path.join(dir, 'fine-on-paper.plan.yaml');
const overPlan = path.join(dir, 'over-reserved.plan.yaml');
const MI = 2 ** 20;

/** The disk, with one file's text replaced (an editor's unsaved buffer). */
function withText(file: string, text: string): ConsolidationWorkspace {
  const host: FileHost = { ...nodeFileHost, readFile: (f) => (f === file ? text : nodeFileHost.readFile(f)) };
  return new ConsolidationWorkspace(host, DEFAULT_OPTIONS);
}

describe('examples/live-usage', () => {
  it('fine on paper: requests fit, usage does not (below-usage at the merge, usage target missed, cart named)', () => {
    const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const findings = ws.findings.plan(finePlan);
    assert.ok(!findings.some((f) => f.code.startsWith('budget/')), findings.map((f) => f.message).join('\n'));
    const below = findings.filter((f) => f.code === 'usage/request-below-usage').map((f) => f.message);
    assert.equal(below.length, 2);
    assert.match(below[0], /web\/storefront: memory request 256Mi is below its observed max 420Mi/);
    assert.match(
      findings.find((f) => f.code === 'usage/target-missed')!.message,
      /memory usage p95 1,144Mi = 28% of budget 4Gi, target at most 25% \(1 workload without usage data not counted: cart\)/,
    );
    assert.match(findings.find((f) => f.code === 'usage/no-data')!.message, /no usage for 1 workload: cart/);
  });

  it('fine on paper: the quick fix resizes the merged sources in the merge phase, and the findings go', () => {
    const text = fs.readFileSync(finePlan, 'utf8');
    let fixed = text;
    for (let round = 0; round < 2; round++) {
      const ws = withText(finePlan, fixed);
      const finding = ws.findings.plan(finePlan).find((f) => f.code === 'usage/request-below-usage');
      assert.ok(finding && finding.data?.fix === 'edits');
      const changes = [...finding.data.actions[0].changes].sort((a, b) => b.start - a.start);
      for (const c of changes) fixed = fixed.slice(0, c.start) + c.newText + fixed.slice(c.end);
    }
    assert.match(
      fixed,
      /\n {6}resize: \{storefront: \{requests: \{cpu: 450m, memory: 512Mi\}\}, checkout: \{requests: \{cpu: 150m, memory: 256Mi\}\}\}\n/,
    );
    const after = withText(finePlan, fixed).findings.plan(finePlan);
    assert.ok(
      !after.some((f) => f.code === 'usage/request-below-usage' || f.severity === 'error'),
      after.map((f) => f.message).join('\n'),
    );
  });

  it('over-reserved: requests over budget, usage a tenth of it; the report shows usage beside requests', () => {
    const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const findings = ws.findings.plan(overPlan);
    assert.ok(findings.some((f) => f.code === 'budget/requests-exceeded'));
    const above = findings.filter((f) => f.code === 'usage/request-above-usage').map((f) => f.message);
    assert.equal(above.length, 3, above.join('\n'));
    assert.ok(
      above.some((m) =>
        /catalog: CPU request 1,000m against an observed p95 80m; .* frees 920m cpu per pod \(1,840m over 2 pods\)/.test(
          m,
        ),
      ),
    );
    const report = buildReport(ws.plan(overPlan)!, dir);
    assert.deepEqual(report.states[0].usage?.cpu, {
      p50: 2 * 35 + 120 + 10,
      p95: 2 * 80 + 260 + 90,
      max: 2 * 210 + 700 + 480,
    });
    assert.equal(report.states[0].usage?.memory.max, 2 * 322961408 + 1153433600 + 209715200);
    assert.equal(report.usage?.source, 'prometheus');
    assert.match(
      formatReportText(report),
      /Observed usage: usage\.yaml \(prometheus, 7d to 2026-12-07T09:00:00Z\)\n\nstate .*cpu p95.*\n.*\ncurrent +4,500m +510m \(13%\)/,
    );
  });

  it('over-reserved: with the three resize fixes applied, the state after right-size fits the budget', () => {
    let text = fs.readFileSync(overPlan, 'utf8');
    for (let round = 0; round < 3; round++) {
      const finding = withText(overPlan, text)
        .findings.plan(overPlan)
        .find((f) => f.code === 'usage/request-above-usage');
      assert.ok(finding && finding.data?.fix === 'edits', `round ${round}`);
      for (const c of [...finding.data.actions[0].changes].sort((a, b) => b.start - a.start))
        text = text.slice(0, c.start) + c.newText + text.slice(c.end);
    }
    const after = withText(overPlan, text).findings.plan(overPlan);
    assert.ok(!after.some((f) => f.code === 'usage/request-above-usage'), text);
    const exceeded = after.filter((f) => f.code === 'budget/requests-exceeded').map((f) => f.message);
    assert.ok(exceeded.length > 0 && exceeded.every((m) => m.startsWith('current state')), exceeded.join('\n'));
    assert.match(
      text,
      /\n {6}resize: \{catalog: \{requests: \{cpu: 80m, memory: 384Mi\}\}, search: \{containers: \{search: \{requests: \{cpu: 300m, memory: 1280Mi\}\}, indexer: \{requests: \{cpu: 90m, memory: 256Mi\}\}\}\}\}\n/,
    );
  });

  it('hover and code lens show usage beside requests, and name a workload without data', () => {
    const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const text = fs.readFileSync(finePlan, 'utf8');
    const onStorefront = hover(ws, finePlan, text.indexOf('storefront, checkout'))!;
    const value = (onStorefront.contents as { value: string }).value;
    assert.match(value, /\| usage p95 \| cpu 420m, memory 380Mi \| cpu 840m, memory 760Mi \|/);
    const lens = codeLenses(ws, finePlan).map((l) => l.command?.title ?? '');
    assert.match(
      lens[1],
      /after web: .* · CPU use p95 1120m \(56%\) · mem use p95 1,144Mi \(28%\) · 1 without usage data/,
    );
    void MI;
  });
});
