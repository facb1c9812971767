// Runs the extension integration tests (test/e2e/suite, mocha + the vscode API) inside a real
// VS Code: code-server's extension host, driven through a headless chromium.
//   npx tsx test/e2e/run-code-server.ts
// Env: E2E_EXTENSION_PATH (default: the repo root), E2E_GREP (a test title filter),
//      E2E_TIMEOUT_MS (whole run, default 150000), E2E_KEEP_TMP=1 (keep the temp folder).
// Prints every test's result and a last line `e2e: N passed, N failed`; exits 1 on any failure.
import * as path from 'node:path';
import { launchBrowser, type Browser } from './lib/browser';
import { buildSuite } from './lib/build-suite';
import { REPO_ROOT, artifactsDir, ensureCodeServer, startCodeServer, tail, type CodeServer } from './lib/code-server';
import { Results, checkExtensionBuilt, rel, runMain } from './lib/results';
import { addSuiteResults, printSuiteProgress, runSuiteInPage } from './lib/suite-run';

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
    browser = await launchBrowser({ test: NAME, onConsole: printSuiteProgress });
    exitCode = await runSuiteInPage({ server, browser, extensionPath, suiteIndex: suite, timeoutMs: TIMEOUT_MS });
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

  addSuiteResults(results, resultsFile, exitCode, started);
  console.log(`artifacts: ${rel(artifacts)}`);
  return results.finish();
}

runMain('e2e', main);
