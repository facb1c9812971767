// Starts and stops a real VS Code (code-server 4.100.3 from npm, installed into .real-editor/ by
// scripts/setup-real-editor.sh) for the real-editor tests. Every run gets a fresh temp folder
// (config.yaml, user data, extensions, TMPDIR, a copy of the workspace), port 0, and its own
// process group, which stop() kills as a whole. See shared docs "real-vscode-offline.md".
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = path.join(REPO_ROOT, '.real-editor', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const ARTIFACTS_ROOT = path.join(REPO_ROOT, '.test-artifacts', 'e2e');
const STAMP = path.join(CODE_SERVER_DIR, '.installed-version');
const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-real-editor.sh');

/** True when code-server and its version stamp are in place (what the setup script checks). */
export function codeServerInstalled(): boolean {
  try {
    return fs.existsSync(CODE_SERVER_ENTRY) && fs.readFileSync(STAMP, 'utf8').trim() === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** Runs scripts/setup-real-editor.sh unless everything is installed already. */
export function ensureCodeServer(): void {
  if (codeServerInstalled() && fs.existsSync('/usr/bin/chromium')) return;
  console.log('code-server is not installed yet: running scripts/setup-real-editor.sh');
  const r = spawnSync('bash', [SETUP_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/setup-real-editor.sh failed (exit ${r.status ?? r.signal})`);
}

/** Settings for a quiet, offline workbench (user settings.json). */
export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'update.mode': 'none',
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'window.dialogStyle': 'custom',
};

export interface StartOptions {
  /** Short name used for the temp folder and the artifacts folder (.test-artifacts/e2e/<name>/). */
  name: string;
  /** A folder to copy into the run's temp folder; the copy is `server.workspace`. */
  workspace?: string;
  /** Leave VS Code's workspace trust feature on (the folder then opens untrusted). Default: off. */
  workspaceTrust?: boolean;
  /** Use this extensions folder (e.g. one with an installed VSIX) instead of a fresh empty one. */
  extensionsDir?: string;
  /** Extra user settings, merged over BASE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host. */
  env?: Record<string, string>;
  /** Port to bind on 127.0.0.1; default 0 (the OS picks a free one). */
  port?: number;
  /** How long to wait for "HTTP server listening"; default 30 s. */
  startTimeoutMs?: number;
  /** Copy the server's output to this process's stdout as it comes. */
  echoLog?: boolean;
  /** Keep the temp folder after stop() (also with E2E_KEEP_TMP=1). */
  keepTempDir?: boolean;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The run's temp folder. */
  readonly dir: string;
  /** The copy of options.workspace, if one was given. */
  readonly workspace: string | undefined;
  readonly extensionsDir: string;
  readonly pid: number;
  /** Where the server's output goes (kept in the artifacts folder). */
  readonly logFile: string;
  /** The server's output so far. */
  log(): string;
  /** vscode-remote:// URI of a path on this machine, as the workbench's payload wants it. */
  remoteUri(absPath: string): string;
  /** URL that opens `folder`, optionally with a development/test payload. */
  folderUrl(folder: string, payload?: Array<[string, string]>): string;
  /** Kills the whole process group and removes the temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

// Runs still alive: their process groups are killed (and temp folders removed) if this process
// exits without stop() (an uncaught error, Ctrl+C).
const liveGroups = new Map<number, () => void>();
let exitHooksInstalled = false;
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const [pgid, cleanup] of liveGroups) {
      killGroup(pgid, 'SIGKILL');
      cleanup();
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\nreceived ${sig}: stopping code-server`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fresh folder under the OS temp dir, e.g. /tmp/cp-e2e-suite-Ab12Cd. */
export function makeTempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cp-e2e-${name.replace(/[^\w-]/g, '_')}-`));
}

/** Clears and returns .test-artifacts/e2e/<name>/. */
export function artifactsDir(name: string): string {
  const dir = path.join(ARTIFACTS_ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Rejects after `ms` with `message` unless `promise` settles first (a timeout, not a wait). */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (timed out after ${Math.round(ms / 1000)} s)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  if (!codeServerInstalled()) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run \`bash scripts/setup-real-editor.sh\``);
  }
  installExitHooks();
  const dir = makeTempDir(options.name);
  const keep = options.keepTempDir || process.env.E2E_KEEP_TMP === '1';
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(dir, 'extensions');
  const tmpDir = path.join(dir, 'tmp');
  const home = path.join(dir, 'home');
  for (const d of [path.join(userDataDir, 'User'), extensionsDir, tmpDir, home]) fs.mkdirSync(d, { recursive: true });
  const host = '127.0.0.1';
  const port = options.port ?? 0;
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);
  const settings: Record<string, unknown> = { ...BASE_SETTINGS, ...options.settings };
  if (options.workspaceTrust) {
    // Trust stays on, but no modal on startup: the folder simply opens in restricted mode.
    settings['security.workspace.trust.startupPrompt'] = 'never';
    settings['security.workspace.trust.banner'] = 'never';
  }
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  let workspace: string | undefined;
  if (options.workspace) {
    workspace = path.join(dir, 'workspace');
    fs.cpSync(options.workspace, workspace, { recursive: true });
  }

  const logDir = path.join(ARTIFACTS_ROOT, options.name);
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'code-server.log');
  const logStream = fs.createWriteStream(logFile);

  const args = [
    CODE_SERVER_ENTRY,
    '--config',
    configFile,
    '--bind-addr',
    `${host}:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (!options.workspaceTrust) args.push('--disable-workspace-trust');

  const child = spawn(process.execPath, args, {
    cwd: dir,
    detached: true, // its own process group: stop() kills the server, its extension hosts, pty host...
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      TMPDIR: tmpDir, // the server leaves vscode-ipc-*.sock files here
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'), // e.g. Microsoft/DeveloperTools (device id)
      EXTENSIONS_GALLERY: '{}', // no extension gallery: nothing tries to reach the internet
      VSCODE_PROXY_URI: '',
      PASSWORD: '',
      HASHED_PASSWORD: '',
    },
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('could not start code-server');
  liveGroups.set(pgid, () => {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  });

  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    logStream.write(text);
    if (options.echoLog) process.stdout.write(text.replace(/^/gm, '[code-server] '));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pgid, 'SIGTERM');
    try {
      await withTimeout(exited, 5000, 'code-server did not stop on SIGTERM');
    } catch {
      /* escalate below */
    }
    // The group's other members (extension host, pty host, file watcher) may outlive the leader.
    if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
    await new Promise<void>((resolve) => logStream.end(resolve));
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept temp folder ${dir}`);
  };

  try {
    const listening = new Promise<number>((resolve, reject) => {
      const re = /HTTP server listening on http:\/\/[^:\s]+:(\d+)/;
      const check = () => {
        const m = re.exec(output);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then((code) => reject(new Error(`code-server exited (${code}) before listening:\n${tail(output)}`)));
    });
    const actualPort = await withTimeout(
      listening,
      options.startTimeoutMs ?? 30_000,
      `code-server did not log "HTTP server listening"; output so far:\n${tail(output)}`,
    );
    const url = `http://${host}:${actualPort}`;
    const remoteUri = (p: string) => `vscode-remote://${host}:${actualPort}${encodeURI(path.resolve(p))}`;
    return {
      url,
      port: actualPort,
      dir,
      workspace,
      extensionsDir,
      pid: pgid,
      logFile,
      log: () => output,
      remoteUri,
      folderUrl(folder: string, payload?: Array<[string, string]>) {
        let u = `${url}/?folder=${encodeURIComponent(path.resolve(folder))}`;
        if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        return u;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Installs a VSIX into an extensions folder with `code-server --install-extension`. */
export function installVsix(vsix: string, extensionsDir: string): string {
  if (!codeServerInstalled()) throw new Error('code-server is not installed: run `bash scripts/setup-real-editor.sh`');
  const dir = makeTempDir('install');
  try {
    fs.mkdirSync(extensionsDir, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [
        CODE_SERVER_ENTRY,
        '--config',
        path.join(dir, 'config.yaml'),
        '--user-data-dir',
        path.join(dir, 'user-data'),
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsix,
        '--force',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          TMPDIR: dir,
          XDG_CONFIG_HOME: path.join(dir, 'config'),
          XDG_DATA_HOME: path.join(dir, 'data'),
          XDG_CACHE_HOME: path.join(dir, 'cache'),
          EXTENSIONS_GALLERY: '{}',
        },
      },
    );
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || /\bfailed\b/i.test(out)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${out}`);
    }
    return out.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
