// UI tests of the cluster commands: what a person sees in a real VS Code (code-server + headless
// chromium, workspace trust off), driven by the keyboard and the mouse, against the test Kubernetes
// API server (test/helpers/testKubeApiServer.ts) running in this process, seeded with the manifests
// of test/workspaces/e2e-cluster; the workspace copy's .vscode/settings.json points
// consolidation.kubeconfig at a kubeconfig for it.
//   npx tsx test/e2e/run-cluster-ui.ts
// Steps: open the plan (status bar context, code lenses); the live loop: the plan names a usage
// snapshot that is not recorded yet (typed in, unsaved: the hover says so), Record Usage from the palette (asks to save the plan) (metrics-server
// on the API server's metrics.k8s.io, which reports what the runner set for the source pods) writes
// usage.json, the hover on a workload shows the observed figures, the Resize to the recommendation
// quick fix writes a resize entry with rounded values (then undone); Preview Phase from the palette
// (phase quick pick, multi-diff editor); Apply Phase (quick pick, confirmation naming context,
// cluster and namespace, progress saying what it waits for, summary), then the offered Verify Phase:
// the checklist with its numbers; Roll Back Phase (confirmation, progress, message). After Apply and
// Roll Back the runner checks the API server's objects and the record. The runner plays the
// controllers and the kubelet: the source pods before, the merged pods after the apply.
// Set-up of the workspace copy: the plan gets usage targets on its phase.
// The rollouts Apply and Roll Back wait for are held by the API server ('manual') until the step has
// seen the progress notification, then completed by the runner: the progress is always on screen,
// however loaded the machine.
// Each step is a test; a failed step stops the run (later steps are reported as failed: not run).
// Screenshots: .test-artifacts/e2e/cluster-ui/NN-step.png. Last line: `cluster-ui: N passed, N failed`.
// Env: E2E_EXTENSION_PATH, E2E_STEP_TIMEOUT_MS (default 30000), E2E_READY_DELAY_MS (default 1500), E2E_KEEP_TMP=1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Page } from 'playwright-core';
import { type UiStep } from './lib/steps';
import { REPO_ROOT } from './lib/code-server';
import { runMain } from './lib/results';
import { UiSession } from './lib/ui-session';
import {
  focusActionWidgetRow,
  focusEditor,
  goToLine,
  openWithQuickOpen,
  runCommand,
  text,
  waitForLanguage,
  waitForSaved,
  waiting,
} from './lib/workbench';
import { startClusterEnv, type ClusterEnv } from './suite-cluster/support/cluster-env';
import {
  pickQuickPickItem,
  pressDialogButton,
  pressToastButton,
  runCommandToQuickPick,
  toastTexts,
  waitForDialog,
  waitForQuickPick,
  waitForToast,
} from './suite-cluster/support/dialogs';
import {
  type Json,
  CLUSTER,
  CONTEXT,
  LATER_PHASE,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MERGED,
  NAMESPACE,
  PHASE,
  PLAN_FILE,
  PLAN_NAME,
  PREVIOUS_REPLICAS,
  RECORD_CONFIGMAP,
  RECORD_FILE,
  REPLACED,
  SERVICES,
  WORKSPACE_DIR,
  type DialogSeen,
} from './suite-cluster/support/shared';

const NAME = 'cluster-ui';
const WORKSPACE = path.join(REPO_ROOT, ...WORKSPACE_DIR);
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);
const READY_DELAY_MS = Number(process.env.E2E_READY_DELAY_MS ?? 1500);
/** Apply and Roll Back wait for rollouts (ready after READY_DELAY_MS; the product polls every 2 s). */
const ROLLOUT_TIMEOUT_MS = 45_000;

declare const document: any;

type Step = UiStep;

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function expectLines(seen: DialogSeen, lines: string[]): void {
  const missing = lines.filter((l) => !seen.detail.includes(l));
  expect(
    missing.length === 0,
    `the dialog's detail lacks ${missing.map((m) => `"${m}"`).join(', ')}; it says:\n${seen.detail}`,
  );
}

/** Waits until some editor of the workbench shows `wanted` (any editor, not only the first). */
async function waitForAnyEditorText(page: Page, wanted: string, timeoutMs: number): Promise<void> {
  await waiting(
    `an editor showing "${wanted}"`,
    page.waitForFunction(
      (want: string) =>
        [...document.querySelectorAll('.editor-instance .view-lines')].some((v: { textContent: string | null }) =>
          String(v.textContent ?? '')
            .replace(/\u00a0/g, ' ')
            .includes(want),
        ),
      wanted,
      { timeout: timeoutMs },
    ),
  );
}

/** The snapshot Record Usage writes (the plan's spec.usage, set up by the runner). */
const USAGE_FILE = 'usage.json';
/** What metrics-server reports for the source pods (one sample: the runner asks for 1s). */
const SOURCE_PODS: { name: string; owner: string; cpu: string; memory: string }[] = [
  { name: 'cart-5d8f7c9b6-aaaaa', owner: 'cart', cpu: '230m', memory: '300Mi' },
  { name: 'cart-5d8f7c9b6-bbbbb', owner: 'cart', cpu: '180m', memory: '260Mi' },
  { name: 'checkout-5d8f7c9b6-ccccc', owner: 'checkout', cpu: '40m', memory: '90Mi' },
];
/** cart requests 100m and 128Mi; krr's simple strategy: CPU p95 230m → 250m, memory max 300Mi + 15% = 345Mi → 384Mi. */
const RESIZE_TITLE = 'Resize to the recommendation (250m cpu, 384Mi memory)';
const MI = 2 ** 20;

/** The editors' visible text (every editor), spaces normalised. */
async function editorsText(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.editor-instance .view-lines')]
      .map((v: { textContent: string | null }) => String(v.textContent ?? '').replace(/\u00a0/g, ' '))
      .join('\n'),
  );
}

/**
 * Puts the cursor on `word` of the first plan line containing `line` and shows the hover with the
 * keyboard (Ctrl+K Ctrl+I), as a person who cannot use the mouse would; returns the hover's text
 * once it contains `wanted` (table cells separated by single spaces).
 */
async function hoverAt(
  page: Page,
  planText: string,
  line: string,
  word: string,
  wanted: string[],
  timeoutMs: number,
): Promise<string> {
  const lines = planText.split('\n');
  const index = lines.findIndex((l) => l.includes(line));
  expect(index >= 0, `the plan has no line with "${line}"`);
  const column = lines[index].indexOf(word, lines[index].indexOf(line)) + 2;
  await focusEditor(page);
  await goToLine(page, index + 1, column, timeoutMs);
  const shown = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.monaco-hover:not(.hidden) .monaco-hover-content')]
        .map((h: { innerText: string }) => String(h.innerText ?? ''))
        .join('\n')
        .replace(/[ \t\u00a0]+/g, ' '),
    );
  let last = '';
  const deadline = Date.now() + timeoutMs;
  // The hover asks the server once: a hover shown before the server had the figures is asked again.
  while (Date.now() < deadline) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const handle = await page
      .waitForFunction(
        (want: string[]) => {
          const t = [...document.querySelectorAll('.monaco-hover:not(.hidden) .monaco-hover-content')]
            .map((h: { innerText: string }) => String(h.innerText ?? ''))
            .join('\n')
            .replace(/[ \t\u00a0]+/g, ' ');
          return want.every((w) => t.includes(w)) ? t : undefined;
        },
        wanted,
        { timeout: Math.min(5000, Math.max(1, deadline - Date.now())) },
      )
      .catch(() => undefined);
    if (handle) return String(await handle.jsonValue());
    last = await shown();
    await page.keyboard.press('Escape');
  }
  throw new Error(
    `waiting for a hover on "${word}" (line ${index + 1}) showing ${wanted.map((w) => `"${w}"`).join(', ')}; it shows: ${last || '(no hover)'}`,
  );
}

async function activeTabLabel(page: Page): Promise<string> {
  return page.evaluate(() =>
    String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '(none)'),
  );
}

async function main(): Promise<number> {
  let env: ClusterEnv | undefined;
  const ui = new UiSession({
    name: NAME,
    workspace: WORKSPACE,
    stepTimeoutMs: STEP_TIMEOUT_MS,
    stepOptions: { errorLines: 12 },
    startTitle: 'start the API server, code-server and the browser',
    beforeStart: async () => {
      env = await startClusterEnv({ workspace: WORKSPACE, readyDelayMs: READY_DELAY_MS });
      console.log(
        `test API server ${env.server.url} (rollouts ready after ${READY_DELAY_MS} ms), kubeconfig ${env.kubeconfig}`,
      );
    },
    afterServerStart: (server) => {
      env!.writeWorkspaceSettings(server.workspace!);
      // The live loop: metrics.k8s.io on, the source pods running (as the controllers would have them),
      // and usage targets on the phase (the user types spec.usage in the editor).
      env!.server.metricsEnabled = true;
      for (const pod of SOURCE_PODS) {
        env!.server.addPod(NAMESPACE, pod.name, {
          owner: { kind: 'Deployment', name: pod.owner },
          labels: { 'app.kubernetes.io/name': pod.owner },
          containers: [{ name: pod.owner }],
        });
        env!.server.setPodMetrics(NAMESPACE, pod.name, [{ name: pod.owner, cpu: pod.cpu, memory: pod.memory }]);
      }
      const plan = path.join(server.workspace!, PLAN_FILE);
      const planText = fs.readFileSync(plan, 'utf8');
      const withTargets = planText.replace(
        `    - name: ${PHASE}\n`,
        `    - name: ${PHASE}\n      targets: {cpuUsage: "1", memoryUsage: 1Gi}\n`,
      );
      if (withTargets === planText)
        throw new Error(`${PLAN_FILE} is not as this runner expects: cannot add usage targets to ${PHASE}`);
      fs.writeFileSync(plan, withTargets);
    },
    teardown: async () => {
      await env?.close();
    },
  });
  const shot = (step: string) => ui.shot(step);
  const state = () => env!.snapshot();
  const recordFile = () => path.join(ui.workspace, ...RECORD_FILE.split('/'));
  const planFile = () => path.join(ui.workspace, PLAN_FILE);
  const usageFile = () => path.join(ui.workspace, USAGE_FILE);
  let requestsBeforePreview = 0;

  const steps: Step[] = [
    {
      name: 'workbench',
      title: 'the workbench opens the cluster test workspace',
      run: async (page) => {
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: STEP_TIMEOUT_MS });
      },
    },
    {
      name: 'open-plan',
      title: `Quick Open (Ctrl+P) opens ${PLAN_FILE}; the status bar shows the kubeconfig context "${CONTEXT}"`,
      run: async (page) => {
        await openWithQuickOpen(page, PLAN_FILE, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
        await waiting(
          `a status bar item showing "${CONTEXT}"`,
          page.locator('.statusbar-item').filter({ hasText: CONTEXT }).first().waitFor({ timeout: STEP_TIMEOUT_MS }),
          text(page, '.statusbar'),
        );
      },
    },
    {
      name: 'code-lenses',
      title: 'the plan shows the code lenses Preview · Apply · Roll Back above its phases',
      run: async (page) => {
        await waiting(
          'code lenses with Preview, Apply and Roll Back',
          page.waitForFunction(
            () =>
              [...document.querySelectorAll('.editor-instance .codelens-decoration')].some(
                (d: { textContent: string | null }) => {
                  const t = String(d.textContent ?? '');
                  return t.includes('Preview') && t.includes('Apply') && t.includes('Roll Back');
                },
              ),
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
          text(page, '.editor-instance .view-overlays'),
        );
      },
    },
    {
      name: 'usage-missing',
      title: `typing "usage: ${USAGE_FILE}" into the plan's spec (unsaved): the hover on it says the snapshot does not exist and how to record it`,
      run: async (page) => {
        const lines = fs.readFileSync(planFile(), 'utf8').split('\n');
        const index = lines.indexOf(`  namespace: ${NAMESPACE}`);
        expect(index >= 0, `no "namespace: ${NAMESPACE}" line in ${PLAN_FILE}`);
        await focusEditor(page);
        await goToLine(page, index + 1, lines[index].length + 1, STEP_TIMEOUT_MS);
        // Enter keeps the line's indentation.
        await page.keyboard.press('Enter');
        await page.keyboard.type(`usage: ${USAGE_FILE}`);
        await page.keyboard.press('Escape');
        await waitForAnyEditorText(page, `usage: ${USAGE_FILE}`, STEP_TIMEOUT_MS);
        const typed = [...lines.slice(0, index + 1), `  usage: ${USAGE_FILE}`, ...lines.slice(index + 1)].join('\n');
        await hoverAt(
          page,
          typed,
          `usage: ${USAGE_FILE}`,
          USAGE_FILE,
          [`${USAGE_FILE} does not exist`, 'consolidate usage'],
          STEP_TIMEOUT_MS,
        );
        await shot('usage-missing-hover');
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'record-usage',
      title: `F1 "Consolidation: Record Usage": it asks to save the plan first, then metrics-server, 1s: ${USAGE_FILE} is written (JSON) with each workload's observed figures`,
      run: async (page) => {
        await runCommand(page, 'Consolidation: Record Usage', STEP_TIMEOUT_MS);
        // It reads the saved plan (where spec.usage says to write): unsaved, it asks to save.
        const dialog = await waitForDialog(page, STEP_TIMEOUT_MS);
        // Without a detail, VS Code shows the message where a detail would be.
        const said = `${dialog.message} ${dialog.detail}`.replace(/\s+/g, ' ');
        expect(
          said.includes(`${PLAN_FILE} has unsaved changes. Record Usage works on the saved plan.`),
          `the dialog says: "${said}"`,
        );
        expect(dialog.buttons.includes('Save and Continue'), `the dialog's buttons: ${dialog.buttons.join(', ')}`);
        await pressDialogButton(page, 'Save and Continue', STEP_TIMEOUT_MS);
        // The source quick pick comes once the save has finished.
        await waitForQuickPick(page, 'Where the usage comes from', STEP_TIMEOUT_MS);
        expect(
          fs.readFileSync(planFile(), 'utf8').includes(`\n  usage: ${USAGE_FILE}\n`),
          `${PLAN_FILE} on disk lacks "usage: ${USAGE_FILE}"`,
        );
        await pickQuickPickItem(page, 'metrics-server', STEP_TIMEOUT_MS);
        await waiting(
          'the input box "Sample for how long?"',
          page
            .locator('.quick-input-widget')
            .filter({ hasText: 'Sample for how long?' })
            .first()
            .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS }),
          text(page, '.quick-input-widget'),
        );
        await page.keyboard.press('Control+A');
        await page.keyboard.type('1s');
        await page.keyboard.press('Enter');
        const seen = await waitForToast(page, `Wrote ${USAGE_FILE}`, STEP_TIMEOUT_MS);
        console.log(`    message: ${seen.text}`);
        expect(seen.text.includes(`Wrote ${USAGE_FILE}: 2 workloads, 2 containers.`), `the message: "${seen.text}"`);
        expect(!seen.text.includes('No usage for'), `every workload was measured: "${seen.text}"`);
        const snapshot = JSON.parse(fs.readFileSync(usageFile(), 'utf8')) as Json;
        expect(
          snapshot.kind === 'UsageSnapshot' &&
            snapshot.source === 'metrics-server' &&
            snapshot.origin === `context ${CONTEXT}`,
          `the snapshot's header: ${JSON.stringify({ ...snapshot, workloads: undefined })}`,
        );
        const cart = (snapshot.workloads as Json[]).find((w) => w.name === 'cart');
        const checkout = (snapshot.workloads as Json[]).find((w) => w.name === 'checkout');
        expect(cart?.pods === 2 && checkout?.pods === 1, `pods observed: ${JSON.stringify(snapshot.workloads)}`);
        const wantedCart = {
          name: 'cart',
          samples: 2,
          cpu: { p50: 180, p95: 230, max: 230 },
          memory: { p50: 260 * MI, p95: 300 * MI, max: 300 * MI },
        };
        expect(
          isDeepStrictEqual(cart.containers, [wantedCart]),
          `cart's containers: ${JSON.stringify(cart.containers)}`,
        );
        expect(
          isDeepStrictEqual(checkout.containers[0].cpu, { p50: 40, p95: 40, max: 40 }),
          `checkout's cpu: ${JSON.stringify(checkout.containers)}`,
        );
      },
    },
    {
      name: 'usage-hover',
      title:
        'the code lens shows the observed usage of each state; the hover on the workload cart (a merge source) shows its usage beside its requests, per pod and for its 2 pods',
      run: async (page) => {
        // The snapshot changed on disk, not the plan: the server asks the editor for new code lenses.
        // current: cart 2 × 230m + checkout 40m = 500m; memory 2 × 300Mi + 90Mi = 690Mi.
        await waiting(
          'the code lens "current: … CPU use p95 500m (6%) · mem use p95 690Mi (4%)"',
          page.waitForFunction(
            () =>
              [...document.querySelectorAll('.editor-instance .codelens-decoration')].some(
                (d: { textContent: string | null }) =>
                  String(d.textContent ?? '')
                    .replace(/\u00a0/g, ' ')
                    .includes('CPU use p95 500m (6%) · mem use p95 690Mi (4%)'),
              ),
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
          text(page, '.editor-instance .contentWidgets'),
        );
        // The server learns of the new snapshot from the file watcher it registered for usage.json.
        const hover = await hoverAt(
          page,
          fs.readFileSync(planFile(), 'utf8'),
          'from: [cart, checkout]',
          'cart',
          ['usage p95'],
          STEP_TIMEOUT_MS,
        );
        console.log(`    hover: ${hover.replace(/\n+/g, ' / ')}`);
        for (const part of [
          'requests cpu 100m, memory 128Mi cpu 200m, memory 256Mi',
          'usage p95 cpu 230m, memory 300Mi cpu 460m, memory 600Mi',
          'usage max cpu 230m, memory 300Mi cpu 460m, memory 600Mi',
        ]) {
          expect(hover.includes(part), `the hover lacks "${part}"; it shows:\n${hover}`);
        }
        await shot('usage-hover-shown');
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'resize-fix',
      title: `Ctrl+. on the merge backend (cart's memory request below its observed max) offers "${RESIZE_TITLE}"; Enter writes the resize entry with the rounded values`,
      run: async (page) => {
        const before = fs.readFileSync(planFile(), 'utf8');
        const lines = before.split('\n');
        const index = lines.findIndex((l) => l.includes(`- name: ${MERGED}`));
        await focusEditor(page);
        await goToLine(page, index + 1, lines[index].indexOf(MERGED) + 3, STEP_TIMEOUT_MS);
        await waiting(
          "the light bulb on the merge's line",
          page
            .locator('.editor-instance .lightBulbWidget[class*="codicon-light"]')
            .first()
            .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS }),
        );
        await page.keyboard.press('Control+.');
        await waiting(
          `the code action menu to offer "${RESIZE_TITLE}"`,
          page
            .locator('.action-widget')
            .filter({ hasText: RESIZE_TITLE })
            .first()
            .waitFor({ timeout: STEP_TIMEOUT_MS }),
          text(page, '.action-widget'),
        );
        await shot('resize-menu');
        await focusActionWidgetRow(page, RESIZE_TITLE);
        await page.keyboard.press('Enter');
        await waiting(
          'the plan to show the resize entry',
          page.waitForFunction(
            () => {
              const t = String(document.querySelector('.editor-instance .view-lines')?.textContent ?? '').replace(
                /\u00a0/g,
                ' ',
              );
              return t.includes('resize:') && t.includes('250m') && t.includes('384Mi');
            },
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
          () => editorsText(page),
        );
        const shown = await editorsText(page);
        // In the merge's phase (resizes apply before merges); the container's limit (256Mi) is below
        // the new request: raised to it.
        const entry = 'resize: {cart: {requests: {cpu: 250m, memory: 384Mi}, limits: {memory: 384Mi}}}';
        expect(shown.includes(entry), `the plan lacks "${entry}"; it shows:\n${shown}`);
        await shot('resize-applied');
        // Undone, so the phase applied next is the one the API server checks were written for.
        await page.keyboard.press('Control+Z');
        await waiting(
          'the edit to be undone',
          page.waitForFunction(
            () => !String(document.querySelector('.editor-instance .view-lines')?.textContent ?? '').includes('384Mi'),
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
        );
        await waitForSaved(page, STEP_TIMEOUT_MS);
        expect(fs.readFileSync(planFile(), 'utf8') === before, 'the plan on disk changed');
      },
    },
    {
      name: 'preview',
      title:
        'F1 "Consolidation: Preview Phase", pick the phase: a multi-diff editor shows live ↔ dry-run result; nothing is written',
      run: async (page) => {
        requestsBeforePreview = state().requestCount;
        await runCommandToQuickPick(
          page,
          'Consolidation: Preview Phase',
          `which phase of ${PLAN_FILE}`,
          STEP_TIMEOUT_MS,
        );
        const rows = await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        expect(
          rows.some((r) => r.includes(LATER_PHASE)),
          `the phase quick pick lists every phase; it showed: ${rows.join(' | ')}`,
        );
        await waiting(
          'the preview tab "Phase merge-backend: live ↔ after" to be active',
          page.waitForFunction(
            (want: string) =>
              String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(
                want,
              ),
            `Phase ${PHASE}: live`,
            { timeout: STEP_TIMEOUT_MS },
          ),
          async () => `the active tab is "${await activeTabLabel(page)}"; toasts: ${await toastTexts(page)}`,
        );
        const label = await activeTabLabel(page);
        expect(label.includes(`dry run on ${CONTEXT}`), `the preview's title names the context: "${label}"`);
        // The Services come first: their re-pointed selector is on screen.
        await waitForAnyEditorText(page, `consolidation.dev/merge: ${MERGED}`, STEP_TIMEOUT_MS);
        const realWrites = env!
          .requests(requestsBeforePreview)
          .filter((r) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && !r.dryRun);
        expect(realWrites.length === 0, `the preview wrote to the cluster: ${JSON.stringify(realWrites)}`);
        expect(!state().deployments[MERGED], `the preview created Deployment ${MERGED}`);
      },
    },
    {
      name: 'apply-confirmation',
      title:
        'F1 "Consolidation: Apply Phase", pick the phase: the confirmation names the context, the cluster and its server, the namespace and every change',
      run: async (page) => {
        await runCommandToQuickPick(page, 'Consolidation: Apply Phase', `which phase of ${PLAN_FILE}`, STEP_TIMEOUT_MS);
        await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        const seen = await waitForDialog(page, STEP_TIMEOUT_MS);
        await shot('apply-dialog');
        expect(
          seen.message === `Apply phase "${PHASE}" of plan "${PLAN_NAME}" to ${CONTEXT}?`,
          `the dialog asks: "${seen.message}"`,
        );
        expectLines(seen, [
          `Context: ${CONTEXT}`,
          `Cluster: ${CLUSTER} (${env!.server.url})`,
          `Namespace: ${NAMESPACE}`,
          `• create Deployment ${MERGED}`,
          ...SERVICES.map((s) => `• re-point Service ${s}`),
          ...Object.keys(REPLACED).map((d) => `• scale Deployment ${d} to 0`),
        ]);
        // The runner ends the rollout once the progress has been seen (next step): no race with the readiness delay.
        env!.server.rollout(NAMESPACE, MERGED, 'manual');
        await pressDialogButton(page, 'Apply', STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'apply-progress',
      title: 'the progress notification says what Apply waits for (the rollout of the merged Deployment)',
      run: async (page) => {
        const seen = await waitForToast(
          page,
          [`Applying phase ${PHASE}`, `Waiting for Deployment ${NAMESPACE}/${MERGED}`],
          STEP_TIMEOUT_MS,
        );
        await shot('apply-waiting');
        console.log(`    progress: ${seen.text}`);
        env!.server.completeRollout(NAMESPACE, MERGED);
        expect(
          /updated replicas|new replicas|generation/.test(seen.text),
          `the progress names what the rollout waits for: "${seen.text}"`,
        );
        // The controllers and the kubelet: the merged pods run (with the template's containers and
        // resources), each container using what it used in its source pod.
        const template = state().deployments[MERGED].spec.template as Json;
        const containers = template.spec.containers as Json[];
        for (const id of ['mmmmm', 'nnnnn']) {
          const pod = `${MERGED}-5d8f7c9b6-${id}`;
          env!.server.addPod(NAMESPACE, pod, {
            owner: { kind: 'Deployment', name: MERGED },
            labels: template.metadata.labels,
            containers: containers.map((c) => ({
              name: c.name,
              requests: c.resources?.requests,
              limits: c.resources?.limits,
            })),
          });
          env!.server.setPodMetrics(
            NAMESPACE,
            pod,
            containers.map((c) => ({
              name: c.name,
              ...(c.name === 'cart' ? { cpu: '210m', memory: '280Mi' } : { cpu: '40m', memory: '90Mi' }),
            })),
          );
        }
      },
    },
    {
      name: 'apply-summary',
      title: 'Apply ends with "Applied phase …" and Show Summary opens the summary',
      run: async (page) => {
        const wanted = `Applied phase ${PHASE} of plan ${PLAN_NAME} to context ${CONTEXT} (cluster ${CLUSTER}).`;
        const seen = await waitForToast(page, `Applied phase ${PHASE}`, ROLLOUT_TIMEOUT_MS);
        expect(seen.text.includes(wanted), `the message: "${seen.text}"`);
        expect(
          seen.buttons.includes('Show Summary') && seen.buttons.includes('Verify Phase'),
          `its buttons: ${seen.buttons.join(', ')}`,
        );
        await shot('applied-message');
        await pressToastButton(page, `Applied phase ${PHASE}`, 'Show Summary', STEP_TIMEOUT_MS);
        await waitForAnyEditorText(page, `# Applied phase ${PHASE}`, STEP_TIMEOUT_MS);
        await waitForAnyEditorText(page, `Created Deployment ${NAMESPACE}/${MERGED}`, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'verify',
      title:
        'after the summary, Verify Phase is offered: it shows the checklist beside the plan, every line with its numbers, and says every check holds',
      run: async (page) => {
        // The scaled-down Deployments' pods are gone (the ReplicaSet controller), and metrics-server stops reporting them.
        for (const pod of SOURCE_PODS) env!.server.removePod(NAMESPACE, pod.name);
        await waitForToast(page, `Next: verify that phase ${PHASE} held`, STEP_TIMEOUT_MS);
        await pressToastButton(page, `Next: verify that phase ${PHASE} held`, 'Verify Phase', STEP_TIMEOUT_MS);
        const done = await waitForToast(page, `Phase ${PHASE}`, ROLLOUT_TIMEOUT_MS);
        await waitForAnyEditorText(
          page,
          `Verify phase ${PHASE} of plan ${PLAN_NAME} on context ${CONTEXT}`,
          STEP_TIMEOUT_MS,
        );
        const shown = await editorsText(page);
        console.log(`    ${done.text}`);
        const wanted = [
          `✓ Deployment ${NAMESPACE}/${MERGED}: 2/2 available, replicas and resources as planned (cart 100m cpu, 128Mi memory; checkout 100m cpu, 128Mi memory).`,
          `✓ Deployment ${NAMESPACE}/cart: replicas 0 (planned 0), 0 pods running.`,
          `✓ Service ${NAMESPACE}/cart: 2 ready endpoints of 2 selected pods`,
          '✓ No restarts and no OOMKilled since the apply at',
          `✓ No Pending pods in ${NAMESPACE} (2 pods).`,
          "✓ Live totals equal the plan's: pods 2, CPU requests 400m, memory requests 512Mi",
          '✓ CPU usage now (metrics-server, 2 pods): 500m',
          '✓ Memory usage now (metrics-server, 2 pods): 740Mi',
          'checks hold.',
        ];
        const missing = wanted.filter((w) => !shown.includes(w));
        expect(
          missing.length === 0,
          `the checklist lacks ${missing.map((m) => `"${m}"`).join(', ')}; the editors show:\n${shown}`,
        );
        expect(done.text.includes(`Phase ${PHASE} verified: every check holds.`), `the message: "${done.text}"`);
        // The checklist's group alone on screen, for the screenshot taken after this step.
        await runCommand(page, 'View: Toggle Maximize Editor Group', STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'cluster-applied',
      title: `the API server holds the merged Deployment (${MANAGED_BY_LABEL}: ${MANAGED_BY}), the old ones at 0 with ${PREVIOUS_REPLICAS}, the re-pointed Services; the record is in ${RECORD_FILE}`,
      run: async () => {
        const now = state();
        const merged = now.deployments[MERGED];
        expect(merged, `no Deployment ${MERGED}`);
        expect(
          merged.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY,
          `labels of ${MERGED}: ${JSON.stringify(merged.metadata.labels)}`,
        );
        const podLabels = merged.spec.template.metadata.labels as Record<string, string>;
        for (const [name, replicas] of Object.entries(REPLACED)) {
          const d = now.deployments[name];
          expect(d.spec.replicas === 0, `Deployment ${name} has ${d.spec.replicas} replicas`);
          expect(
            d.metadata.annotations?.[PREVIOUS_REPLICAS] === String(replicas),
            `Deployment ${name}'s annotations: ${JSON.stringify(d.metadata.annotations)}`,
          );
        }
        for (const name of SERVICES) {
          const selector = now.services[name].spec.selector as Record<string, string>;
          expect(
            Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podLabels[k] === v),
            `Service ${name}'s selector ${JSON.stringify(selector)} does not select the merged pods (${JSON.stringify(podLabels)})`,
          );
        }
        const record = JSON.parse(fs.readFileSync(recordFile(), 'utf8'));
        expect(record.status === 'applied', `the record's status: ${record.status}`);
        expect(now.configMaps[RECORD_CONFIGMAP], `no ConfigMap ${RECORD_CONFIGMAP}`);
      },
    },
    {
      name: 'rollback-confirmation',
      title:
        'F1 "Consolidation: Roll Back Phase", pick the phase: the confirmation lists what it restores and deletes, on which context and cluster',
      run: async (page) => {
        await runCommandToQuickPick(
          page,
          'Consolidation: Roll Back Phase',
          `which phase of ${PLAN_FILE}`,
          STEP_TIMEOUT_MS,
        );
        await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        const seen = await waitForDialog(page, STEP_TIMEOUT_MS);
        await shot('rollback-dialog');
        expect(
          seen.message === `Roll back phase "${PHASE}" of plan "${PLAN_NAME}" on ${CONTEXT}?`,
          `the dialog asks: "${seen.message}"`,
        );
        expectLines(seen, [
          `Context: ${CONTEXT}`,
          `Cluster: ${CLUSTER} (${env!.server.url})`,
          `Namespace: ${NAMESPACE}`,
          ...Object.keys(REPLACED).map((d) => `• restore Deployment ${d}`),
          ...SERVICES.map((s) => `• restore Service ${s}`),
          `• delete Deployment ${MERGED} (created by the apply)`,
        ]);
        for (const name of Object.keys(REPLACED)) env!.server.rollout(NAMESPACE, name, 'manual');
        await pressDialogButton(page, 'Roll Back', STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'rollback-progress',
      title: 'the progress notification says what Roll Back waits for (the restored Deployments)',
      run: async (page) => {
        const seen = await waitForToast(
          page,
          [`Rolling back phase ${PHASE}`, 'Waiting for Deployment'],
          STEP_TIMEOUT_MS,
        );
        await shot('rollback-waiting');
        console.log(`    progress: ${seen.text}`);
        for (const name of Object.keys(REPLACED)) env!.server.completeRollout(NAMESPACE, name);
        for (const name of Object.keys(REPLACED)) {
          expect(
            seen.text.includes(`Deployment ${NAMESPACE}/${name}`),
            `the progress names Deployment ${NAMESPACE}/${name}: "${seen.text}"`,
          );
        }
      },
    },
    {
      name: 'rolled-back',
      title:
        'Roll Back ends with "Rolled back phase …"; the API server is back to the seeded state and the merged Deployment is deleted',
      run: async (page) => {
        const wanted = `Rolled back phase ${PHASE} of plan ${PLAN_NAME} on context ${CONTEXT} (cluster ${CLUSTER}).`;
        const seen = await waitForToast(page, `Rolled back phase ${PHASE}`, ROLLOUT_TIMEOUT_MS);
        expect(seen.text.includes(wanted), `the message: "${seen.text}"`);
        const now = state();
        expect(!now.deployments[MERGED], `Deployment ${MERGED} still exists`);
        const differs = Object.keys(now.seeded).filter((k) => !isDeepStrictEqual(now.seeded[k], now.now[k]));
        expect(
          differs.length === 0,
          `not as seeded: ${differs.map((k) => `${k}: ${JSON.stringify(now.now[k])} (seeded ${JSON.stringify(now.seeded[k])})`).join('; ')}`,
        );
        const record = JSON.parse(fs.readFileSync(recordFile(), 'utf8'));
        expect(record.status === 'rolled-back', `the record's status: ${record.status}`);
      },
    },
  ];

  return ui.run(steps);
}

runMain(NAME, main);
