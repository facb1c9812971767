// `consolidate report --format html|markdown|svg` as a process, on the example workspaces: the
// figures equal `--format json`; the HTML page opened in headless Chromium loads nothing, logs no
// error, and works with the keyboard.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PlanReport } from '../../server/src/engine/report/report';
import { CHROMIUM, launchBrowser, openOfflinePage } from '../e2e/lib/browser';
import { ROOT, parseJsonOutput, runCli } from '../helpers/cli';

// Page functions run in Chromium; the type check has no DOM library.
declare const document: any;

const EXAMPLES = ['openpolicy', 'odin-prime', 'aiwfe', 'single-pod'];
const exampleDir = (name: string) => path.join(ROOT, 'examples', name);

async function report(example: string, format: string): Promise<string> {
  const result = await runCli(['report', `${example}.plan.yaml`, '--format', format], { cwd: exampleDir(example) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  return result.stdout;
}

async function json(example: string): Promise<PlanReport> {
  return parseJsonOutput<PlanReport>(
    await runCli(['report', `${example}.plan.yaml`, '--format', 'json'], { cwd: exampleDir(example) }),
  );
}

function stateLabel(phase: string | null): string {
  return phase === null ? 'current' : `after ${phase}`;
}

/** The JSON figure a budget bar draws. */
function figure(state: PlanReport['states'][number], metric: string): number {
  if (metric === 'pods') return state.pods;
  if (metric === 'workloads') return state.workloads;
  const dot = metric.lastIndexOf('.');
  return (metric.slice(dot + 1) === 'limits' ? state.limits : state.requests)[metric.slice(0, dot)] ?? 0;
}

describe('consolidate report --format svg|markdown', () => {
  it('svg: one standalone SVG document whose bars carry the JSON figures', async () => {
    for (const example of EXAMPLES) {
      const [svg, data] = [await report(example, 'svg'), await json(example)];
      assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<title id="budget-title">/);
      assert.doesNotMatch(svg, /<script|href=|url\(/, 'nothing to load or run');
      for (const state of data.states) {
        for (const match of svg.matchAll(
          new RegExp(`data-metric="([^"]+)" data-state="${stateLabel(state.phase)}" data-value="(\\d+)"`, 'g'),
        )) {
          assert.equal(Number(match[2]), figure(state, match[1]), `${example} ${state.phase} ${match[1]}`);
        }
      }
    }
  });

  it('markdown: a table row per state with the JSON pods and workloads', async () => {
    for (const example of EXAMPLES) {
      const [md, data] = [await report(example, 'markdown'), await json(example)];
      const rows = md.split('\n').filter((l) => /^\| (current|after )/.test(l));
      assert.equal(rows.length, data.states.length);
      data.states.forEach((state, i) => {
        const cells = rows[i].split(' | ');
        assert.equal(cells[1], String(state.workloads));
        assert.ok(rows[i].includes(`| ${state.pods}`), rows[i]);
      });
    }
  });

  it('refuses an unknown format with the list of formats', async () => {
    const result = await runCli(['report', 'openpolicy.plan.yaml', '--format', 'pdf'], {
      cwd: exampleDir('openpolicy'),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--format must be text, json, html, markdown or svg, not "pdf"/);
  });
});

describe(
  'consolidate report --format html in headless Chromium',
  { skip: fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (bash scripts/setup-real-editor.sh)` },
  () => {
    it('loads nothing, logs no error, draws the JSON figures, and works with the keyboard', async () => {
      const browser = await launchBrowser({ test: 'report-html', viewport: { width: 1100, height: 900 } });
      try {
        for (const example of EXAMPLES) {
          const [html, data] = [await report(example, 'html'), await json(example)];
          const page = await openOfflinePage(browser, example, html);

          const bars = await browser.page.$$eval('svg.budget-chart rect[data-metric]', (rects) =>
            rects.map((r) => ({
              metric: r.getAttribute('data-metric')!,
              state: r.getAttribute('data-state')!,
              value: Number(r.getAttribute('data-value')),
            })),
          );
          assert.ok(bars.length >= data.states.length * 6, example);
          for (const bar of bars) {
            const state = data.states.find((s) => stateLabel(s.phase) === bar.state)!;
            assert.equal(bar.value, figure(state, bar.metric), `${example}: ${bar.metric} ${bar.state}`);
          }
          // Every figure is labelled for a screen reader.
          const unlabelled = await browser.page.$$eval(
            'svg',
            (svgs) => svgs.filter((s) => !s.getAttribute('aria-label') && !s.getAttribute('aria-labelledby')).length,
          );
          assert.equal(unlabelled, 0);
          // The composition shown is memory requests; choosing CPU limits shows that one instead.
          const visible = () =>
            browser.page.$$eval('.composition-set', (sets) =>
              sets.filter((s) => !(s as { hidden: boolean }).hidden).map((s) => s.getAttribute('data-metric')),
            );
          assert.deepEqual(await visible(), ['memory.requests']);
          await browser.page.selectOption('#metric', 'cpu.limits');
          assert.deepEqual(await visible(), ['cpu.limits']);
          const totals = await browser.page.$$eval('.composition-set:not([hidden]) svg', (svgs) =>
            svgs.map((s) => Number(s.getAttribute('data-total'))),
          );
          assert.deepEqual(
            totals,
            data.states.map((s) => s.limits.cpu),
          );
          // A click anywhere on a row (its middle may be between the name and the bar) reaches the row.
          const missed = await browser.page.$$eval(
            'svg.budget-chart g.row, .composition-set:not([hidden]) g.row',
            (rows) =>
              rows
                .filter((row) => {
                  const box = row.getBoundingClientRect();
                  row.scrollIntoView();
                  const again = row.getBoundingClientRect();
                  const hit = document.elementFromPoint(again.left + box.width / 2, again.top + box.height / 2);
                  return !hit || hit.closest('g.row') !== row;
                })
                .map((row) => row.getAttribute('aria-label')),
          );
          assert.deepEqual(missed, [], `${example}: rows a click in their middle does not reach`);
          // Keyboard: Tab reaches the bars, arrows move between them.
          await browser.page.focus('svg.budget-chart g.row');
          await browser.page.keyboard.press('ArrowDown');
          const focused = await browser.page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
          assert.match(focused ?? '', new RegExp(`^${stateLabel(data.states[1].phase)}: CPU requests`));
          if (example === 'openpolicy') {
            await browser.page.selectOption('#metric', 'memory.requests');
            await browser.shot(`${example}-top`);
            await browser.page.screenshot({
              path: path.join(browser.artifacts, `${example}-full.png`),
              fullPage: true,
            });
          }
          page.stop();
          assert.deepEqual(page.requests, [], `${example}: no network requests`);
          assert.deepEqual(page.problems, [], `${example}: no console errors (a CSP violation is one)`);
        }
      } finally {
        await browser.close();
      }
    });
  },
);
