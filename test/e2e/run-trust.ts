// Restricted Mode: code-server with workspace trust ON (the folder is not trusted, no startup
// prompt), then
//   1. the extension tests of test/e2e/suite-trust/ in its extension host (payload, as in
//      run-code-server.ts): the plan is diagnosed, the cluster commands are declared with
//      `enablement: isWorkspaceTrusted` and executing them does nothing;
//   2. what a person sees, in the same server (the page reloaded without tests): the Restricted
//      Mode indicator, the plan's squiggle, and a command palette without the cluster commands.
// KUBECONFIG points at a kubeconfig whose exec credential plugin would create a marker file:
// it must never run.
//   npx tsx test/e2e/run-trust.ts
// Env: E2E_EXTENSION_PATH, E2E_GREP (the suite part), E2E_TIMEOUT_MS, E2E_STEP_TIMEOUT_MS, E2E_KEEP_TMP=1.
// Screenshots: .test-artifacts/e2e/trust/. Last line: `trust: N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, type Browser } from './lib/browser';
import { runUiSteps, type UiStep } from './lib/steps';
import { buildSuite } from './lib/build-suite';
import {
  REPO_ROOT,
  artifactsDir,
  ensureCodeServer,
  makeTempDir,
  startCodeServer,
  tail,
  type CodeServer,
} from './lib/code-server';
import { checkExtensionBuilt, rel, Results, runMain, seconds } from './lib/results';
import { addSuiteResults, printSuiteProgress, runSuiteInPage } from './lib/suite-run';
import { openWithQuickOpen, text, waitForLanguage, waitForSquiggle, waiting } from './lib/workbench';

declare const document: any;

const NAME = 'trust';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const PLAN = 'shop.plan.yaml';
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 150_000);
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);
const CLUSTER_COMMANDS = [
  'consolidation.previewPhase',
  'consolidation.applyPhase',
  'consolidation.rollbackPhase',
  'consolidation.importClusterState',
  'consolidation.selectContext',
  'consolidation.recordUsage',
  'consolidation.verifyPhase',
];
/** Commands that stay in the palette in Restricted Mode (shows the palette did list the extension's commands). */
const KEPT_COMMANDS = ['consolidation.showReport', 'consolidation.generateMergedManifests'];

type Step = UiStep;

interface Contributed {
  command: string;
  title: string;
  category?: string;
  enablement?: string;
}

/** "Category: Title" of each contributed command, as the palette shows it. */
function paletteLabels(extensionPath: string): Map<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as {
    contributes?: { commands?: Contributed[] };
  };
  return new Map(
    (pkg.contributes?.commands ?? []).map((c) => [c.command, c.category ? `${c.category}: ${c.title}` : c.title]),
  );
}

/**
 * A kubeconfig for a cluster that is not there, whose user's credentials come from an exec plugin
 * that creates `marker`: if anything talks to "the cluster", the marker appears.
 */
function writeKubeconfig(dir: string, marker: string): string {
  const file = path.join(dir, 'kubeconfig');
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    status: { token: 'restricted-mode-test' },
  });
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: restricted',
      'clusters:',
      '  - name: nowhere',
      '    cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}',
      'contexts:',
      '  - name: restricted',
      '    context: {cluster: nowhere, user: exec-user, namespace: shop}',
      '  - name: other',
      '    context: {cluster: nowhere, user: exec-user, namespace: default}',
      'users:',
      '  - name: exec-user',
      '    user:',
      '      exec:',
      '        apiVersion: client.authentication.k8s.io/v1beta1',
      '        command: /bin/sh',
      `        args: ["-c", ${JSON.stringify(`touch '${marker}'; printf '%s' '${credential}'`)}]`,
      '        interactiveMode: Never',
      '',
    ].join('\n'),
  );
  return file;
}

async function main(): Promise<number> {
  const started = Date.now();
  const results = new Results('trust');
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  const resultsFile = path.join(artifacts, 'results.jsonl');
  const kubeDir = makeTempDir('trust-kube');
  const marker = path.join(kubeDir, 'exec-plugin-ran');
  const kubeconfig = writeKubeconfig(kubeDir, marker);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let exitCode: number | undefined;
  let suiteRan = false;

  const labels = paletteLabels(extensionPath);
  const steps: Step[] = [
    {
      name: 'restricted-mode',
      title: 'the workbench (no tests) opens the folder in Restricted Mode: the status bar says so',
      run: async (page) => {
        await page.goto(
          server!.folderUrl(server!.workspace!, [
            ['extensionDevelopmentPath', server!.remoteUri(extensionPath)],
            ['skipWelcome', 'true'],
            ['skipReleaseNotes', 'true'],
          ]),
          { timeout: STEP_TIMEOUT_MS },
        );
        await waiting('the workbench', page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS }));
        await waiting(
          'the status bar to show "Restricted Mode"',
          page.waitForFunction(
            () => String(document.querySelector('.part.statusbar')?.textContent ?? '').includes('Restricted Mode'),
            undefined,
            { timeout: STEP_TIMEOUT_MS },
          ),
          text(page, '.part.statusbar'),
        );
      },
    },
    {
      name: 'squiggle',
      title: `Quick Open (Ctrl+P) opens ${PLAN} and the plan gets an error squiggle in Restricted Mode`,
      run: async (page) => {
        await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
        await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
        await waitForSquiggle(page, STEP_TIMEOUT_MS);
      },
    },
    {
      name: 'palette',
      title:
        'F1 "Consolidation" lists Show Budget Report and Generate Merged Manifests, and none of the five cluster commands',
      run: async (page) => {
        // Not contributed: then the palette has nothing to hide and the check would be empty.
        const missing = CLUSTER_COMMANDS.filter((id) => !labels.has(id));
        if (missing.length) {
          throw new Error(
            `not contributed in package.json (contributes.commands), so there is nothing to check in the palette: ${missing.join(', ')}`,
          );
        }
        const kept = KEPT_COMMANDS.map((id) => labels.get(id) ?? id);
        await page.keyboard.press('F1');
        await waiting(
          'the command palette to show',
          page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS }),
        );
        await page.keyboard.type('Consolidation');
        const rows = page.locator('.quick-input-list .monaco-list-row');
        for (const label of kept) {
          await waiting(
            `the palette to list "${label}"`,
            rows
              .filter({ hasText: label.slice(label.indexOf(':') + 1).trim() })
              .first()
              .waitFor({ timeout: STEP_TIMEOUT_MS }),
            text(page, '.quick-input-list'),
          );
        }
        const shown = (await rows.allTextContents()).map((r) => r.replace(/\s+/g, ' ').trim());
        // The palette stays open for the step's screenshot.
        const leaked = CLUSTER_COMMANDS.map((id) => labels.get(id)!).filter((label) =>
          shown.some((row) => row.includes(label.slice(label.indexOf(':') + 1).trim())),
        );
        if (leaked.length)
          throw new Error(`the palette lists ${leaked.join(', ')} in Restricted Mode; it shows: ${shown.join(' | ')}`);
      },
    },
    {
      name: 'no-exec',
      title: "the kubeconfig's exec credential plugin never ran (nothing talked to a cluster)",
      run: async () => {
        if (fs.existsSync(marker))
          throw new Error(`${marker} exists: the exec plugin of KUBECONFIG ran in Restricted Mode`);
      },
    },
  ];

  try {
    ensureCodeServer();
    const notBuilt = checkExtensionBuilt(extensionPath);
    if (notBuilt) throw new Error(notBuilt);
    const suite = await buildSuite('suite-trust');
    console.log(`suite built: ${rel(suite)}; extension: ${rel(extensionPath)}`);
    server = await startCodeServer({
      name: NAME,
      workspace: WORKSPACE,
      workspaceTrust: true,
      env: {
        E2E_RESULTS_FILE: resultsFile,
        E2E_EXEC_MARKER: marker,
        KUBECONFIG: kubeconfig,
        ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
      },
    });
    console.log(
      `code-server ${server.url} (pid ${server.pid}, workspace trust on), workspace copy ${server.workspace}`,
    );
    browser = await launchBrowser({ test: NAME, onConsole: printSuiteProgress });
    try {
      exitCode = await runSuiteInPage({ server, browser, extensionPath, suiteIndex: suite, timeoutMs: TIMEOUT_MS });
    } catch (err) {
      results.add({
        state: 'failed',
        title: 'run the Restricted Mode suite in code-server',
        error: (err as Error).stack ?? String(err),
      });
      const shot = await browser.shot('suite-failure');
      if (shot) console.log(`  screenshot: ${rel(shot)}`);
    }
    suiteRan = true;
    addSuiteResults(results, resultsFile, exitCode, started);

    console.log('\nwhat a person sees in Restricted Mode:');
    // The steps do not depend on each other; only a workbench that did not load blocks the rest.
    await runUiSteps(browser, steps, results, {
      blocksRest: async (page) => !(await page.$('.monaco-workbench').catch(() => null)),
    });
  } catch (err) {
    results.add({
      state: 'failed',
      title: 'start code-server (workspace trust on) and the browser',
      error: (err as Error).stack ?? String(err),
    });
    if (browser) await browser.shot('failure');
    if (server) console.log(`  code-server log (${rel(server.logFile)}):\n${tail(server.log(), 20)}`);
    if (!suiteRan) addSuiteResults(results, resultsFile, exitCode, started);
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(kubeDir, { recursive: true, force: true });
  }
  console.log(`trust run took ${seconds(started)}; artifacts: ${rel(artifacts)}`);
  return results.finish();
}

runMain('trust', main);
