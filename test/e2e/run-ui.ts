// UI tests: what a person sees in a real VS Code (code-server + headless chromium), driven by
// the keyboard as a person would. Workspace trust is off; the extension loads from the repo
// (extensionDevelopmentPath, no tests) or from E2E_EXTENSION_PATH.
//   npx tsx test/e2e/run-ui.ts
// Each step is a test; a failed step stops the run (later steps are reported as failed: not run).
// Steps: open the plan, its squiggle and Problems, F8, the did-you-mean quick fix, save, the budget
// report, then "Generate merged manifests" from Ctrl+. on a merge name (the generated file opens in
// a tab and is on disk), and the cluster commands listed in the palette (trusted workspace).
// Screenshots: .test-artifacts/e2e/ui/NN-step.png. Last line: `ui: N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type UiStep } from './lib/steps';
import { REPO_ROOT } from './lib/code-server';
import { waitForFileText } from './lib/files';
import { runMain } from './lib/results';
import { UiSession } from './lib/ui-session';
import {
  describeTabs,
  focusActionWidgetRow,
  focusEditor,
  goToLine,
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
} from './lib/workbench';

declare const document: any;

const NAME = 'ui';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const PLAN = 'shop.plan.yaml';
const TYPO = 'cart-servce';
const FIXED_FROM = 'from: [cart-service, checkout-service]';
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);
const MERGE = 'backend';
const GENERATE_TITLE = `Generate merged manifests for ${MERGE}`;
const GENERATED = 'generated/merge-backend/backend.yaml';

type Step = UiStep;

async function main(): Promise<number> {
  const ui = new UiSession({ name: NAME, workspace: WORKSPACE, stepTimeoutMs: STEP_TIMEOUT_MS });

  const planText = fs.readFileSync(path.join(WORKSPACE, PLAN), 'utf8');
  const typoLine = planText.split('\n').findIndex((l) => l.includes(TYPO));
  const typoColumn = planText.split('\n')[typoLine]!.indexOf(TYPO);
  const mergeLine = planText.split('\n').findIndex((l) => new RegExp(`^\\s*- name: ${MERGE}$`).test(l));
  if (mergeLine < 0) throw new Error(`${PLAN} has no merge named ${MERGE}`);
  const mergeColumn = planText.split('\n')[mergeLine]!.indexOf(MERGE);

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
      title:
        "Problems (Ctrl+Shift+M) lists plan/unknown-workload and the unopened manifest's manifest/invalid-quantity",
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
          page
            .locator('.action-widget')
            .filter({ hasText: 'cart-service' })
            .first()
            .waitFor({ timeout: STEP_TIMEOUT_MS }),
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
        const file = path.join(ui.workspace, PLAN);
        await waitForSaved(page, STEP_TIMEOUT_MS);
        if (!fs.readFileSync(file, 'utf8').includes(FIXED_FROM))
          throw new Error(`${file} does not hold the fix after saving`);
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
    {
      name: 'generate-light-bulb',
      title: `Ctrl+. on the merge name "${MERGE}" offers "${GENERATE_TITLE}"`,
      run: async (page) => {
        // Back to the plan (the report opened beside it): first group, Quick Open; then the cursor
        // inside the merge's name.
        await focusEditor(page);
        await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
        const position = `Ln ${mergeLine + 1}, Col ${mergeColumn + 3}`;
        await goToLine(page, mergeLine + 1, mergeColumn + 3, STEP_TIMEOUT_MS);
        // A person sees the light bulb come up, then presses Ctrl+. (pressing it while the automatic
        // request of the new line is still running can get "No code actions available" from VS Code).
        await waiting(
          "the light bulb on the merge name's line",
          page
            .locator('.editor-instance .lightBulbWidget[class*="codicon-light"]')
            .first()
            .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS }),
        );
        const menu = page.locator('.action-widget').filter({ hasText: GENERATE_TITLE }).first();
        const none = page
          .locator('.monaco-editor-overlaymessage')
          .filter({ hasText: 'No code actions available' })
          .first();
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press('Control+.');
          await waiting(
            `the code action menu to offer "${GENERATE_TITLE}" (or say there is none)`,
            menu.or(none).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
            text(page, '.action-widget'),
          );
          if (await menu.isVisible()) break;
          // Seen once on the loaded machine before the light bulb wait was added; a person would
          // press Ctrl+. again. Once is tolerated and reported; twice fails.
          if (attempt >= 2) throw new Error(`Ctrl+. at ${position} said "No code actions available" twice`);
          console.log(`  warning: the first Ctrl+. at ${position} said "No code actions available"; pressing it again`);
          await page.keyboard.press('Escape');
          await waitForCursor(page, position, STEP_TIMEOUT_MS);
        }
      },
    },
    {
      name: 'generate-chosen',
      title: `choosing it with the keyboard writes ${GENERATED} and opens it in an editor tab "${path.basename(GENERATED)}"`,
      run: async (page) => {
        await focusActionWidgetRow(page, GENERATE_TITLE);
        await page.keyboard.press('Enter');
        await waiting(
          `the active editor tab to be ${path.basename(GENERATED)}`,
          page.waitForFunction(
            (name: string) =>
              String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(
                name,
              ),
            path.basename(GENERATED),
            { timeout: STEP_TIMEOUT_MS },
          ),
          () => describeTabs(page),
        );
        await waitForEditorText(page, 'kind: Deployment', STEP_TIMEOUT_MS);
        const written = await waitForFileText(
          path.join(ui.workspace, GENERATED),
          (t) => !!t && t.includes('# <<< consolidation-plans generated'),
          `${GENERATED} with its generated block on disk`,
          STEP_TIMEOUT_MS,
        );
        if (!/^kind: Deployment\n(?:.*\n)*?metadata:\n\s+name: backend$/m.test(written!)) {
          throw new Error(`${GENERATED} has no Deployment named ${MERGE}:\n${written!.slice(0, 800)}`);
        }
      },
    },
    {
      name: 'palette-cluster-commands',
      title:
        'F1 "Consolidation" lists the cluster commands in this trusted workspace (run-trust.ts checks they are hidden in Restricted Mode)',
      run: async (page) => {
        await page.keyboard.press('F1');
        await waiting(
          'the command palette to show',
          page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS }),
        );
        await page.keyboard.type('Consolidation');
        const rows = page.locator('.quick-input-list .monaco-list-row');
        for (const title of [
          'Preview Phase',
          'Apply Phase',
          'Roll Back Phase',
          'Import Cluster State',
          'Select Context',
        ]) {
          await waiting(
            `the palette to list "Consolidation: ${title}"`,
            rows.filter({ hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
            text(page, '.quick-input-list'),
          );
        }
        // The palette stays open for the step's screenshot.
      },
    },
  ];

  return ui.run(steps);
}

runMain('ui', main);
