// Running a bundled extension test suite (lib/build-suite.ts) inside code-server's extension host
// through the workbench's test payload, and collecting what it reported. Shared by
// run-code-server.ts (the main suite) and run-trust.ts (the Restricted Mode suite).
import type { Browser } from './browser';
import { withTimeout, type CodeServer } from './code-server';
import { readResultsFile, seconds, type Results } from './results';

/** For launchBrowser's onConsole: prints the suite's progress ("[e2e] ..." lines, first line only). */
export function printSuiteProgress(_type: string, text: string): void {
  // The extension host's console reaches the page as "[Extension Host] ..." messages.
  if (text.includes('[e2e]')) console.log(`  ${text.slice(text.indexOf('[e2e]')).split('\n')[0]}`);
}

/**
 * Opens the run's workspace copy with extensionDevelopmentPath and extensionTestsPath, and resolves
 * with the exit code the workbench reports through codeAutomationExit once the suite is done.
 * Call at most once per page (it exposes the codeAutomation* functions).
 */
export async function runSuiteInPage(options: {
  server: CodeServer;
  browser: Browser;
  extensionPath: string;
  suiteIndex: string;
  timeoutMs: number;
}): Promise<number> {
  const { server, browser } = options;
  const page = browser.page;
  const finished = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: number) => resolve(Number(code)));
  });
  await page.exposeFunction('codeAutomationLog', (level: string, message: string) => {
    if (level === 'error') console.log(`  [workbench ${level}] ${message}`);
  });
  const url = server.folderUrl(server.workspace!, [
    ['extensionDevelopmentPath', server.remoteUri(options.extensionPath)],
    ['extensionTestsPath', server.remoteUri(options.suiteIndex)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ]);
  await page.goto(url, { timeout: 30_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
  await browser.shot('workbench');
  const exitCode = await withTimeout(
    finished,
    options.timeoutMs,
    'the extension tests did not finish (no codeAutomationExit)',
  );
  await browser.shot('finished');
  return exitCode;
}

/** Adds what the suite wrote to `resultsFile` to `results`, plus a failure when that cannot be the whole story. */
export function addSuiteResults(
  results: Results,
  resultsFile: string,
  exitCode: number | undefined,
  started: number,
): void {
  const reported = readResultsFile(resultsFile);
  console.log(`\nresults (${reported.length} tests, ${seconds(started)}):`);
  for (const r of reported) results.add(r);
  if (exitCode !== undefined && exitCode !== 0 && results.failed === 0) {
    results.add({
      state: 'failed',
      title: `the test run exited with code ${exitCode} without reporting a failed test`,
    });
  }
  if (exitCode === 0 && reported.length === 0) {
    results.add({ state: 'failed', title: 'the test run reported no tests (E2E_RESULTS_FILE not written?)' });
  }
}
