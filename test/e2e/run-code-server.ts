// Runs the extension integration tests (test/e2e/suite, mocha + the vscode API) inside a real
// VS Code: code-server's extension host, driven through a headless chromium.
//   npx tsx test/e2e/run-code-server.ts
// Env: E2E_EXTENSION_PATH (default: the repo root), E2E_GREP (a test title filter),
//      E2E_TIMEOUT_MS (whole run, default 150000), E2E_KEEP_TMP=1 (keep the temp folder).
// Prints every test's result and a last line `e2e: N passed, N failed`; exits 1 on any failure.
import * as path from 'node:path';
import { launchBrowser, type Browser } from './lib/browser';
import { buildSuite } from './lib/build-suite';
import {
  REPO_ROOT,
  artifactsDir,
  ensureCodeServer,
  startCodeServer,
  tail,
  withTimeout,
  type CodeServer,
} from './lib/code-server';
import { Results, checkExtensionBuilt, readResultsFile, rel, seconds } from './lib/results';

const NAME = 'suite';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 150_000);

async function main(): Promise<number> {
  const started = Date.now();
  const results = new Results('e2e');
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  const resultsFile = path.join(artifacts, 'results.jsonl');

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let exitCode: number | undefined;
  try {
    ensureCodeServer();
    const notBuilt = checkExtensionBuilt(extensionPath);
    if (notBuilt) throw new Error(notBuilt);
    const suite = await buildSuite();
    console.log(`suite built: ${rel(suite)}; extension: ${rel(extensionPath)}`);

    server = await startCodeServer({
      name: NAME,
      workspace: WORKSPACE,
      env: {
        E2E_RESULTS_FILE: resultsFile,
        ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
      },
    });
    console.log(`code-server ${server.url} (pid ${server.pid}), workspace copy ${server.workspace}`);
    browser = await launchBrowser({
      test: NAME,
      onConsole: (_type, text) => {
        // The extension host's console reaches the page as "[Extension Host] ..." messages.
        // Progress only (first line); the full results are printed at the end.
        if (text.includes('[e2e]')) console.log(`  ${text.slice(text.indexOf('[e2e]')).split('\n')[0]}`);
      },
    });
    const page = browser.page;
    const finished = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: string) => {
      if (level === 'error') console.log(`  [workbench ${level}] ${message}`);
    });
    const url = server.folderUrl(server.workspace!, [
      ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
      ['extensionTestsPath', server.remoteUri(suite)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ]);
    await page.goto(url, { timeout: 30_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
    await browser.shot('workbench');
    exitCode = await withTimeout(finished, TIMEOUT_MS, 'the extension tests did not finish (no codeAutomationExit)');
    await browser.shot('finished');
  } catch (err) {
    results.add({ state: 'failed', title: 'run the suite in code-server', error: (err as Error).stack ?? String(err) });
    if (browser) {
      const shot = await browser.shot('failure');
      if (shot) console.log(`  screenshot: ${rel(shot)}`);
    }
    if (server) console.log(`  code-server log (${rel(server.logFile)}):\n${tail(server.log(), 20)}`);
  } finally {
    await browser?.close();
    await server?.stop();
  }

  const reported = readResultsFile(resultsFile);
  console.log(`\nresults (${reported.length} tests, ${seconds(started)}):`);
  for (const r of reported) results.add(r);
  if (exitCode !== undefined && exitCode !== 0 && results.failed === 0) {
    results.add({ state: 'failed', title: `the test run exited with code ${exitCode} without reporting a failed test` });
  }
  if (exitCode === 0 && reported.length === 0) {
    results.add({ state: 'failed', title: 'the test run reported no tests (E2E_RESULTS_FILE not written?)' });
  }
  console.log(`artifacts: ${rel(artifacts)}`);
  results.printSummary();
  return results.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
