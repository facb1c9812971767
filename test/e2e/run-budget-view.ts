// The budget view in a real VS Code (code-server + headless chromium), on the examples/ workspace:
// openpolicy's view opened from the palette, its figures equal `consolidate report --format json`,
// screenshots in the dark and light themes, each node's pods equal the JSON's and a click on one
// reveals its workload's line, a click reveals the workload's line, it follows an edit of the plan
// (keeping its scroll position), the status bar item opens it, and it comes back after a reload;
// then live-usage's fine-on-paper plan (a usage snapshot): the usage marks equal the JSON, cart
// "no data", screenshots in both themes.
//   npm run build && npx tsx test/e2e/run-budget-view.ts
// Screenshots: .test-artifacts/e2e/budget-view/NN-step.png. Last line: `budget-view: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import type { PlanReport } from '../../server/src/engine/report/report';
import { worstShare } from '../../server/src/engine/report/view/figures';
import { type UiStep } from './lib/steps';
import { REPO_ROOT } from './lib/code-server';
import { runMain } from './lib/results';
import { UiSession } from './lib/ui-session';
import {
  describeTabs,
  focusEditor,
  goToLine,
  openWithQuickOpen,
  runCommand,
  waitForCursor,
  waitForLanguage,
  waitForTitled,
  waiting,
} from './lib/workbench';

declare const document: any;

declare const window: any;

const NAME = 'budget-view';
// The whole examples/ folder, as `npm start` opens it: openpolicy (nodes) and live-usage (a usage snapshot).
const WORKSPACE = path.join(REPO_ROOT, 'examples');
const PLAN_DIR = 'openpolicy';
const PLAN = 'openpolicy.plan.yaml';
const USAGE_PLAN_DIR = 'live-usage';
const USAGE_PLAN = 'fine-on-paper.plan.yaml';
const USAGE_TITLE = 'Budget: fine-on-paper';
const TITLE = 'Budget: openpolicy';
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);
// The edit: postgresql's memory request in the first phase, 1Gi → 2Gi.
const EDIT_LINE_TEXT = 'requests: { cpu: 500m, memory: 1Gi }';
const EDITED_STATE = 'after infrastructure-protection';

/** `consolidate report --format json` of a plan of the workspace copy, as CI would print it (in the plan's folder). */
function jsonReport(workspace: string, dir = PLAN_DIR, plan = PLAN): PlanReport {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'report', plan, '--format', 'json'], {
    cwd: path.join(workspace, dir),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`consolidate report failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PlanReport;
}

/** The page inside the budget view's webview (VS Code nests it in two iframes). */
function view(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** The view's page as a Frame, to wait on its DOM. */
async function viewFrame(page: Page): Promise<Frame> {
  const outer = await (await page.locator('iframe.webview.ready').first().elementHandle())?.contentFrame();
  const inner = await (await outer?.locator('iframe#active-frame').first().elementHandle())?.contentFrame();
  if (!inner) throw new Error("the budget view's frame is not there");
  return inner;
}

async function bars(page: Page): Promise<{ metric: string; state: string; value: number }[]> {
  return view(page)
    .locator('svg.budget-chart rect[data-metric]')
    .evaluateAll((rects) =>
      rects.map((r) => ({
        metric: r.getAttribute('data-metric')!,
        state: r.getAttribute('data-state')!,
        value: Number(r.getAttribute('data-value')),
      })),
    );
}

function expectedBar(report: PlanReport, metric: string, state: string): number {
  const s = report.states.find((x) => (x.phase === null ? 'current' : `after ${x.phase}`) === state)!;
  if (metric === 'pods') return s.pods;
  if (metric === 'workloads') return s.workloads;
  const dot = metric.lastIndexOf('.');
  return (metric.slice(dot + 1) === 'limits' ? s.limits : s.requests)[metric.slice(0, dot)] ?? 0;
}

/** Each node's pod lines in the view against the JSON's `schedule.nodes[].pods` (names, requests, line), and the unschedulable column. */
async function assertNodePodsEqual(page: Page, report: PlanReport): Promise<void> {
  const drawn = await view(page)
    .locator('svg.nodes')
    .evaluateAll((svgs) =>
      svgs.map((svg) => ({
        state: svg.getAttribute('data-state')!,
        pods: Array.from(svg.querySelectorAll('g.pod') as ArrayLike<any>).map((g) => {
          const names = String(g.getAttribute('data-names'));
          const unplaced = g.getAttribute('data-unschedulable-pods');
          // An unschedulable line: the JSON names its first pod.
          const who =
            unplaced === null ? `on ${g.getAttribute('data-node')}: ${names}` : `unschedulable: ${names.split(' ')[0]}`;
          return `${who} ${g.getAttribute('data-workload')} ×${g.getAttribute('data-count')} ${g.getAttribute('data-cpu')}m ${g.getAttribute('data-memory')}B at ${g.getAttribute('data-file')}:${g.getAttribute('data-line')}`;
        }),
      })),
    );
  const want = report.states.map((s) => ({
    state: s.phase === null ? 'current' : `after ${s.phase}`,
    pods: [
      ...s.schedule!.nodes.flatMap((n) =>
        n.pods.map(
          (p) =>
            `on ${n.node}: ${p.names.join(' ')} ${p.workload} ×${p.count} ${p.requests.cpu ?? 0}m ${p.requests.memory ?? 0}B at ${p.location?.file}:${p.location?.line}`,
        ),
      ),
      ...s.schedule!.unschedulable.map(
        (u) =>
          `unschedulable: ${u.name} ${u.workload} ×${u.count} ${u.requests.cpu ?? 0}m ${u.requests.memory ?? 0}B at ${u.location?.file}:${u.location?.line}`,
      ),
    ],
  }));
  if (want.every((s) => s.pods.length === 0)) throw new Error('report --format json lists no pods on any node');
  if (JSON.stringify(drawn) !== JSON.stringify(want)) {
    throw new Error(
      `the view's node pods differ from report --format json:\n view: ${JSON.stringify(drawn).slice(0, 2000)}\n json: ${JSON.stringify(want).slice(0, 2000)}`,
    );
  }
}

/** The usage marks on the CPU and memory requests bars against the JSON: CPU p95 and memory max per state, or `none` (no data). */
async function assertUsageEqual(page: Page, report: PlanReport): Promise<void> {
  await waiting(
    'the usage marks in the view',
    view(page).locator('svg.budget-chart g.usage').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS }),
  );
  const marks = await view(page)
    .locator('svg.budget-chart g.usage')
    .evaluateAll((gs) =>
      gs.map((g) => ({
        metric: g.getAttribute('data-metric')!,
        state: g.getAttribute('data-state')!,
        usage: g.getAttribute('data-usage')!,
        unknown: g.getAttribute('data-unknown') ?? '',
        label: g.closest('g.row')?.getAttribute('aria-label') ?? '',
      })),
    );
  if (marks.length !== report.states.length * 2)
    throw new Error(`${marks.length} usage marks in the view, want ${report.states.length * 2}`);
  for (const mark of marks) {
    const state = report.states.find((x) => (x.phase === null ? 'current' : `after ${x.phase}`) === mark.state)!;
    const want = mark.metric === 'cpu.requests' ? String(state.usage!.cpu.p95) : String(state.usage!.memory.max);
    const unknown = (mark.metric === 'cpu.requests' ? state.usage!.unknownCpu : state.usage!.unknownMemory).join(',');
    if (mark.usage !== want || mark.unknown !== unknown)
      throw new Error(
        `${mark.metric} ${mark.state}: the view's usage is ${mark.usage} (no data: ${mark.unknown}), report --format json says ${want} (no data: ${unknown})`,
      );
    if (unknown && !mark.label.includes(`not counting ${unknown.split(',').join(', ')} (no data)`))
      throw new Error(`the bar's label does not say which workloads have no data: ${mark.label}`);
  }
}

async function assertFiguresEqual(page: Page, report: PlanReport): Promise<void> {
  await waiting(
    'the budget chart in the view',
    view(page).locator('svg.budget-chart').waitFor({ timeout: STEP_TIMEOUT_MS }),
  );
  const shown = await bars(page);
  if (shown.length < report.states.length * 6) throw new Error(`only ${shown.length} bars in the view`);
  for (const bar of shown) {
    const want = expectedBar(report, bar.metric, bar.state);
    if (bar.value !== want)
      throw new Error(`${bar.metric} ${bar.state}: the view shows ${bar.value}, report --format json says ${want}`);
  }
}

/** F1, the exact command (not one whose title only starts the same), Enter. */
async function runExactCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.keyboard.type(label);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ hasText: label.slice(label.indexOf(':') + 1).trim() });
  await waiting(`the palette to list "${label}"`, row.first().waitFor({ timeout: STEP_TIMEOUT_MS }));
  for (let i = 0; i < 5; i++) {
    const focused = (
      (await page.locator('.quick-input-list .monaco-list-row.focused').first().getAttribute('aria-label')) ?? ''
    ).trim();
    if (focused.startsWith(label) && !focused.startsWith(`${label} `)) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/** `dark`, `light` or `high-contrast`, from the workbench's theme class. */
async function workbenchTheme(page: Page): Promise<string> {
  const classes = String(await page.locator('.monaco-workbench').first().getAttribute('class'));
  return /\bhc-(black|light)\b/.test(classes) ? 'high-contrast' : /\bvs-dark\b/.test(classes) ? 'dark' : 'light';
}

async function barColour(page: Page): Promise<string> {
  return view(page)
    .locator('svg.budget-chart rect.bar')
    .first()
    .evaluate((r) => window.getComputedStyle(r).fill as string);
}

async function main(): Promise<number> {
  const ui = new UiSession({
    name: NAME,
    workspace: WORKSPACE,
    stepTimeoutMs: STEP_TIMEOUT_MS,
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    viewport: { width: 1600, height: 1000 },
    afterSteps: ({ browser, results }) => {
      const csp = browser
        .consoleLines()
        .filter(
          (l) => /Content Security Policy|Refused to/i.test(l) && /webview|vscode-resource|active-frame/i.test(l),
        );
      results.add(
        csp.length
          ? { state: 'failed', title: 'no content-security-policy violation in the view', error: csp.join('\n') }
          : { state: 'passed', title: 'no content-security-policy violation in the view' },
      );
    },
  });
  let report: PlanReport | undefined;
  let firstFill = '';
  let firstTheme = '';

  const steps: UiStep[] = [
    {
      name: 'open-plan',
      title: `the workbench opens ${PLAN} as a Consolidation Plan`,
      run: async (page) => {
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS });
        await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'status-bar',
      title: "the status bar shows the plan's worst budget share, as the JSON report gives it",
      run: async (page) => {
        report = jsonReport(ui.workspace);
        const worst = worstShare(report)!;
        const want = `${worst.share} ${worst.metric}`;
        await waiting(
          `a status bar item "${want}"`,
          page.locator('.statusbar-item').filter({ hasText: want }).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
          async () => `status bar: ${await page.locator('.part.statusbar').textContent()}`,
        );
      },
    },
    {
      name: 'palette',
      title: 'F1 "Consolidation: Show Budget" opens the view beside the plan; its figures equal report --format json',
      run: async (page) => {
        await runExactCommand(page, 'Consolidation: Show Budget');
        await waitForTitled(page, TITLE, STEP_TIMEOUT_MS);
        await assertFiguresEqual(page, report!);
        firstFill = await barColour(page);
        firstTheme = await workbenchTheme(page);
        await ui.screenshot(`view-${firstTheme}`);
      },
    },
    {
      name: 'other-theme',
      title: 'toggled to the other theme (light / dark), the view takes its colours',
      run: async (page) => {
        await focusEditor(page);
        await runCommand(page, 'Preferences: Toggle between Light/Dark Themes', STEP_TIMEOUT_MS);
        const frame = await viewFrame(page);
        await waiting(
          'the bars to change colour with the theme',
          frame.waitForFunction(
            (fill: string) =>
              window.getComputedStyle(document.querySelector('svg.budget-chart rect.bar')).fill !== fill,
            firstFill,
            { timeout: STEP_TIMEOUT_MS },
          ),
        );
        const theme = await workbenchTheme(page);
        if (theme === firstTheme) throw new Error(`the workbench is still ${theme}`);
        await ui.screenshot(`view-${theme}`);
      },
    },
    {
      name: 'click-reveals',
      title: 'clicking the largest workload of a state opens its manifest at its line',
      run: async (page) => {
        const row = view(page).locator('.composition-set:not([hidden]) g.workload').first();
        const file = (await row.getAttribute('data-file'))!;
        const line = Number(await row.getAttribute('data-line'));
        await row.click();
        await waiting(
          `the active tab to be ${path.basename(file)}`,
          page.waitForFunction(
            (name: string) =>
              String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(
                name,
              ),
            path.basename(file),
            { timeout: STEP_TIMEOUT_MS },
          ),
          () => describeTabs(page),
        );
        await waitForCursor(page, `Ln ${line + 1}, Col 1`, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'node-pods',
      title:
        "the node picture lists each node's pods as report --format json does; a click on a pod reveals its workload's line",
      run: async (page) => {
        await assertNodePodsEqual(page, report!);
        // A merged workload's pod: its line is the merge in the plan (the click before opened a manifest).
        const pod = view(page).locator('svg.nodes g.pod[data-file="openpolicy.plan.yaml"]').first();
        const line = Number(await pod.getAttribute('data-line'));
        await pod.click();
        await waiting(
          `the active tab to be ${PLAN}`,
          page.waitForFunction(
            (name: string) =>
              String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(
                name,
              ),
            PLAN,
            { timeout: STEP_TIMEOUT_MS },
          ),
          () => describeTabs(page),
        );
        // The plan was already open: the cursor moves to the merge's line (its line number is the active one).
        await waiting(
          `the plan's cursor on line ${line + 1}`,
          page.waitForFunction(
            (want: string) =>
              Array.from(
                document.querySelectorAll(
                  '.editor-instance .monaco-editor .line-numbers.active-line-number',
                ) as ArrayLike<any>,
              ).some((e) => String(e.textContent).trim() === want),
            String(line + 1),
            { timeout: STEP_TIMEOUT_MS },
          ),
          async () =>
            `active line numbers: ${await page.locator('.line-numbers.active-line-number').allTextContents()}`,
        );
        await view(page)
          .locator('#nodes')
          .evaluate((e) => e.scrollIntoView());
        await ui.screenshot(`nodes-${await workbenchTheme(page)}`);
      },
    },
    {
      name: 'follows-edit',
      title: "an edit of the plan is drawn in place, keeping the view's scroll position",
      run: async (page) => {
        const frame = view(page);
        await frame.locator('#composition').evaluate((e) => e.scrollIntoView());
        const scrolled = await frame.locator('body').evaluate(() => window.scrollY as number);
        if (scrolled <= 0) throw new Error('the view did not scroll');
        // Back to the plan's tab (still open beside the manifest the click opened).
        await page.locator('.tabs-container .tab').filter({ hasText: PLAN }).first().click();
        await waiting(
          `${PLAN} to be the active editor tab`,
          page.waitForFunction(
            (name: string) =>
              String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(
                name,
              ),
            PLAN,
            { timeout: STEP_TIMEOUT_MS },
          ),
          () => describeTabs(page),
        );
        await focusEditor(page);
        const text = fs.readFileSync(path.join(ui.workspace, PLAN_DIR, PLAN), 'utf8').split('\n');
        const line = text.findIndex((l) => l.includes(EDIT_LINE_TEXT));
        const column = text[line].indexOf('1Gi');
        await goToLine(page, line + 1, column + 1, STEP_TIMEOUT_MS);
        await page.keyboard.press('Shift+ArrowRight');
        await page.keyboard.type('2');
        const before = expectedBar(report!, 'memory.requests', EDITED_STATE);
        const want = before + 2 ** 30;
        await waiting(
          `the view's ${EDITED_STATE} memory requests bar to become ${want}`,
          frame
            .locator(`rect[data-metric="memory.requests"][data-state="${EDITED_STATE}"][data-value="${want}"]`)
            .waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS }),
        );
        const after = await frame.locator('body').evaluate(() => window.scrollY as number);
        if (Math.abs(after - scrolled) > 2) throw new Error(`scroll position ${scrolled} became ${after}`);
      },
    },
    {
      name: 'status-bar-opens',
      title: 'with the view closed, a click on the status bar item opens it again',
      run: async (page) => {
        await runCommand(page, 'View: Close All Editors', STEP_TIMEOUT_MS);
        const dialog = page.locator('.monaco-dialog-box');
        // The edited plan is not saved: do not save it.
        if (await dialog.isVisible().catch(() => false))
          await dialog.getByRole('button', { name: /Don't Save/i }).click();
        await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
        await page
          .locator('.statusbar-item')
          .filter({ hasText: '%' })
          .filter({ hasText: /requests|pods/ })
          .first()
          .click();
        await waitForTitled(page, TITLE, STEP_TIMEOUT_MS);
        await view(page).locator('svg.budget-chart').waitFor({ timeout: STEP_TIMEOUT_MS });
      },
    },
    {
      name: 'reload',
      title: 'after "Developer: Reload Window" the view is restored with its figures',
      run: async (page) => {
        await runCommand(page, 'Developer: Reload Window', STEP_TIMEOUT_MS);
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS });
        await waitForTitled(page, TITLE, STEP_TIMEOUT_MS);
        await page.locator('.tabs-container .tab').filter({ hasText: TITLE }).first().click();
        await assertFiguresEqual(page, jsonReport(ui.workspace));
      },
    },
    {
      name: 'usage',
      title: `${USAGE_PLAN} (a usage snapshot): the usage marks equal report --format json, cart has no data; screenshots in both themes`,
      run: async (page) => {
        await runCommand(page, 'View: Close All Editors', STEP_TIMEOUT_MS);
        const dialog = page.locator('.monaco-dialog-box');
        if (await dialog.isVisible().catch(() => false))
          await dialog.getByRole('button', { name: /Don't Save/i }).click();
        await openWithQuickOpen(page, USAGE_PLAN, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
        await runExactCommand(page, 'Consolidation: Show Budget');
        await waitForTitled(page, USAGE_TITLE, STEP_TIMEOUT_MS);
        const usageReport = jsonReport(ui.workspace, USAGE_PLAN_DIR, USAGE_PLAN);
        await assertFiguresEqual(page, usageReport);
        await assertUsageEqual(page, usageReport);
        // A workload without data reads "no data" in the composition, never 0.
        const cart = view(page).locator('.composition-set:not([hidden]) g.workload[data-workload="cart"]').first();
        if (!String(await cart.getAttribute('aria-label')).includes('no data'))
          throw new Error(`cart: ${await cart.getAttribute('aria-label')}`);
        const first = await workbenchTheme(page);
        await ui.screenshot(`usage-${first}`);
        const fill = await barColour(page);
        await focusEditor(page);
        await runCommand(page, 'Preferences: Toggle between Light/Dark Themes', STEP_TIMEOUT_MS);
        const frame = await viewFrame(page);
        await waiting(
          'the bars to change colour with the theme',
          frame.waitForFunction(
            (f: string) => window.getComputedStyle(document.querySelector('svg.budget-chart rect.bar')).fill !== f,
            fill,
            { timeout: STEP_TIMEOUT_MS },
          ),
        );
        await ui.screenshot(`usage-${await workbenchTheme(page)}`);
      },
    },
  ];

  return ui.run(steps);
}

runMain(NAME, main);
