// One browser UI run in a real VS Code, the set-up every UI runner shares: code-server on a copy of a
// workspace, headless chromium on it with the extension loaded from the repo (extensionDevelopmentPath,
// or E2E_EXTENSION_PATH), the steps run in order with a screenshot after each (lib/steps.ts), and
// everything stopped at the end, also on a failure. Screenshots and the page's console are in
// .test-artifacts/e2e/<name>/ (emptied when the session is created): NN-<step>.png from shot() and
// after each step, <name>.png from screenshot(). The runner prints its results; the last line is
// `<name>: N passed, N failed`.
//   const ui = new UiSession({ name: 'ui', workspace: WORKSPACE, stepTimeoutMs: STEP_TIMEOUT_MS });
//   const steps: UiStep[] = [{ name: 'open', title: '...', run: async (page) => { ... ui.workspace ... } }];
//   runMain('ui', () => ui.run(steps));
import * as path from 'node:path';
import { launchBrowser, type Browser } from './browser';
import { REPO_ROOT, artifactsDir, ensureCodeServer, startCodeServer, tail, type CodeServer } from './code-server';
import { Results, checkExtensionBuilt, rel, seconds } from './results';
import { runUiSteps, type RunStepsOptions, type UiStep } from './steps';

export interface UiSessionOptions {
  /** The runner's name: its artefact folder .test-artifacts/e2e/<name>/ and the label of its results. */
  name: string;
  /** The folder whose copy code-server opens. */
  workspace: string;
  /** How long opening the workbench page may take (and, by convention, each step's waits). */
  stepTimeoutMs: number;
  /** User settings on top of code-server's BASE_SETTINGS (e.g. a colour theme). */
  settings?: Record<string, unknown>;
  /** The browser window's size (default 1400×900). */
  viewport?: { width: number; height: number };
  /** How a failed step is reported (lines of its message kept, whether it stops the rest). */
  stepOptions?: RunStepsOptions;
  /** The title of the one failed result when setting up throws (default: "start code-server and the browser"). */
  startTitle?: string;
  /** Runs before code-server starts (e.g. a test Kubernetes API server). */
  beforeStart?: () => Promise<void>;
  /** Runs once code-server has started, before the browser opens the workspace (e.g. writes its settings). */
  afterServerStart?: (server: CodeServer) => void | Promise<void>;
  /** Runs after the steps, with everything still up: checks that add results of their own. */
  afterSteps?: (session: UiSession) => void | Promise<void>;
  /** Runs last, after the browser and code-server are stopped (e.g. stops what beforeStart started). */
  teardown?: () => Promise<void>;
}

export class UiSession {
  readonly results: Results;
  /** .test-artifacts/e2e/<name>/, emptied by the constructor. */
  readonly artifacts: string;
  readonly extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  private readonly started = Date.now();
  private codeServer: CodeServer | undefined;
  private chromium: Browser | undefined;

  constructor(readonly options: UiSessionOptions) {
    this.results = new Results(options.name);
    this.artifacts = artifactsDir(options.name);
  }

  /** The running code-server (from the first step on). */
  get server(): CodeServer {
    if (!this.codeServer) throw new Error('code-server is not started');
    return this.codeServer;
  }

  /** The workspace copy code-server opened: what the steps read and change on disk. */
  get workspace(): string {
    const workspace = this.server.workspace;
    if (!workspace) throw new Error('code-server has no workspace copy');
    return workspace;
  }

  /** The browser (from the first step on). */
  get browser(): Browser {
    if (!this.chromium) throw new Error('the browser is not started');
    return this.chromium;
  }

  /** A numbered screenshot NN-<step>.png of the moment (never throws; undefined when there is no browser or it failed). */
  async shot(step: string): Promise<string | undefined> {
    return this.chromium?.shot(step);
  }

  /** A screenshot under a name of its own, <name>.png (e.g. view-dark.png), for a picture looked at by name; throws on failure. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(this.artifacts, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.browser.page.screenshot({ path: file });
    return file;
  }

  /**
   * Starts code-server and the browser, opens the workspace copy with the extension, runs the steps,
   * then stops everything; prints the results and returns the exit code (1 when a test failed).
   */
  async run(steps: UiStep[]): Promise<number> {
    const { name, stepTimeoutMs } = this.options;
    try {
      ensureCodeServer();
      const notBuilt = checkExtensionBuilt(this.extensionPath);
      if (notBuilt) throw new Error(notBuilt);
      await this.options.beforeStart?.();
      this.codeServer = await startCodeServer({
        name,
        workspace: this.options.workspace,
        settings: this.options.settings,
      });
      await this.options.afterServerStart?.(this.codeServer);
      console.log(
        `code-server ${this.codeServer.url} (pid ${this.codeServer.pid}), workspace copy ${this.codeServer.workspace}`,
      );
      this.chromium = await launchBrowser({ test: name, viewport: this.options.viewport });
      await this.chromium.page.goto(
        this.codeServer.folderUrl(this.workspace, [
          ['extensionDevelopmentPath', this.codeServer.remoteUri(this.extensionPath)],
          ['skipWelcome', 'true'],
          ['skipReleaseNotes', 'true'],
        ]),
        { timeout: stepTimeoutMs },
      );
      const blocked = await runUiSteps(this.chromium, steps, this.results, this.options.stepOptions);
      if (blocked)
        console.log(`  code-server log (${rel(this.codeServer.logFile)}):\n${tail(this.codeServer.log(), 15)}`);
      await this.options.afterSteps?.(this);
    } catch (err) {
      this.results.add({
        state: 'failed',
        title: this.options.startTitle ?? 'start code-server and the browser',
        error: (err as Error).stack ?? String(err),
      });
      if (this.chromium) await this.chromium.shot('failure');
    } finally {
      await this.chromium?.close();
      await this.codeServer?.stop();
      await this.options.teardown?.();
    }
    console.log(`${name} run took ${seconds(this.started)}; screenshots: ${rel(this.artifacts)}`);
    return this.results.finish();
  }
}
