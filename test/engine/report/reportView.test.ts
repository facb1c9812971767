// The report's pictures (budget chart, composition, nodes, Markdown table) against the report JSON
// of the example workspaces: every number drawn is the engine's number.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { buildReport, type PlanReport } from '../../../server/src/engine/report/report';
import { budgetMetrics, compositionMetrics, worstShare } from '../../../server/src/engine/report/view/figures';
import { renderBudgetChart } from '../../../server/src/engine/report/view/budgetChart';
import { compositionRows, renderComposition } from '../../../server/src/engine/report/view/compositionChart';
import { renderCompactChart } from '../../../server/src/engine/report/view/compactChart';
import { renderNodes } from '../../../server/src/engine/report/view/nodesChart';
import { formatReportMarkdown } from '../../../server/src/engine/report/view/markdown';
import { renderStandaloneHtml } from '../../../server/src/engine/report/view/standalone';
import { columnUnit, sharePercent } from '../../../server/src/engine/report/view/units';

const repo = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = ['openpolicy', 'odin-prime', 'aiwfe', 'single-pod'];

function exampleReport(example: string): { report: PlanReport; findings: { code: string }[]; dir: string } {
  const dir = path.join(repo, 'examples', example);
  const planFile = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.plan.yaml'))!,
  );
  const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  const report = buildReport(ws.plan(planFile)!, dir, (file, offset) => ws.lineIndex(file)?.positionAt(offset).line);
  return { report, findings: ws.findings.plan(planFile), dir };
}

/** `attr="value"` pairs of every element of a tag carrying `marker` in its attributes. */
function elements(svg: string, tag: string, marker: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))) {
    if (!match[1].includes(marker)) continue;
    found.push(Object.fromEntries([...match[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])));
  }
  return found;
}

describe('report JSON: what the pictures are drawn from', () => {
  it("composition sums to each state's totals, and its locations point at the workloads' names", () => {
    for (const example of EXAMPLES) {
      const { report, dir } = exampleReport(example);
      for (const state of report.states) {
        const steady = state.composition.filter((w) => w.steady);
        assert.equal(steady.length, state.workloads, `${example} ${state.phase}`);
        assert.equal(
          steady.reduce((n, w) => n + w.pods, 0),
          state.pods,
        );
        for (const resource of Object.keys(state.requests)) {
          assert.equal(
            steady.reduce((n, w) => n + (w.requests[resource] ?? 0), 0),
            state.requests[resource],
            `${example} ${state.phase} ${resource}`,
          );
          assert.equal(
            steady.reduce((n, w) => n + (w.limits[resource] ?? 0), 0),
            state.limits[resource] ?? 0,
          );
        }
        for (const w of state.composition.slice(0, 5)) {
          const line = fs.readFileSync(path.join(dir, w.location.file), 'utf8').split(/\r?\n/)[w.location.line];
          assert.ok(
            line.includes(w.name),
            `${example}: ${w.name} at ${w.location.file}:${w.location.line} is "${line}"`,
          );
        }
      }
    }
  });

  it('targets: missed exactly where budget/target-missed reports them', () => {
    for (const example of EXAMPLES) {
      const { report, findings } = exampleReport(example);
      const missed = report.states.flatMap((s) => s.targets).filter((t) => t.met === false).length;
      assert.equal(missed, findings.filter((f) => f.code === 'budget/target-missed').length, example);
    }
    const openpolicy = exampleReport('openpolicy').report;
    const targets = openpolicy.states.flatMap((s) => s.targets.map((t) => [s.phase, t.metric, t.raw, t.met]));
    assert.ok(targets.length >= 3, JSON.stringify(targets));
  });

  it('schedule: nodes with their allocatable and free room, unschedulable pods as counted', () => {
    const { report } = exampleReport('openpolicy');
    for (const state of report.states) {
      assert.ok(state.schedule, 'openpolicy has budget.nodes');
      assert.equal(
        state.schedule.unschedulable.reduce((n, u) => n + u.count, 0),
        state.unschedulable,
      );
      for (const node of state.schedule.nodes) {
        for (const [resource, free] of Object.entries(node.free))
          assert.ok(free >= 0 && free <= node.allocatable[resource], `${node.node} ${resource}`);
        assert.ok(node.freePods >= 0 && node.freePods <= node.podCapacity);
      }
    }
    assert.equal(exampleReport('single-pod').report.states[0].schedule, null);
  });
});

describe('budget chart', () => {
  it('draws one bar per state and metric with the JSON value, and a title on every figure', () => {
    for (const example of EXAMPLES) {
      const { report } = exampleReport(example);
      const svg = renderBudgetChart(report);
      const bars = elements(svg, 'rect', 'data-metric=');
      const metrics = budgetMetrics(report);
      assert.equal(bars.length, metrics.length * report.states.length, example);
      const value = (id: string, i: number) => {
        const s = report.states[i];
        if (id === 'pods') return s.pods;
        if (id === 'workloads') return s.workloads;
        const [resource, kind] = [id.slice(0, id.lastIndexOf('.')), id.slice(id.lastIndexOf('.') + 1)];
        return (kind === 'limits' ? s.limits : s.requests)[resource] ?? 0;
      };
      for (const metric of metrics) {
        report.states.forEach((state, i) => {
          const bar = bars.find(
            (b) =>
              b['data-metric'] === metric.id &&
              b['data-state'] === (state.phase === null ? 'current' : `after ${state.phase}`),
          )!;
          assert.ok(bar, `${example} ${metric.id} ${state.phase}`);
          assert.equal(Number(bar['data-value']), value(metric.id, i), `${example} ${metric.id} ${state.phase}`);
        });
      }
      assert.match(svg, /^<svg[^>]*role="figure"[^>]*aria-labelledby="budget-title budget-desc"/);
      assert.equal(
        elements(svg, 'g', 'class="row"').filter((g) => !g['aria-label']).length,
        0,
        'every bar has a label',
      );
    }
  });

  it('reads like the text report: shares of the budget, the overcommit line, targets met or missed', () => {
    const { report } = exampleReport('openpolicy');
    const svg = renderBudgetChart(report);
    // current state: memory requests 7,714Mi (94%), limits 15,238Mi (186%) against 150% overcommit
    assert.match(svg, /aria-label="current: Memory requests 7,714Mi, 94% of budget 8,192Mi"/);
    assert.match(svg, /current: Memory limits 15,238Mi, 186% of budget 8,192Mi, above the 150% limits overcommit/);
    assert.match(svg, /limits overcommit 150% = 12,288Mi/);
    assert.match(
      svg,
      /after infrastructure-protection: Memory requests 9,378Mi, 114% of budget 8,192Mi, over budget, target at most 80%: missed/,
    );
    assert.equal(elements(svg, 'path', 'overcommit-line').length, 2, 'cpu and memory limits');
    assert.ok(elements(svg, 'g', 'class="target missed"').length >= 1);
  });

  it('escapes names from plans and manifests', () => {
    const { report } = exampleReport('single-pod');
    const hostile = structuredClone(report);
    hostile.name = '<script>alert(1)</script>';
    hostile.states[0].phase = '"><img src=x onerror=alert(1)>';
    hostile.states[0].composition[0].name = '<img src=x>';
    const html = renderStandaloneHtml(hostile);
    assert.doesNotMatch(html, /<img|<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});

describe('compact chart (the side bar)', () => {
  it('a bar per state for each metric with a budget, with the same values and labels as the full chart', () => {
    for (const example of EXAMPLES) {
      const { report } = exampleReport(example);
      const compact = elements(renderCompactChart(report), 'rect', 'data-metric=');
      const full = elements(renderBudgetChart(report), 'rect', 'data-metric=');
      const withBudget = budgetMetrics(report)
        .filter((m) => m.budget !== undefined)
        .map((m) => m.id);
      assert.deepEqual([...new Set(compact.map((b) => b['data-metric']))], withBudget, example);
      for (const bar of compact) {
        const same = full.find(
          (b) => b['data-metric'] === bar['data-metric'] && b['data-state'] === bar['data-state'],
        )!;
        assert.equal(bar['data-value'], same['data-value']);
      }
    }
  });
});

describe('composition and nodes', () => {
  it('rows are largest first and, with the rest summed, add up to the state total of the metric', () => {
    for (const example of EXAMPLES) {
      const { report } = exampleReport(example);
      for (const metric of compositionMetrics(report)) {
        report.states.forEach((_, i) => {
          const rows = compositionRows(report, i, metric);
          assert.equal(
            rows.reduce((n, r) => n + r.value, 0),
            metric.rows[i].value,
            `${example} ${metric.id} state ${i}`,
          );
          const workloads = rows.filter((r) => r.workload);
          for (let k = 1; k < workloads.length; k++) assert.ok(workloads[k - 1].value >= workloads[k].value);
          const svg = renderComposition(report, i, metric);
          assert.equal(Number(/data-total="(\d+)"/.exec(svg)![1]), metric.rows[i].value);
        });
      }
    }
  });

  it('the merged workloads of openpolicy are drawn as merged, with where they come from', () => {
    const { report } = exampleReport('openpolicy');
    const memory = compositionMetrics(report).find((m) => m.id === 'memory.requests')!;
    const svg = renderComposition(report, report.states.length - 1, memory);
    assert.match(
      svg,
      /security-hub \(Deployment, 2 pods, merged from auth-service, config-service, policy-service\): Memory requests 768Mi/,
    );
    assert.match(svg, /data-file="openpolicy\.plan\.yaml"/);
  });

  it('nodes: used + free = allocatable for each node, unschedulable in their own column', () => {
    const { report } = exampleReport('openpolicy');
    report.states.forEach((state, i) => {
      const svg = renderNodes(report, i);
      const used = elements(svg, 'rect', 'bar used');
      assert.equal(used.length, state.schedule!.nodes.length * 2);
      for (const node of state.schedule!.nodes) {
        const cpu = used.find(
          (u, k) => Math.floor(k / 2) === state.schedule!.nodes.indexOf(node) && u['data-resource'] === 'cpu',
        )!;
        assert.equal(Number(cpu['data-value']) + (node.free.cpu ?? 0), node.allocatable.cpu);
      }
      assert.match(svg, new RegExp(`data-unschedulable="${state.unschedulable}"`));
    });
    assert.equal(renderNodes(exampleReport('single-pod').report, 0), '');
  });
});

describe('units and the Markdown table', () => {
  it('one unit per column, exact', () => {
    assert.equal(columnUnit('memory', [8 * 2 ** 30, 2 ** 30]).format(8 * 2 ** 30), '8Gi');
    const mixed = columnUnit('memory', [8 * 2 ** 30, 1536 * 2 ** 20]);
    assert.deepEqual([mixed.format(8 * 2 ** 30), mixed.format(1536 * 2 ** 20)], ['8,192Mi', '1,536Mi']);
    assert.equal(columnUnit('memory', [2 ** 30, 1000]).format(1000), '0.00095367431640625Mi');
    assert.equal(columnUnit('memory', [1000]).format(1000), '1,000');
    assert.equal(columnUnit('cpu', [4000]).format(12600), '12,600m');
    assert.equal(columnUnit('nvidia.com/gpu', [1]).format(2), '2');
    assert.deepEqual(
      [sharePercent(7714, 8192), sharePercent(1, 200), sharePercent(0, 5), sharePercent(189, 200)],
      ['94%', '0.5%', '0%', '95%'],
    );
  });

  it('has a row per state with the JSON figures, and the largest workloads', () => {
    for (const example of EXAMPLES) {
      const { report } = exampleReport(example);
      const md = formatReportMarkdown(report);
      const rows = md.split('\n').filter((l) => /^\| (current|after )/.test(l));
      assert.equal(rows.length, report.states.length, example);
      const memory = columnUnit('memory', [
        ...report.states.map((s) => s.requests.memory ?? 0),
        report.budget?.memory ?? 0,
      ]);
      report.states.forEach((state, i) =>
        assert.ok(rows[i].includes(memory.format(state.requests.memory ?? 0)), `${example}: ${rows[i]}`),
      );
    }
    const md = formatReportMarkdown(exampleReport('openpolicy').report);
    assert.match(
      md,
      /\| current \| 26 \| 0 \| 4,200m \(105%\) ⚠ \| 12,600m \(315%\) ⚠ \| 7,714Mi \(94%\) \| 15,238Mi \(186%\) ⚠ \| 29 \(26%\) \| 3 \| – \|/,
    );
    assert.match(md, /✗ Memory requests target at most 80%: missed/);
  });

  it('status bar figure: the worst share of a budget in any state', () => {
    const worst = worstShare(exampleReport('openpolicy').report)!;
    assert.deepEqual(
      [worst.state, worst.metric, worst.share],
      ['after infrastructure-protection', 'CPU requests', '124%'],
    );
  });
});
