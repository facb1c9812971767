#!/usr/bin/env node
// bench/checkout.mjs — a `git checkout` that rewrites many files under our language server.
//
//   node bench/checkout.mjs --workspace DIR [--files 500] [--chunks 4] [--chunk-gap-ms 300] [--timeout 300]
//
// Copies DIR's clusters/ into bench/.work/checkout/<name>/ with a plan on disk, `checkout.plan.yaml`, whose
// sources are every clusters/**/*.yaml (so every file is checked, none is open in the editor), then:
//   1. cold: starts the server on it; ms from `initialized` until every file and the plan had diagnostics;
//   2. checkout: rewrites `--files` files on disk as another branch would (every replicas: count changes,
//      every 10th file gets a memory request `512mb`), in `--chunks` groups `--chunk-gap-ms` apart (a checkout
//      that takes a while), and sends `workspace/didChangeWatchedFiles` as VS Code's language client does:
//      the file events gathered until none came for 250 ms, then one notification with all of them;
//      settled = ms from the first write to the last publication (once something was published, and then
//      nothing for 2 s);
//      publications counted, and files published more than once (intermediate diagnostics);
//   3. check: a second server started cold on the rewritten tree; its diagnostics must equal the first
//      server's once settled, file by file; its start is the cold time of the rewritten files.
// The last stdout line is a JSON summary. Uses vscode-jsonrpc from the repository's node_modules.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');
const HERE = path.dirname(new URL(import.meta.url).pathname);
const SERVER = path.resolve(HERE, '..', 'dist', 'server.js');
const CLIENT_DELAY_MS = 250; // vscode-languageclient gathers file events this long (its Delayer(250))
const QUIET_MS = 2000;

const o = { workspace: null, files: 500, chunks: 4, chunkGapMs: 300, timeout: 300 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const v = () => argv[++i];
  if (a === '--workspace') o.workspace = v();
  else if (a === '--files') o.files = Number(v());
  else if (a === '--chunks') o.chunks = Number(v());
  else if (a === '--chunk-gap-ms') o.chunkGapMs = Number(v());
  else if (a === '--timeout') o.timeout = Number(v());
  else {
    console.error(`checkout: unknown argument ${a}`);
    process.exit(2);
  }
}
if (!o.workspace) {
  console.error('usage: node bench/checkout.mjs --workspace DIR');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error(`checkout: timed out after ${o.timeout}s`);
  console.log(JSON.stringify({ ok: false, error: 'timeout' }));
  process.exit(1);
}, o.timeout * 1000);

const source = path.resolve(o.workspace);
const dir = path.join(HERE, '.work', 'checkout', path.basename(source));
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
fs.cpSync(path.join(source, 'clusters'), path.join(dir, 'clusters'), { recursive: true });
fs.writeFileSync(
  path.join(dir, 'checkout.plan.yaml'),
  `apiVersion: consolidation.dev/v1alpha1
kind: ConsolidationPlan
metadata:
  name: checkout
spec:
  sources:
    - clusters/**/*.yaml
  budget:
    cpu: "100000"
    memory: 100000Gi
  phases:
    - name: nothing-yet
`,
);
const files = [];
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f);
    else if (e.name.endsWith('.yaml')) files.push(f);
  }
};
walk(path.join(dir, 'clusters'));
const everyUri = new Set([...files, path.join(dir, 'checkout.plan.yaml')].map((f) => pathToFileURL(f).href));

/** A server on `dir`, with the publications it makes. */
function startServer() {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => {
    stderr = (stderr + b).slice(-4000);
  });
  const conn = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const server = { child, conn, last: new Map(), log: [], lastAt: 0, stderr: () => stderr };
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    server.lastAt = performance.now();
    server.last.set(p.uri, p.diagnostics);
    server.log.push({ at: server.lastAt, uri: p.uri });
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  return server;
}

async function initialize(server) {
  await server.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
    capabilities: {
      textDocument: { publishDiagnostics: { versionSupport: true } },
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
    },
  });
  const t0 = performance.now();
  server.conn.sendNotification('initialized', {});
  return t0;
}

const tick = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls `condition` (the whole run is bounded by --timeout). */
async function until(condition) {
  while (!condition()) await tick(10);
}
/** Until nothing was published for QUIET_MS (after `since`). */
async function quiet(server, since) {
  await until(() => performance.now() - Math.max(server.lastAt, since) >= QUIET_MS);
}
async function stop(server) {
  try {
    await Promise.race([server.conn.sendRequest('shutdown'), tick(5000)]);
    server.conn.sendNotification('exit');
  } catch {
    /* gone */
  }
  setTimeout(() => server.child.kill('SIGKILL'), 2000).unref();
}
const coldTime = async (server) => {
  const t0 = await initialize(server);
  await until(() => [...everyUri].every((u) => server.last.has(u)));
  return Math.max(...server.log.filter((e) => everyUri.has(e.uri)).map((e) => e.at)) - t0;
};
const r1 = (x) => Math.round(x * 10) / 10;

/** Another branch's version of a file: other replica counts, and in every 10th file a memory request written `512mb`. */
function rewritten(text, index) {
  let out = text.replace(/^(\s*replicas:\s*)(\d+)/gm, (_, head, n) => `${head}${Number(n) + 1}`);
  if (index % 10 === 0) out = out.replace(/^(\s*memory:\s*)\S+/m, '$1512mb');
  return out === text ? `${text}# rewritten\n` : out;
}

const result = { ok: false, files: files.length };
const first = startServer();
let second;
try {
  result.coldMs = r1(await coldTime(first));
  await quiet(first, 0);

  // The checkout: writes in chunks; file events gathered as the language client gathers them.
  const chosen = files.slice(0, o.files);
  const perChunk = Math.ceil(chosen.length / Math.max(1, o.chunks));
  const pending = [];
  let timer;
  let notifications = 0;
  let lastSentAt = 0;
  const event = (file) => {
    pending.push({ uri: pathToFileURL(file).href, type: 2 });
    clearTimeout(timer);
    timer = setTimeout(() => {
      first.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: pending.splice(0) });
      notifications++;
      lastSentAt = performance.now();
    }, CLIENT_DELAY_MS);
  };
  const logBefore = first.log.length;
  const started = performance.now();
  for (let c = 0; c * perChunk < chosen.length; c++) {
    if (c > 0) await tick(o.chunkGapMs);
    chosen.slice(c * perChunk, (c + 1) * perChunk).forEach((file, i) => {
      fs.writeFileSync(file, rewritten(fs.readFileSync(file, 'utf8'), c * perChunk + i));
      event(file);
    });
  }
  await until(() => pending.length === 0 && lastSentAt > 0);
  // Every 10th file has a new finding: something is published; settled once nothing more is for 2 s.
  await until(() => first.log.length > logBefore);
  await quiet(first, lastSentAt);
  const settled = new Map(first.last);
  const during = first.log.slice(logBefore);
  const perFile = new Map();
  for (const e of during) perFile.set(e.uri, (perFile.get(e.uri) ?? 0) + 1);
  result.checkout = {
    rewritten: chosen.length,
    chunks: Math.ceil(chosen.length / perChunk),
    notifications,
    writeMs: r1(lastSentAt - CLIENT_DELAY_MS - started),
    settledMs: r1((during.length ? during[during.length - 1].at : lastSentAt) - started),
    publications: during.length,
    filesPublished: perFile.size,
    filesPublishedMoreThanOnce: [...perFile.values()].filter((n) => n > 1).length,
  };

  // The same tree, cold: the diagnostics must be the same, and its start is the cold time of these files.
  second = startServer();
  result.coldAfterMs = r1(await coldTime(second));
  await quiet(second, 0);
  const differing = [...everyUri].filter(
    (u) => JSON.stringify(settled.get(u) ?? []) !== JSON.stringify(second.last.get(u) ?? []),
  );
  result.sameAsCold = differing.length === 0;
  const count = (m) => [...m.values()].flat().length;
  result.diagnostics = { settled: count(settled), cold: count(second.last) };
  if (differing.length) result.differing = differing.slice(0, 5);
  result.settledOverCold = Math.round((result.checkout.settledMs / result.coldAfterMs) * 100) / 100;
  result.ok = true;
} catch (error) {
  result.error = String((error && error.stack) || error);
  result.serverStderr = first.stderr();
} finally {
  clearTimeout(deadline);
  await stop(first);
  if (second) await stop(second);
  console.log(JSON.stringify(result));
  setTimeout(() => process.exit(result.ok ? 0 : 1), 100).unref();
}
