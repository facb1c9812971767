// UI tests of the cluster commands: what a person sees in a real VS Code (code-server + headless
// chromium, workspace trust off), driven by the keyboard and the mouse, against the test Kubernetes
// API server (test/helpers/testKubeApiServer.ts) running in this process, seeded with the manifests
// of test/workspaces/e2e-cluster; the workspace copy's .vscode/settings.json points
// consolidation.kubeconfig at a kubeconfig for it.
//   npx tsx test/e2e/run-cluster-ui.ts
// Steps: open the plan (status bar context, code lenses); Preview Phase from the palette (phase quick
// pick, multi-diff editor); Apply Phase (quick pick, confirmation naming context, cluster and
// namespace, progress saying what it waits for, summary); Roll Back Phase (confirmation, progress,
// message). After Apply and Roll Back the runner checks the API server's objects and the record.
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
import { openWithQuickOpen, text, waitForLanguage, waiting } from './lib/workbench';
import { startClusterEnv, type ClusterEnv } from './suite-cluster/support/cluster-env';
import {
  pickQuickPickItem,
  pressDialogButton,
  pressToastButton,
  runCommandToQuickPick,
  toastTexts,
  waitForDialog,
  waitForToast,
} from './suite-cluster/support/dialogs';
import {
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
  expect(missing.length === 0, `the dialog's detail lacks ${missing.map((m) => `"${m}"`).join(', ')}; it says:\n${seen.detail}`);
}

/** Waits until some editor of the workbench shows `wanted` (any editor, not only the first). */
async function waitForAnyEditorText(page: Page, wanted: string, timeoutMs: number): Promise<void> {
  await waiting(
    `an editor showing "${wanted}"`,
    page.waitForFunction(
      (want: string) =>
        [...document.querySelectorAll('.editor-instance .view-lines')].some((v: { textContent: string | null }) =>
          String(v.textContent ?? '').replace(/\u00a0/g, ' ').includes(want),
        ),
      wanted,
      { timeout: timeoutMs },
    ),
  );
}

async function activeTabLabel(page: Page): Promise<string> {
  return page.evaluate(() => String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '(none)'));
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
      console.log(`test API server ${env.server.url} (rollouts ready after ${READY_DELAY_MS} ms), kubeconfig ${env.kubeconfig}`);
    },
    afterServerStart: (server) => env!.writeWorkspaceSettings(server.workspace!),
    teardown: async () => {
      await env?.close();
    },
  });
  const shot = (step: string) => ui.shot(step);
  const state = () => env!.snapshot();
  const recordFile = () => path.join(ui.workspace, ...RECORD_FILE.split('/'));
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
              [...document.querySelectorAll('.editor-instance .codelens-decoration')].some((d: { textContent: string | null }) => {
                const t = String(d.textContent ?? '');
                return t.includes('Preview') && t.includes('Apply') && t.includes('Roll Back');
              }),
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
          text(page, '.editor-instance .view-overlays'),
        );
      },
    },
    {
      name: 'preview',
      title: 'F1 "Consolidation: Preview Phase", pick the phase: a multi-diff editor shows live ↔ dry-run result; nothing is written',
      run: async (page) => {
        requestsBeforePreview = state().requestCount;
        await runCommandToQuickPick(page, 'Consolidation: Preview Phase', `which phase of ${PLAN_FILE}`, STEP_TIMEOUT_MS);
        const rows = await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        expect(rows.some((r) => r.includes(LATER_PHASE)), `the phase quick pick lists every phase; it showed: ${rows.join(' | ')}`);
        await waiting(
          'the preview tab "Phase merge-backend: live ↔ after" to be active',
          page.waitForFunction(
            (want: string) => String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(want),
            `Phase ${PHASE}: live`,
            { timeout: STEP_TIMEOUT_MS },
          ),
          async () => `the active tab is "${await activeTabLabel(page)}"; toasts: ${await toastTexts(page)}`,
        );
        const label = await activeTabLabel(page);
        expect(label.includes(`dry run on ${CONTEXT}`), `the preview's title names the context: "${label}"`);
        // The Services come first: their re-pointed selector is on screen.
        await waitForAnyEditorText(page, `consolidation.dev/merge: ${MERGED}`, STEP_TIMEOUT_MS);
        const realWrites = env!.requests(requestsBeforePreview).filter((r) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && !r.dryRun);
        expect(realWrites.length === 0, `the preview wrote to the cluster: ${JSON.stringify(realWrites)}`);
        expect(!state().deployments[MERGED], `the preview created Deployment ${MERGED}`);
      },
    },
    {
      name: 'apply-confirmation',
      title: 'F1 "Consolidation: Apply Phase", pick the phase: the confirmation names the context, the cluster and its server, the namespace and every change',
      run: async (page) => {
        await runCommandToQuickPick(page, 'Consolidation: Apply Phase', `which phase of ${PLAN_FILE}`, STEP_TIMEOUT_MS);
        await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        const seen = await waitForDialog(page, STEP_TIMEOUT_MS);
        await shot('apply-dialog');
        expect(seen.message === `Apply phase "${PHASE}" of plan "${PLAN_NAME}" to ${CONTEXT}?`, `the dialog asks: "${seen.message}"`);
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
        const seen = await waitForToast(page, [`Applying phase ${PHASE}`, `Waiting for Deployment ${NAMESPACE}/${MERGED}`], STEP_TIMEOUT_MS);
        await shot('apply-waiting');
        console.log(`    progress: ${seen.text}`);
        env!.server.completeRollout(NAMESPACE, MERGED);
        expect(/updated replicas|new replicas|generation/.test(seen.text), `the progress names what the rollout waits for: "${seen.text}"`);
      },
    },
    {
      name: 'apply-summary',
      title: 'Apply ends with "Applied phase …" and Show Summary opens the summary',
      run: async (page) => {
        const wanted = `Applied phase ${PHASE} of plan ${PLAN_NAME} to context ${CONTEXT} (cluster ${CLUSTER}).`;
        const seen = await waitForToast(page, `Applied phase ${PHASE}`, ROLLOUT_TIMEOUT_MS);
        expect(seen.text.includes(wanted), `the message: "${seen.text}"`);
        expect(seen.buttons.includes('Show Summary'), `its buttons: ${seen.buttons.join(', ')}`);
        await shot('applied-message');
        await pressToastButton(page, `Applied phase ${PHASE}`, 'Show Summary', STEP_TIMEOUT_MS);
        await waitForAnyEditorText(page, `# Applied phase ${PHASE}`, STEP_TIMEOUT_MS);
        await waitForAnyEditorText(page, `Created Deployment ${NAMESPACE}/${MERGED}`, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'cluster-applied',
      title: `the API server holds the merged Deployment (${MANAGED_BY_LABEL}: ${MANAGED_BY}), the old ones at 0 with ${PREVIOUS_REPLICAS}, the re-pointed Services; the record is in ${RECORD_FILE}`,
      run: async () => {
        const now = state();
        const merged = now.deployments[MERGED];
        expect(merged, `no Deployment ${MERGED}`);
        expect(merged.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY, `labels of ${MERGED}: ${JSON.stringify(merged.metadata.labels)}`);
        const podLabels = merged.spec.template.metadata.labels as Record<string, string>;
        for (const [name, replicas] of Object.entries(REPLACED)) {
          const d = now.deployments[name];
          expect(d.spec.replicas === 0, `Deployment ${name} has ${d.spec.replicas} replicas`);
          expect(d.metadata.annotations?.[PREVIOUS_REPLICAS] === String(replicas), `Deployment ${name}'s annotations: ${JSON.stringify(d.metadata.annotations)}`);
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
      title: 'F1 "Consolidation: Roll Back Phase", pick the phase: the confirmation lists what it restores and deletes, on which context and cluster',
      run: async (page) => {
        await runCommandToQuickPick(page, 'Consolidation: Roll Back Phase', `which phase of ${PLAN_FILE}`, STEP_TIMEOUT_MS);
        await pickQuickPickItem(page, PHASE, STEP_TIMEOUT_MS);
        const seen = await waitForDialog(page, STEP_TIMEOUT_MS);
        await shot('rollback-dialog');
        expect(seen.message === `Roll back phase "${PHASE}" of plan "${PLAN_NAME}" on ${CONTEXT}?`, `the dialog asks: "${seen.message}"`);
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
        const seen = await waitForToast(page, [`Rolling back phase ${PHASE}`, 'Waiting for Deployment'], STEP_TIMEOUT_MS);
        await shot('rollback-waiting');
        console.log(`    progress: ${seen.text}`);
        for (const name of Object.keys(REPLACED)) env!.server.completeRollout(NAMESPACE, name);
        for (const name of Object.keys(REPLACED)) {
          expect(seen.text.includes(`Deployment ${NAMESPACE}/${name}`), `the progress names Deployment ${NAMESPACE}/${name}: "${seen.text}"`);
        }
      },
    },
    {
      name: 'rolled-back',
      title: 'Roll Back ends with "Rolled back phase …"; the API server is back to the seeded state and the merged Deployment is deleted',
      run: async (page) => {
        const wanted = `Rolled back phase ${PHASE} of plan ${PLAN_NAME} on context ${CONTEXT} (cluster ${CLUSTER}).`;
        const seen = await waitForToast(page, `Rolled back phase ${PHASE}`, ROLLOUT_TIMEOUT_MS);
        expect(seen.text.includes(wanted), `the message: "${seen.text}"`);
        const now = state();
        expect(!now.deployments[MERGED], `Deployment ${MERGED} still exists`);
        const differs = Object.keys(now.seeded).filter((k) => !isDeepStrictEqual(now.seeded[k], now.now[k]));
        expect(differs.length === 0, `not as seeded: ${differs.map((k) => `${k}: ${JSON.stringify(now.now[k])} (seeded ${JSON.stringify(now.seeded[k])})`).join('; ')}`);
        const record = JSON.parse(fs.readFileSync(recordFile(), 'utf8'));
        expect(record.status === 'rolled-back', `the record's status: ${record.status}`);
      },
    },
  ];

  return ui.run(steps);
}

runMain(NAME, main);
