// The cluster commands' extension integration tests (test/e2e/suite-cluster, mocha + the vscode
// API) in a real VS Code (code-server's extension host, workspace trust off), against the test
// Kubernetes API server (test/helpers/testKubeApiServer.ts) running in this process.
//   npx tsx test/e2e/run-cluster.ts
// This process: starts the API server on loopback (port 0) seeded with the manifests of
// test/workspaces/e2e-cluster, writes a kubeconfig into a temp folder, starts code-server on a temp
// copy of the workspace whose .vscode/settings.json points consolidation.kubeconfig at it, and
// serves a bridge (suite-cluster/support/bridge.ts) through which the tests read the API server's
// objects and have the modal dialogs answered in the browser. The suite runs through a small driver
// extension, not extensionTestsPath: in extension-test mode VS Code refuses modal dialogs, and Apply
// and Roll Back cannot run without one (see suite-cluster/support/driver.ts).
// Env: E2E_EXTENSION_PATH (default: the repo root), E2E_GREP, E2E_TIMEOUT_MS (whole suite, default
//      150000), E2E_READY_DELAY_MS (rollout readiness delay of the API server, default 1500),
//      E2E_KEEP_TMP=1.
// Prints every test's result and a last line `cluster: N passed, N failed`; exits 1 on any failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, type Browser } from './lib/browser';
import { buildSuite } from './lib/build-suite';
import {
  REPO_ROOT,
  artifactsDir,
  ensureCodeServer,
  makeTempDir,
  startCodeServer,
  tail,
  withTimeout,
  type CodeServer,
} from './lib/code-server';
import { checkExtensionBuilt, rel, Results, runMain, seconds } from './lib/results';
import { addSuiteResults } from './lib/suite-run';
import { startBridge, type Bridge } from './suite-cluster/support/bridge';
import { startClusterEnv, type ClusterEnv } from './suite-cluster/support/cluster-env';
import { writeDriverExtension } from './suite-cluster/support/driver';
import { BRIDGE_ENV, WORKSPACE_DIR } from './suite-cluster/support/shared';

const NAME = 'cluster';
const WORKSPACE = path.join(REPO_ROOT, ...WORKSPACE_DIR);
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 150_000);
const READY_DELAY_MS = Number(process.env.E2E_READY_DELAY_MS ?? 1500);

const started = Date.now();
/** "[12.3 s]": time since this runner started, for the milestones it prints. */
const at = () => `[${seconds(started)}]`;

/** The suite's "[e2e] ..." lines from the page console (first line, without the %c styles of a development host). */
function printProgress(_type: string, text: string): void {
  if (!text.includes('[e2e]')) return;
  console.log(
    `  ${at()} ${text
      .slice(text.indexOf('[e2e]'))
      .split('\n')[0]!
      .replace(/(\s+color: [^\s]*)+\s*$/, '')}`,
  );
}

async function main(): Promise<number> {
  const results = new Results(NAME);
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  const resultsFile = path.join(artifacts, 'results.jsonl');

  let env: ClusterEnv | undefined;
  let bridge: Bridge | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let exitCode: number | undefined;
  let extensionsDir: string | undefined;
  const removeExtensionsDir = () => {
    if (extensionsDir && process.env.E2E_KEEP_TMP !== '1') fs.rmSync(extensionsDir, { recursive: true, force: true });
  };
  try {
    ensureCodeServer();
    const notBuilt = checkExtensionBuilt(extensionPath);
    if (notBuilt) throw new Error(notBuilt);
    const suite = await buildSuite('suite-cluster');
    console.log(`${at()} suite built: ${rel(suite)}; extension: ${rel(extensionPath)}`);

    env = await startClusterEnv({ workspace: WORKSPACE, readyDelayMs: READY_DELAY_MS });
    console.log(
      `${at()} test API server ${env.server.url} (rollouts ready after ${READY_DELAY_MS} ms), kubeconfig ${env.kubeconfig}`,
    );
    bridge = await startBridge(
      env,
      () => browser,
      (line) => console.log(`  ${at()} ${line}`),
    );

    // The suite runs from a driver extension in the server's extensions folder (see support/driver.ts).
    extensionsDir = makeTempDir('cluster-extensions');
    process.once('exit', removeExtensionsDir); // if the run is interrupted
    writeDriverExtension(extensionsDir, suite);
    server = await startCodeServer({
      name: NAME,
      workspace: WORKSPACE,
      extensionsDir,
      env: {
        E2E_RESULTS_FILE: resultsFile,
        [BRIDGE_ENV]: bridge.url,
        ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
      },
    });
    env.writeWorkspaceSettings(server.workspace!);
    console.log(`${at()} code-server ${server.url} (pid ${server.pid}), workspace copy ${server.workspace}`);
    browser = await launchBrowser({ test: NAME, onConsole: printProgress });
    await browser.page.goto(
      server.folderUrl(server.workspace!, [
        ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
        ['skipWelcome', 'true'],
        ['skipReleaseNotes', 'true'],
      ]),
      { timeout: 30_000 },
    );
    await browser.page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
    await browser.shot('workbench');
    console.log(`${at()} workbench shown; waiting for the suite`);
    const done = await withTimeout(
      bridge.done,
      TIMEOUT_MS,
      'the cluster suite did not finish (the driver extension never reported)',
    );
    await browser.shot('finished');
    if (done.error) throw new Error(`the suite could not run: ${done.error}`);
    exitCode = done.failures ? 1 : 0;
  } catch (err) {
    results.add({
      state: 'failed',
      title: 'run the cluster suite in code-server',
      error: (err as Error).stack ?? String(err),
    });
    if (browser) {
      const shot = await browser.shot('failure');
      if (shot) console.log(`  screenshot: ${rel(shot)}`);
    }
    if (server) console.log(`  code-server log (${rel(server.logFile)}):\n${tail(server.log(), 20)}`);
  } finally {
    await browser?.close();
    await server?.stop();
    await bridge?.close();
    await env?.close();
    removeExtensionsDir();
  }

  addSuiteResults(results, resultsFile, exitCode, started);
  console.log(`cluster run took ${seconds(started)}; artifacts: ${rel(artifacts)}`);
  return results.finish();
}

runMain(NAME, main);
