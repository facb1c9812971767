// UI tests: what a person sees in a real VS Code (code-server + headless chromium), driven by
// the keyboard as a person would. Workspace trust is off; the extension loads from the repo
// (extensionDevelopmentPath, no tests) or from E2E_EXTENSION_PATH.
//   npx tsx test/e2e/run-ui.ts
// Each step is a test; a failed step stops the run (later steps are reported as failed: not run).
// Screenshots: .test-artifacts/e2e/ui/NN-step.png. Last line: `ui: N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './lib/browser';
import {
  REPO_ROOT,
  artifactsDir,
  ensureCodeServer,
  startCodeServer,
  tail,
  type CodeServer,
} from './lib/code-server';
import { Results, checkExtensionBuilt, rel, seconds } from './lib/results';
import {
  focusEditor,
  openWithQuickOpen,
  runCommand,
  text,
  waitForCursor,
  waitForEditorText,
  waitForLanguage,
  waitForMarkerWidget,
  waitForNoProblem,
  waitForSaved,
  waitForSquiggle,
  waitForTitled,
  waiting,
  workbenchText,
} from './lib/workbench';

const NAME = 'ui';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const PLAN = 'shop.plan.yaml';
const TYPO = 'cart-servce';
const FIXED_FROM = 'from: [cart-service, checkout-service]';
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);

interface Step {
  name: string;
  title: string;
  run: (page: Page) => Promise<void>;
}

async function main(): Promise<number> {
  const started = Date.now();
  const results = new Results('ui');
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;

  const planText = fs.readFileSync(path.join(WORKSPACE, PLAN), 'utf8');
  const typoLine = planText.split('\n').findIndex((l) => l.includes(TYPO));
  const typoColumn = planText.split('\n')[typoLine]!.indexOf(TYPO);

  const steps: Step[] = [
    {
      name: 'workbench',
      title: 'the workbench opens the test workspace',
      run: async (page) => {
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: STEP_TIMEOUT_MS });
      },
    },
    {
      name: 'quick-open-plan',
      title: `Quick Open (Ctrl+P) opens ${PLAN} as a Consolidation Plan`,
      run: async (page) => {
        await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'squiggle',
      title: 'an error squiggle appears in the plan',
      run: (page) => waitForSquiggle(page, STEP_TIMEOUT_MS),
    },
    {
      name: 'problems',
      title: 'Problems (Ctrl+Shift+M) lists plan/unknown-workload and the unopened manifest\'s manifest/invalid-quantity',
      run: async (page) => {
        await page.keyboard.press('Control+Shift+M');
        const rows = page.locator('.markers-panel .monaco-list-row');
        for (const code of ['plan/unknown-workload', 'manifest/invalid-quantity']) {
          await waiting(
            `a Problems entry with ${code}`,
            rows.filter({ hasText: code }).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
            text(page, '.markers-panel'),
          );
        }
        const row = (await rows.filter({ hasText: 'plan/unknown-workload' }).first().textContent()) ?? '';
        if (!row.includes(TYPO)) throw new Error(`the Problems entry does not name "${TYPO}": ${row}`);
      },
    },
    {
      name: 'next-problem',
      title: 'F8 (next problem) puts the cursor on the typo',
      run: async (page) => {
        await focusEditor(page);
        await page.keyboard.press('Control+Home');
        let seen = '';
        for (let i = 0; i < 8; i++) {
          await page.keyboard.press('F8');
          seen = await waitForMarkerWidget(page, seen, STEP_TIMEOUT_MS);
          if (seen.includes(TYPO) || seen.includes('plan/unknown-workload')) break;
        }
        if (!seen.includes(TYPO)) throw new Error(`F8 never reached the typo; last problem shown: ${seen}`);
        await page.keyboard.press('Escape');
        await waitForCursor(page, `Ln ${typoLine + 1}, Col ${typoColumn + 1}`, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'quick-fix',
      title: 'Ctrl+. then Enter applies the did-you-mean quick fix',
      run: async (page) => {
        await page.keyboard.press('Control+.');
        await waiting(
          'the quick fix menu to offer cart-service',
          page.locator('.action-widget').filter({ hasText: 'cart-service' }).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
          text(page, '.action-widget'),
        );
        // Enter applies the focused item: move the focus to the fix that names cart-service.
        for (let i = 0; i < 10; i++) {
          const focused = (await page.locator('.action-widget .monaco-list-row.focused').first().textContent()) ?? '';
          if (focused.includes('cart-service')) break;
          await page.keyboard.press('ArrowDown');
        }
        await page.keyboard.press('Enter');
        await waitForEditorText(page, FIXED_FROM, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'problem-gone',
      title: 'the unknown-workload problem goes away after the fix',
      run: (page) => waitForNoProblem(page, 'plan/unknown-workload', STEP_TIMEOUT_MS),
    },
    {
      name: 'save',
      title: 'Ctrl+S saves the fixed plan to disk',
      run: async (page) => {
        await focusEditor(page);
        await page.keyboard.press('Control+S');
        const file = path.join(server!.workspace!, PLAN);
        await waitForSaved(page, STEP_TIMEOUT_MS);
        if (!fs.readFileSync(file, 'utf8').includes(FIXED_FROM)) throw new Error(`${file} does not hold the fix after saving`);
      },
    },
    {
      name: 'budget-report',
      title: 'F1 "Consolidation: Show Budget Report" shows the budget report',
      run: async (page) => {
        await runCommand(page, 'Consolidation: Show Budget Report', STEP_TIMEOUT_MS);
        // The command opens a document (or webview) or an output channel titled with "Budget".
        await waitForTitled(page, 'budget', STEP_TIMEOUT_MS);
      },
    },
  ];

  try {
    ensureCodeServer();
    const notBuilt = checkExtensionBuilt(extensionPath);
    if (notBuilt) throw new Error(notBuilt);
    server = await startCodeServer({ name: NAME, workspace: WORKSPACE });
    console.log(`code-server ${server.url} (pid ${server.pid}), workspace copy ${server.workspace}`);
    browser = await launchBrowser({ test: NAME });
    await browser.page.goto(
      server.folderUrl(server.workspace!, [
        ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
        ['skipWelcome', 'true'],
        ['skipReleaseNotes', 'true'],
      ]),
      { timeout: STEP_TIMEOUT_MS },
    );
    let blocked: string | undefined;
    for (const step of steps) {
      if (blocked) {
        results.add({ state: 'failed', title: `${step.title} (not run: step "${blocked}" failed)` });
        continue;
      }
      const t0 = Date.now();
      try {
        await step.run(browser.page);
        results.add({ state: 'passed', title: step.title, durationMs: Date.now() - t0 });
        await browser.shot(step.name);
      } catch (err) {
        const shot = await browser.shot(`${step.name}-FAILED`);
        results.add({
          state: 'failed',
          title: step.title,
          durationMs: Date.now() - t0,
          error: `${(err as Error).message.split('\n').slice(0, 6).join('\n')}${shot ? `\nscreenshot: ${rel(shot)}` : ''}\nscreen text: ${(await workbenchText(browser.page)).slice(0, 600)}`,
        });
        blocked = step.name;
      }
    }
    if (blocked) console.log(`  code-server log (${rel(server.logFile)}):\n${tail(server.log(), 15)}`);
  } catch (err) {
    results.add({ state: 'failed', title: 'start code-server and the browser', error: (err as Error).stack ?? String(err) });
    if (browser) await browser.shot('failure');
  } finally {
    await browser?.close();
    await server?.stop();
  }
  console.log(`ui run took ${seconds(started)}; screenshots: ${rel(artifacts)}`);
  results.printSummary();
  return results.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('ui: 0 passed, 1 failed');
    process.exit(1);
  },
);
