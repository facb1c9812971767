// Debian's chromium driven by playwright-core, for the real-editor tests. Screenshots go to
// .test-artifacts/e2e/<test>/NN-step.png; the page's console goes to browser-console.log there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS_ROOT, makeTempDir } from './code-server';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** .test-artifacts/e2e/<test>/ (a runner empties it at its start with artifactsDir()). */
  readonly artifacts: string;
  /** Saves NN-<step>.png and returns its path; never throws (a failed screenshot is logged). */
  shot(step: string): Promise<string | undefined>;
  /** The page's console so far, one line per message. */
  consoleLines(): string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Artifacts folder name: .test-artifacts/e2e/<test>/. */
  test: string;
  /** Print the page's console messages as they come (filtered by this test). */
  onConsole?: (type: string, text: string) => void;
  viewport?: { width: number; height: number };
}

export async function launchBrowser(options: LaunchOptions): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run \`bash scripts/setup-real-editor.sh\` (installs Debian's chromium)`);
  }
  const artifacts = path.join(ARTIFACTS_ROOT, options.test);
  fs.mkdirSync(artifacts, { recursive: true });
  const profile = makeTempDir(`chromium-${options.test}`);
  // Removed by close(), or at exit if the run is interrupted (playwright stops chromium itself).
  const removeProfile = () => fs.rmSync(profile, { recursive: true, force: true });
  process.once('exit', removeProfile);
  let context: BrowserContext;
  try {
    // With launchPersistentContext the profile folder is the first argument (not --user-data-dir).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 900 },
      // Chromium's crash reporter and caches write under XDG dirs: keep them in the temp profile.
      env: {
        ...(process.env as Record<string, string>),
        XDG_CONFIG_HOME: path.join(profile, 'xdg-config'),
        XDG_CACHE_HOME: path.join(profile, 'xdg-cache'),
      },
      timeout: 30_000,
    });
  } catch (err) {
    removeProfile();
    process.removeListener('exit', removeProfile);
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    lines.push(`[${msg.type()}] ${text}`);
    options.onConsole?.(msg.type(), text);
  });
  page.on('pageerror', (err) => lines.push(`[pageerror] ${err.stack ?? err.message}`));

  let n = 0;
  const shot = async (step: string) => {
    n += 1;
    const file = path.join(artifacts, `${String(n).padStart(2, '0')}-${step.replace(/[^\w.-]+/g, '-')}.png`);
    try {
      await page.screenshot({ path: file, timeout: 10_000 });
      return file;
    } catch (err) {
      console.error(`  (screenshot ${path.basename(file)} failed: ${(err as Error).message.split('\n')[0]})`);
      return undefined;
    }
  };
  let closed = false;
  return {
    context,
    page,
    artifacts,
    shot,
    consoleLines: () => lines,
    async close() {
      if (closed) return;
      closed = true;
      fs.writeFileSync(path.join(artifacts, 'browser-console.log'), lines.join('\n') + '\n');
      await context.close().catch(() => undefined);
      removeProfile();
      process.removeListener('exit', removeProfile);
    },
  };
}

/** A self-contained page opened from a file, with what it asked the network for and what it logged. */
export interface OfflinePage {
  /** Every URL the page requested besides its own file: none, for a page that works offline. */
  readonly requests: string[];
  /** Console errors and warnings (a CSP violation is one) and uncaught page errors. */
  readonly problems: string[];
  /** Stops listening; call it before asserting on `requests` and `problems`. */
  stop(): void;
}

/** Writes `html` to `<artifacts>/<name>.html` and opens it in the browser's page, listening as it loads. */
export async function openOfflinePage(browser: Browser, name: string, html: string): Promise<OfflinePage> {
  const file = path.join(browser.artifacts, `${name}.html`);
  fs.writeFileSync(file, html);
  const url = `file://${file}`;
  const requests: string[] = [];
  const problems: string[] = [];
  const onRequest = (r: { url(): string }) => {
    if (r.url() !== url) requests.push(r.url());
  };
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  };
  const onError = (e: Error) => problems.push(e.message);
  browser.page.on('request', onRequest);
  browser.page.on('console', onConsole);
  browser.page.on('pageerror', onError);
  await browser.page.goto(url, { waitUntil: 'load' });
  return {
    requests,
    problems,
    stop() {
      browser.page.off('request', onRequest);
      browser.page.off('console', onConsole);
      browser.page.off('pageerror', onError);
    },
  };
}
