// `npm start`: try the extension in a real VS Code (code-server, in your browser) on examples/.
//   1. installs what is needed (scripts/setup-real-editor.sh: quick when done already),
//   2. builds the extension (npm run build),
//   3. packages it as a VSIX and installs it into a fresh extensions folder, as a user would
//      (`npm start -- --dev` loads it from the repo instead: extensionDevelopmentPath),
//   4. starts code-server on 127.0.0.1 (port: $PORT, else a free one) and prints the URL to open.
// Runs until Ctrl+C, then stops code-server (its whole process group) and removes its temp folder.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, '.real-editor/code-server/node_modules/code-server/out/node/entry.js');
const VSCE = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
const FOLDER = path.join(ROOT, 'examples');
const DEV = process.argv.includes('--dev');
const PORT = process.env.PORT ?? '0';
const HOST = '127.0.0.1';
/** Folders that must never go into the VSIX (the first is ~300 MB); vsce leaves out .git/ and,
 * with --no-dependencies, node_modules/ by itself. */
const NEVER_PACKAGED = ['.real-editor/', '.test-artifacts/', 'out/'];

const log = (msg) => console.log(`[start] ${msg}`);
function fail(msg) {
  console.error(`[start] error: ${msg}`);
  process.exit(1);
}
function run(cmd, args, what) {
  log(what);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal})`);
}
function capture(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

run('bash', [path.join(ROOT, 'scripts/setup-real-editor.sh')], 'setup (scripts/setup-real-editor.sh)');
run('npm', ['run', '--silent', 'build'], 'build (npm run build)');
if (!fs.existsSync(FOLDER)) fail(`${FOLDER} does not exist`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consolidation-start-'));
const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
const userData = path.join(dir, 'user-data');
const extensions = path.join(dir, 'extensions');
const tmp = path.join(dir, 'tmp');
for (const d of [path.join(userData, 'User'), extensions, tmp]) fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(path.join(dir, 'config.yaml'), `bind-addr: ${HOST}:${PORT}\nauth: none\ncert: false\n`);
fs.writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'git.enabled': false,
    },
    null,
    2,
  ),
);
const env = {
  ...process.env,
  TMPDIR: tmp,
  EXTENSIONS_GALLERY: '{}',
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_DATA_HOME: path.join(dir, 'data'),
  XDG_CACHE_HOME: path.join(dir, 'cache'),
};

let dev = DEV;
if (!dev) {
  // Install the extension as a user would: package a VSIX, install it into the fresh folder.
  // Without a .vscodeignore or a "files" list, vsce would package .real-editor/ (~300 MB) too.
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const junk = NEVER_PACKAGED.filter((d) => fs.existsSync(path.join(ROOT, d)));
  if (junk.length > 0 && !pkg.files && !fs.existsSync(path.join(ROOT, '.vscodeignore'))) {
    log(`warning: no .vscodeignore and no "files" in package.json: a VSIX would include ${junk.join(', ')}`);
    log('warning: loading the extension from the repo instead (extensionDevelopmentPath)');
    dev = true;
  } else {
    const vsix = path.join(dir, 'consolidation-plans.vsix');
    log('packaging the extension (vsce package --no-dependencies)');
    const pack = capture(process.execPath, [
      VSCE,
      'package',
      '--no-dependencies',
      '--no-rewrite-relative-links',
      '-o',
      vsix,
    ]);
    if (!pack.ok) {
      cleanup();
      fail(`vsce package failed:\n${pack.out}`);
    }
    log(`packaged ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MB`);
    log('installing the VSIX (code-server --install-extension)');
    const inst = spawnSync(
      process.execPath,
      [
        ENTRY,
        '--config',
        path.join(dir, 'config.yaml'),
        '--user-data-dir',
        userData,
        '--extensions-dir',
        extensions,
        '--install-extension',
        vsix,
      ],
      { cwd: dir, env, encoding: 'utf8' },
    );
    if (inst.status !== 0) {
      cleanup();
      fail(`installing the VSIX failed:\n${inst.stdout}${inst.stderr}`);
    }
  }
}

log(`starting code-server on ${HOST}:${PORT === '0' ? '(a free port)' : PORT}`);
const child = spawn(
  process.execPath,
  [
    ENTRY,
    '--config',
    path.join(dir, 'config.yaml'),
    '--bind-addr',
    `${HOST}:${PORT}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensions,
  ],
  { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
const logFile = fs.createWriteStream(path.join(dir, 'code-server.log'));
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  // Whatever of the group outlives SIGTERM is killed when code-server exits (or at our exit).
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  child.once('exit', () => {
    kill();
    cleanup();
    process.exit(code);
  });
  setTimeout(() => {
    // A deadline, not a wait: code-server ignored SIGTERM for 5 s.
    kill();
    cleanup();
    process.exit(code);
  }, 5000).unref();
}
process.on('SIGINT', () => {
  console.log('');
  log('stopping code-server');
  stop(0);
});
process.on('SIGTERM', () => stop(0));
process.on('exit', () => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
});

let announced = false;
let output = '';
const onData = (chunk) => {
  logFile.write(chunk);
  if (announced) return;
  output += chunk.toString();
  const m = /HTTP server listening on http:\/\/[^:\s]+:(\d+)/.exec(output);
  if (!m) return;
  announced = true;
  const base = `http://${HOST}:${m[1]}`;
  let url = `${base}/?folder=${encodeURIComponent(FOLDER)}`;
  if (dev) {
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${HOST}:${m[1]}${encodeURI(ROOT)}`],
      ['skipWelcome', 'true'],
    ];
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  console.log('');
  log(
    `code-server is running (${dev ? 'extension loaded from the repo' : 'extension installed from a freshly packaged VSIX'})`,
  );
  log(`open: ${url}`);
  log(`server log: ${path.join(dir, 'code-server.log')}`);
  log('stop with Ctrl+C');
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
setTimeout(() => {
  // A deadline, not a wait: the server should be listening within 30 s.
  if (announced || stopping) return;
  console.error(`[start] code-server did not start listening within 30 s:\n${output}`);
  stop(1);
}, 30_000).unref();
child.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`[start] code-server exited (${code ?? signal})${announced ? '' : `:\n${output}`}`);
  cleanup();
  process.exit(code || 1);
});
