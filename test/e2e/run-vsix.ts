// VSIX test: packages the extension as a person would publish it (vsce package --no-dependencies;
// esbuild bundles the dependencies into dist/), installs the VSIX into a fresh extensions folder
// with `code-server --install-extension`, starts code-server WITHOUT extensionDevelopmentPath,
// opens the plan with Quick Open and waits for a diagnostic squiggle: the packaged extension
// activates and diagnoses.
//   npx tsx test/e2e/run-vsix.ts        (E2E_EXTENSION_PATH: package another folder)
// Last line: `vsix: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, type Browser } from './lib/browser';
import {
  REPO_ROOT,
  artifactsDir,
  ensureCodeServer,
  installVsix,
  makeTempDir,
  startCodeServer,
  tail,
  type CodeServer,
} from './lib/code-server';
import { checkExtensionBuilt, indent, rel, Results, runMain, seconds } from './lib/results';
import { openWithQuickOpen, waitForLanguage, waitForSquiggle } from './lib/workbench';

const NAME = 'vsix';
const WORKSPACE = path.join(REPO_ROOT, 'test', 'workspaces', 'e2e');
const PLAN = 'shop.plan.yaml';
const VSCE = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000);
const MAX_VSIX_MB = 20;
/** Folders that must never be packaged (the first is ~300 MB). vsce itself leaves out .git/ and,
 * with --no-dependencies, node_modules/; the others need a .vscodeignore or a "files" list. */
const NEEDS_IGNORING = ['.real-editor/', '.test-artifacts/', 'out/'];
const NEVER_PACKAGED = [...NEEDS_IGNORING, 'node_modules/', '.git/'];

/** The file names in a zip (a VSIX), read from its central directory. */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function vsce(args: string[], cwd: string): { ok: boolean; output: string } {
  // stdin closed: vsce must not wait for a y/N answer (missing repository, LICENSE...).
  const r = spawnSync(process.execPath, [VSCE, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

async function main(): Promise<number> {
  const started = Date.now();
  const results = new Results('vsix');
  const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH ?? REPO_ROOT);
  const artifacts = artifactsDir(NAME);
  const tmp = makeTempDir(NAME);
  const vsix = path.join(tmp, 'x.vsix');
  const extensionsDir = path.join(tmp, 'extensions');
  let server: CodeServer | undefined;
  let browser: Browser | undefined;

  let blocked: string | undefined;
  const step = async (title: string, fn: () => Promise<void> | void): Promise<boolean> => {
    if (blocked) {
      results.add({ state: 'failed', title: `${title} (not run: "${blocked}" failed)` });
      return false;
    }
    const t0 = Date.now();
    try {
      await fn();
      results.add({ state: 'passed', title, durationMs: Date.now() - t0 });
      return true;
    } catch (err) {
      const shot = browser ? await browser.shot('FAILED') : undefined;
      const error = `${(err as Error).message}${shot ? `\nscreenshot: ${rel(shot)}` : ''}`;
      results.add({ state: 'failed', title, durationMs: Date.now() - t0, error });
      blocked = title;
      return false;
    }
  };

  try {
    await step('the extension is built and code-server is installed', () => {
      ensureCodeServer();
      const notBuilt = checkExtensionBuilt(extensionPath);
      if (notBuilt) throw new Error(notBuilt);
    });
    await step('packaging leaves out build, test and tool folders (.vscodeignore or "files")', () => {
      // Cheap check before packaging: .real-editor/ alone is ~300 MB.
      const present = NEEDS_IGNORING.filter((d) => fs.existsSync(path.join(extensionPath, d)));
      const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as { files?: string[] };
      const hasIgnore = fs.existsSync(path.join(extensionPath, '.vscodeignore'));
      if (present.length > 0 && !hasIgnore && !pkg.files) {
        throw new Error(
          `neither a .vscodeignore nor a "files" list in package.json: the VSIX would include ${present.join(', ')}. ` +
            `Add to package.json e.g. "files": ["dist/*.js", "schemas/**", "syntaxes/**", "snippets/**", ` +
            `"language-configuration.json"] (vsce adds package.json, README.md, CHANGELOG.md and LICENSE by itself)`,
        );
      }
    });
    await step('vsce package --no-dependencies makes a VSIX', () => {
      const pack = vsce(['package', '--no-dependencies', '--no-rewrite-relative-links', '-o', vsix], extensionPath);
      fs.writeFileSync(path.join(artifacts, 'vsce-package.log'), pack.output + '\n');
      for (const line of pack.output.split('\n').filter((l) => /WARNING|ERROR/.test(l)))
        console.log(`  vsce: ${line.trim()}`);
      if (!pack.ok || !fs.existsSync(vsix))
        throw new Error(`vsce package failed:\n${indent(tail(pack.output, 30), '  ')}`);
      const mb = fs.statSync(vsix).size / 1024 / 1024;
      const entries = zipEntries(vsix);
      console.log(`  ${rel(vsix)}: ${mb.toFixed(2)} MB, ${entries.length} files`);
      fs.writeFileSync(path.join(artifacts, 'vsix-files.txt'), entries.join('\n') + '\n');
      const bad = NEVER_PACKAGED.filter((d) => entries.some((e) => e.startsWith(`extension/${d}`)));
      if (bad.length > 0)
        throw new Error(`the VSIX holds ${bad.join(', ')}: leave them out (.vscodeignore or "files")`);
      if (!entries.includes('extension/package.json')) throw new Error('the VSIX has no extension/package.json');
      if (mb > MAX_VSIX_MB)
        throw new Error(
          `the VSIX is ${mb.toFixed(1)} MB (more than ${MAX_VSIX_MB} MB): something is packaged that should not be`,
        );
    });
    await step('code-server --install-extension installs it into a fresh extensions folder', () => {
      const out = installVsix(vsix, extensionsDir);
      console.log(indent(out, '    '));
      const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as {
        publisher: string;
        name: string;
      };
      const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
      const installed = fs.readdirSync(extensionsDir).filter((d) => d.toLowerCase().startsWith(`${id}-`));
      if (installed.length === 0)
        throw new Error(`no ${id}-* folder in the extensions folder: ${fs.readdirSync(extensionsDir).join(', ')}`);
    });
    await step('code-server starts with the installed extension (no extensionDevelopmentPath)', async () => {
      server = await startCodeServer({ name: NAME, workspace: WORKSPACE, extensionsDir });
      console.log(`  code-server ${server.url} (pid ${server.pid})`);
      browser = await launchBrowser({ test: NAME });
      await browser.page.goto(server.folderUrl(server.workspace!), { timeout: STEP_TIMEOUT_MS });
      await browser.page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT_MS });
      await browser.shot('workbench');
    });
    await step(`Quick Open opens ${PLAN} as a Consolidation Plan`, async () => {
      const page = browser!.page;
      await openWithQuickOpen(page, PLAN, STEP_TIMEOUT_MS);
      await waitForLanguage(page, 'Consolidation Plan', STEP_TIMEOUT_MS);
      await browser!.shot('plan-open');
    });
    await step('the packaged extension activates and diagnoses: an error squiggle appears', async () => {
      await waitForSquiggle(browser!.page, STEP_TIMEOUT_MS);
      await browser!.shot('squiggle');
    });
    if (blocked && server) console.log(`  code-server log (${rel(server.logFile)}):\n${tail(server.log(), 15)}`);
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`vsix run took ${seconds(started)}; artifacts: ${rel(artifacts)}`);
  return results.finish();
}

runMain('vsix', main);
