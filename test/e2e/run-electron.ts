// The same extension integration tests (test/e2e/suite) in a desktop VS Code through
// @vscode/test-electron's runTests, when VSCODE_EXECUTABLE names one. Nothing is downloaded
// (downloads are not possible on these machines); without VSCODE_EXECUTABLE the stage is skipped.
//   VSCODE_EXECUTABLE=/usr/share/code/code npx tsx test/e2e/run-electron.ts
// On Linux without a display, run it under `xvfb-run -a`. Last line: `electron: N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildSuite } from './lib/build-suite';
import { REPO_ROOT, artifactsDir, makeTempDir, withTimeout } from './lib/code-server';
import { checkExtensionBuilt, readResultsFile, rel, Results, runMain, seconds } from './lib/results';

const NAME = 'electron';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 150_000);

async function main(): Promise<number> {
  const executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    console.log('electron: skipped: no desktop VS Code (set VSCODE_EXECUTABLE); downloads are not possible here');
    return 0;
  }
  const started = Date.now();
  const results = new Results('electron');
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  const resultsFile = path.join(artifacts, 'results.jsonl');
  const tmp = makeTempDir(NAME);
  let exitCode: number | undefined;
  try {
    if (!fs.existsSync(executable)) throw new Error(`VSCODE_EXECUTABLE=${executable} does not exist`);
    const notBuilt = checkExtensionBuilt(extensionPath);
    if (notBuilt) throw new Error(notBuilt);
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      console.log('  note: no DISPLAY; if VS Code fails to start, run this under `xvfb-run -a`');
    }
    const suite = await buildSuite();
    const workspace = path.join(tmp, 'workspace');
    fs.cpSync(WORKSPACE, workspace, { recursive: true });
    exitCode = await withTimeout(
      runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: extensionPath,
        extensionTestsPath: suite,
        extensionTestsEnv: {
          E2E_RESULTS_FILE: resultsFile,
          ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
        },
        launchArgs: [
          workspace,
          '--disable-extensions', // every extension but the one under test
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          '--disable-gpu',
          '--user-data-dir',
          path.join(tmp, 'user-data'),
          '--extensions-dir',
          path.join(tmp, 'extensions'),
        ],
      }),
      TIMEOUT_MS,
      'the desktop VS Code run did not finish',
    );
  } catch (err) {
    results.add({
      state: 'failed',
      title: 'run the suite in desktop VS Code',
      error: (err as Error).stack ?? String(err),
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const reported = readResultsFile(resultsFile);
  console.log(`\nresults (${reported.length} tests, ${seconds(started)}):`);
  for (const r of reported) results.add(r);
  if (exitCode !== undefined && exitCode !== 0 && results.failed === 0) {
    results.add({ state: 'failed', title: `VS Code exited with code ${exitCode} without reporting a failed test` });
  }
  if (exitCode === 0 && reported.length === 0) results.add({ state: 'failed', title: 'the run reported no tests' });
  console.log(`artifacts: ${rel(artifacts)}`);
  return results.finish();
}

runMain('electron', main);
