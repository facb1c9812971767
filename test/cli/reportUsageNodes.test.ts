// `consolidate report` as a process: the observed usage marks (live-usage, a usage snapshot) and each
// node's pods (openpolicy, budget.nodes) in the SVG and, opened in headless Chromium, the HTML page,
// equal `--format json`; a pod line reveals (is linked to) its workload's line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PlanReport } from '../../server/src/engine/report/report';
import { CHROMIUM, launchBrowser, openOfflinePage } from '../e2e/lib/browser';
import { ROOT, parseJsonOutput, runCli } from '../helpers/cli';

const CASES = [
  { dir: 'live-usage', plan: 'fine-on-paper.plan.yaml' },
  { dir: 'live-usage', plan: 'over-reserved.plan.yaml' },
  { dir: 'openpolicy', plan: 'openpolicy.plan.yaml' },
];

async function report(dir: string, plan: string, format: string): Promise<string> {
  const result = await runCli(['report', plan, '--format', format], { cwd: path.join(ROOT, 'examples', dir) });
  assert.equal(result.stderr, '');
  return result.stdout;
}

async function json(dir: string, plan: string): Promise<PlanReport> {
  return parseJsonOutput<PlanReport>(
    await runCli(['report', plan, '--format', 'json'], { cwd: path.join(ROOT, 'examples', dir) }),
  );
}

const stateLabel = (phase: string | null) => (phase === null ? 'current' : `after ${phase}`);

/** What the JSON says each usage mark shows, in the chart's order (CPU requests of every state, then memory): `metric state usage unknown`. */
function wantedUsage(data: PlanReport): string[] {
  const states = data.states.filter((s) => s.usage !== undefined);
  return [
    ...states.map(
      (s) =>
        `cpu.requests ${stateLabel(s.phase)} ${s.usage ? s.usage.cpu.p95 : 'none'} ${s.usage?.unknownCpu.join(',') ?? ''}`,
    ),
    ...states.map(
      (s) =>
        `memory.requests ${stateLabel(s.phase)} ${s.usage ? s.usage.memory.max : 'none'} ${s.usage?.unknownMemory.join(',') ?? ''}`,
    ),
  ];
}

/** What the JSON says each pod line shows. */
function wantedPods(data: PlanReport): string[] {
  return data.states.flatMap((s) => [
    ...(s.schedule?.nodes ?? []).flatMap((n) =>
      n.pods.map(
        (p) =>
          `${stateLabel(s.phase)} ${n.node}: ${p.names.join(' ')} ${p.requests.cpu ?? 0} ${p.requests.memory ?? 0} ${p.location?.file}:${p.location?.line}`,
      ),
    ),
    ...(s.schedule?.unschedulable ?? []).map(
      (u) =>
        `${stateLabel(s.phase)} unschedulable ×${u.count}: ${u.name} ${u.requests.cpu ?? 0} ${u.requests.memory ?? 0} ${u.location?.file}:${u.location?.line}`,
    ),
  ]);
}

describe('consolidate report --format svg: observed usage', () => {
  it("the usage marks carry the JSON's CPU p95 and memory max per state; a plan without a snapshot has none", async () => {
    for (const { dir, plan } of CASES) {
      const [text, data] = [await report(dir, plan, 'svg'), await json(dir, plan)];
      const marks = [
        ...text.matchAll(
          /<g class="usage[^"]*" data-metric="([^"]+)" data-state="([^"]+)" data-stat="[^"]+" data-usage="([^"]+)"(?: data-unknown="([^"]*)")?/g,
        ),
      ].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4] ?? ''}`);
      assert.deepEqual(marks, wantedUsage(data), `${dir}/${plan}`);
      if (dir === 'live-usage') assert.ok(marks.length > 0);
    }
  });
});

describe(
  'consolidate report --format html in headless Chromium: usage and node pods',
  { skip: fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (bash scripts/setup-real-editor.sh)` },
  () => {
    it("draws the JSON's usage marks and each node's pods, loads nothing, logs no error", async () => {
      const browser = await launchBrowser({ test: 'report-html-usage-nodes', viewport: { width: 1100, height: 900 } });
      try {
        for (const { dir, plan } of CASES) {
          const [html, data] = [await report(dir, plan, 'html'), await json(dir, plan)];
          const page = await openOfflinePage(browser, plan.replace('.plan.yaml', ''), html);

          const marks = await browser.page.$$eval('svg.budget-chart g.usage', (gs) =>
            gs.map(
              (g) =>
                `${g.getAttribute('data-metric')} ${g.getAttribute('data-state')} ${g.getAttribute('data-usage')} ${g.getAttribute('data-unknown') ?? ''}`,
            ),
          );
          assert.deepEqual(marks, wantedUsage(data), `${plan}: usage marks`);
          // The mark is drawn where its figure is: on the bar's scale, the diamond's x over the bar's width is usage over requests.
          const geometry = await browser.page.$$eval('svg.budget-chart g.row', (rows) =>
            rows
              .filter((row) => row.querySelector('g.usage path'))
              .map((row) => {
                const bar = row.querySelector('rect.bar')!.getBoundingClientRect();
                const mark = row.querySelector('g.usage line')!.getBoundingClientRect();
                return {
                  bar: bar.width,
                  from: bar.left,
                  at: mark.left + mark.width / 2,
                  value: Number(row.querySelector('rect.bar')!.getAttribute('data-value')),
                  usage: Number(row.querySelector('g.usage')!.getAttribute('data-usage')),
                };
              }),
          );
          for (const g of geometry)
            assert.ok(
              Math.abs((g.at - g.from) / g.bar - g.usage / g.value) < 0.02,
              `${plan}: mark at ${g.at - g.from}px of a ${g.bar}px bar for ${g.usage} of ${g.value}`,
            );
          // No data is written, never drawn at zero.
          const noData = await browser.page.$$eval('g.usage.no-data', (gs) => gs.map((g) => g.textContent));
          for (const t of noData) assert.match(t ?? '', /no data/);

          const pods = await browser.page.$$eval('svg.nodes g.pod', (gs) =>
            gs.map((g) => {
              const state = g.closest('svg')!.getAttribute('data-state');
              const unplaced = g.getAttribute('data-unschedulable-pods');
              const names = String(g.getAttribute('data-names'));
              const where =
                unplaced === null
                  ? `${g.getAttribute('data-node')}: ${names}`
                  : `unschedulable ×${unplaced}: ${names.split(' ')[0]}`;
              return `${state} ${where} ${g.getAttribute('data-cpu')} ${g.getAttribute('data-memory')} ${g.getAttribute('data-file')}:${g.getAttribute('data-line')}`;
            }),
          );
          assert.deepEqual(pods, wantedPods(data), `${plan}: node pods`);
          if (dir === 'openpolicy') {
            assert.ok(pods.length > 20);
            // Each pod line is visible text naming the pod, and a keyboard stop with a label.
            const first = await browser.page.$eval('svg.nodes g.pod', (g) => ({
              text: g.querySelector('text')!.textContent,
              label: g.getAttribute('aria-label'),
              tab: g.getAttribute('tabindex'),
            }));
            assert.equal(first.text, data.states[0].schedule!.nodes[0].pods[0].names[0]);
            assert.match(
              first.label ?? '',
              /^analytics-service#1: 1 pod of analytics-service on openpolicy-node, each \d+m CPU and /,
            );
            assert.equal(first.tab, '0');
            await browser.page.locator('#nodes').scrollIntoViewIfNeeded();
            await browser.page
              .locator('#nodes')
              .screenshot({ path: path.join(browser.artifacts, 'openpolicy-nodes.png') });
          } else {
            await browser.page
              .locator('#budget')
              .screenshot({ path: path.join(browser.artifacts, `${plan.replace('.plan.yaml', '')}-budget.png`) });
          }
          page.stop();
          assert.deepEqual(page.requests, [], `${plan}: no network requests`);
          assert.deepEqual(page.problems, [], `${plan}: no console errors`);
        }
      } finally {
        await browser.close();
      }
    });
  },
);
