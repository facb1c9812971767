// Observed usage on the budget pictures and each node's pods, against the report JSON: the usage
// marks on the requests bars (CPU p95, memory max), "no data" never drawn as zero, the usage columns
// of the tables, and the node picture's pods with their workloads' lines.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { buildReport, type PlanReport } from '../../../server/src/engine/report/report';
import { compositionMetrics } from '../../../server/src/engine/report/view/figures';
import { renderBudgetChart } from '../../../server/src/engine/report/view/budgetChart';
import { renderComposition } from '../../../server/src/engine/report/view/compositionChart';
import { renderCompactChart } from '../../../server/src/engine/report/view/compactChart';
import { renderNodes } from '../../../server/src/engine/report/view/nodesChart';
import { formatReportMarkdown } from '../../../server/src/engine/report/view/markdown';
import { stateTable } from '../../../server/src/engine/report/view/table';

const repo = path.resolve(__dirname, '..', '..', '..');
const LIVE_USAGE = path.join(repo, 'examples', 'live-usage');

function reportOf(planFile: string): PlanReport {
  const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  return buildReport(
    ws.plan(planFile)!,
    path.dirname(planFile),
    (file, offset) => ws.lineIndex(file)?.positionAt(offset).line,
  );
}

/** Attributes of every element of a tag whose attributes carry `marker`. */
function elements(svg: string, tag: string, marker: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))) {
    if (!match[1].includes(marker)) continue;
    found.push(
      Object.fromEntries(
        [...match[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [
          m[1],
          m[2]
            .replace(/&#39;/g, "'")
            .replace(/&quot;/g, '"')
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&'),
        ]),
      ),
    );
  }
  return found;
}

const stateLabel = (phase: string | null) => (phase === null ? 'current' : `after ${phase}`);

// A copy of live-usage whose plans point at a missing snapshot, and at one without these workloads.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'view12-usage-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.cpSync(path.join(LIVE_USAGE, 'manifests'), path.join(tmp, 'manifests'), { recursive: true });
const plan = fs.readFileSync(path.join(LIVE_USAGE, 'fine-on-paper.plan.yaml'), 'utf8');
fs.writeFileSync(
  path.join(tmp, 'missing.plan.yaml'),
  plan.replace('usage: {file: usage.yaml', 'usage: {file: missing.yaml'),
);
fs.writeFileSync(
  path.join(tmp, 'other.plan.yaml'),
  plan.replace('usage: {file: usage.yaml', 'usage: {file: other.yaml'),
);
fs.writeFileSync(
  path.join(tmp, 'other.yaml'),
  fs
    .readFileSync(path.join(LIVE_USAGE, 'usage.yaml'), 'utf8')
    .replace(/name: (storefront|checkout)$/gm, 'name: $1-elsewhere'),
);

describe('observed usage on the budget chart', () => {
  it("fine-on-paper: a mark on each CPU and memory requests bar at the JSON's CPU p95 and memory max; cart has no data and is named, not counted", () => {
    const report = reportOf(path.join(LIVE_USAGE, 'fine-on-paper.plan.yaml'));
    const svg = renderBudgetChart(report);
    const marks = elements(svg, 'g', 'class="usage');
    assert.equal(marks.length, report.states.length * 2);
    for (const state of report.states) {
      const cpu = marks.find(
        (m) => m['data-metric'] === 'cpu.requests' && m['data-state'] === stateLabel(state.phase),
      )!;
      const memory = marks.find(
        (m) => m['data-metric'] === 'memory.requests' && m['data-state'] === stateLabel(state.phase),
      )!;
      assert.equal(Number(cpu['data-usage']), state.usage!.cpu.p95);
      assert.equal(cpu['data-stat'], 'p95');
      assert.equal(Number(memory['data-usage']), state.usage!.memory.max);
      assert.equal(memory['data-stat'], 'max');
      assert.equal(cpu['data-unknown'], 'cart');
      assert.equal(cpu.class, 'usage partial');
    }
    // The exact figures in the bar's label: current CPU p95 980m of 2,000m; after the merge memory max 1,272Mi.
    assert.match(
      svg,
      /aria-label="current: CPU requests 350m, 18% of budget 2,000m, observed usage CPU p95 980m \(49% of budget 2,000m\), not counting cart \(no data\)"/,
    );
    assert.match(svg, /observed usage memory max 1,272Mi \(31% of budget 4,096Mi\), not counting cart \(no data\)/);
    // The compact chart (side bar) draws the same marks.
    const compact = elements(renderCompactChart(report), 'g', 'class="usage');
    assert.deepEqual(
      compact.map((m) => Number(m['data-usage'])),
      [
        report.states[0].usage!.cpu.p95,
        report.states[1].usage!.cpu.p95,
        report.states[0].usage!.memory.max,
        report.states[1].usage!.memory.max,
      ],
    );
  });

  it('over-reserved: every workload measured, the mark is whole (not partial), and only on requests bars', () => {
    const report = reportOf(path.join(LIVE_USAGE, 'over-reserved.plan.yaml'));
    const marks = elements(renderBudgetChart(report), 'g', 'class="usage');
    assert.deepEqual(
      marks.map((m) => [m.class, m['data-metric'], Number(m['data-usage'])]),
      [
        ['usage', 'cpu.requests', 510],
        ['usage', 'cpu.requests', 510],
        ['usage', 'memory.requests', 2009071616],
        ['usage', 'memory.requests', 2009071616],
      ],
    );
  });

  it('no snapshot (missing file) or no workload measured: "no data", never a mark at zero', () => {
    for (const name of ['missing', 'other']) {
      const report = reportOf(path.join(tmp, `${name}.plan.yaml`));
      if (name === 'missing') assert.equal(report.states[0].usage, null);
      else assert.deepEqual(report.states[0].usage!.unknownCpu, ['storefront', 'checkout', 'cart']);
      const svg = renderBudgetChart(report);
      const marks = elements(svg, 'g', 'class="usage');
      assert.equal(marks.length, report.states.length * 2, name);
      for (const mark of marks) {
        assert.equal(mark.class, 'usage no-data', name);
        assert.equal(mark['data-usage'], 'none');
      }
      assert.match(svg, />usage: no data</);
      assert.match(svg, /observed usage CPU p95: no data/);
      const table = stateTable(report);
      const cpuColumn = table.header.indexOf('CPU usage p95 (m)');
      assert.ok(cpuColumn > 0, table.header.join('|'));
      for (const row of table.rows) assert.equal(row[cpuColumn], 'no data');
    }
  });

  it('a plan without a snapshot draws no usage and has no usage columns', () => {
    const report = reportOf(path.join(repo, 'examples', 'openpolicy', 'openpolicy.plan.yaml'));
    assert.doesNotMatch(renderBudgetChart(report), /class="usage/);
    assert.ok(!stateTable(report).header.some((h) => h.includes('usage')));
  });
});

describe('observed usage in the composition and the Markdown', () => {
  it('each workload\'s usage as the JSON gives it; cart "no data"', () => {
    const report = reportOf(path.join(LIVE_USAGE, 'fine-on-paper.plan.yaml'));
    for (const id of ['cpu.requests', 'memory.requests']) {
      const metric = compositionMetrics(report).find((m) => m.id === id)!;
      report.states.forEach((state, i) => {
        const svg = renderComposition(report, i, metric);
        const rows = elements(svg, 'g', 'data-workload=');
        const marks = [
          ...svg.matchAll(
            /<g class="row workload"[^>]*data-workload="([^"]+)"[^>]*>.*?<g class="usage[^"]*" data-usage="([^"]+)"/g,
          ),
        ].map((m) => [m[1], m[2]]);
        assert.equal(marks.length, rows.length, `${id} ${state.phase}`);
        for (const [name, value] of marks) {
          const usage = state.composition.find((w) => w.name === name)!.usage![metric.resource as 'cpu' | 'memory'];
          assert.equal(
            value,
            usage === null ? 'none' : String(id === 'cpu.requests' ? usage.p95 : usage.max),
            `${name} ${id}`,
          );
        }
        assert.ok(marks.some(([name, value]) => name === 'cart' && value === 'none'));
      });
    }
    // JSON: the merged web's usage is its sources' per-pod usage × 2 pods (storefront max 420Mi + checkout 216Mi).
    const web = report.states[1].composition.find((w) => w.name === 'web')!;
    assert.equal(web.usage!.memory!.max, 2 * (440401920 + 226492416));
    assert.equal(report.states[1].composition.find((w) => w.name === 'cart')!.usage!.cpu, null);
  });

  it('Markdown: usage columns with the JSON figures, "no data" for cart', () => {
    const report = reportOf(path.join(LIVE_USAGE, 'fine-on-paper.plan.yaml'));
    const md = formatReportMarkdown(report);
    assert.match(md, /\| CPU usage p95 \(m\) \| Memory usage max \(Mi\) \|/);
    assert.match(
      md,
      /\| current \| 3 \| 0 \| .* \| 980m \(49%\) \+ no data: cart \| 1,056Mi \(26%\) \+ no data: cart \|/,
    );
    assert.match(
      md,
      /\| after web \| 2 \| 0 \| .* \| 1,120m \(56%\) \+ no data: cart \| 1,272Mi \(31%\) \+ no data: cart \|/,
    );
    assert.match(md, /\| web \(merged from storefront, checkout\) \| 2 \| 768Mi \| 92% \| 1,272Mi \|/);
    assert.match(md, /\| cart \| 1 \| 64Mi \| 7\.7% \| no data \|/);
  });
});

describe("the node picture lists each node's pods", () => {
  it("openpolicy: each node's pod lines carry the JSON names, requests and workload line; the unschedulable ones their own column", () => {
    const report = reportOf(path.join(repo, 'examples', 'openpolicy', 'openpolicy.plan.yaml'));
    report.states.forEach((state, i) => {
      const svg = renderNodes(report, i);
      const pods = elements(svg, 'g', 'class="pod');
      for (const node of state.schedule!.nodes) {
        const drawn = pods.filter((p) => p['data-node'] === node.node);
        assert.deepEqual(
          drawn.map((p) => [
            p['data-workload'],
            Number(p['data-count']),
            p['data-names'],
            Number(p['data-cpu']),
            Number(p['data-memory']),
            p['data-file'],
            Number(p['data-line']),
          ]),
          node.pods.map((p) => [
            p.workload,
            p.count,
            p.names.join(' '),
            p.requests.cpu,
            p.requests.memory,
            p.location!.file,
            p.location!.line,
          ]),
        );
        for (const p of drawn)
          assert.match(p['aria-label'], new RegExp(`of ${p['data-workload']} on ${node.node}, each \\d`));
      }
      const unplaced = pods.filter((p) => p.class === 'pod missed');
      assert.deepEqual(
        unplaced.map((p) => [
          p['data-workload'],
          Number(p['data-unschedulable-pods']),
          p['data-names'].split(' ')[0],
          p['data-file'],
          Number(p['data-line']),
        ]),
        state.schedule!.unschedulable.map((u) => [u.workload, u.count, u.name, u.location!.file, u.location!.line]),
      );
      assert.equal(
        unplaced.reduce((n, p) => n + Number(p['data-unschedulable-pods']), 0),
        state.unschedulable,
      );
    });
    // After the first phase: auth-service's two pods fit nowhere, drawn as one line.
    assert.match(renderNodes(report, 1), />auth-service ×2 \(#1–#2\) \(100m, 192Mi\)</);
  });
});
