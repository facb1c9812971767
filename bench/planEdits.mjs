#!/usr/bin/env node
// bench/planEdits.mjs — typing in a plan over a large workspace, against our language server.
//
//   node bench/planEdits.mjs --workspace DIR [--single 40] [--burst 300] [--day-edits 10000] [--timeout 300]
//                            [--node-arg ARG]...   (e.g. --node-arg --cpu-prof: options for the server's node)
//
// Opens (in the editor only: nothing is written to DIR) a plan `bench.plan.yaml` whose sources are every
// `clusters/**/*.yaml` of DIR, with a scale phase and a merge phase over Deployments of the workspace, then:
//   1. single edits: one character typed into a comment, waiting for the diagnostics of each version
//      (latency = didChange sent -> publishDiagnostics of the plan at that version); p50/p95;
//   2. a burst: `--burst` one-character edits sent back to back and one more; latency of the last version's
//      diagnostics after it was sent, and how many times the plan's diagnostics were published meanwhile;
//   3. a long day: `--day-edits` edits in bursts of 100 alternating the plan and a manifest, each burst
//      waiting for its last version; the server's RSS after the first burst and at the end.
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

const o = { workspace: null, single: 40, burst: 300, dayEdits: 10000, timeout: 300, nodeArgs: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const v = () => argv[++i];
  if (a === '--workspace') o.workspace = v();
  else if (a === '--single') o.single = Number(v());
  else if (a === '--burst') o.burst = Number(v());
  else if (a === '--day-edits') o.dayEdits = Number(v());
  else if (a === '--timeout') o.timeout = Number(v());
  else if (a === '--node-arg') o.nodeArgs.push(v());
  else {
    console.error(`planEdits: unknown argument ${a}`);
    process.exit(2);
  }
}
if (!o.workspace) {
  console.error('usage: node bench/planEdits.mjs --workspace DIR');
  process.exit(2);
}
const ws = path.resolve(o.workspace);
const deadline = setTimeout(() => {
  console.error(`planEdits: timed out after ${o.timeout}s`);
  console.log(JSON.stringify({ ok: false, error: 'timeout' }));
  process.exit(1);
}, o.timeout * 1000);

// Deployments of the workspace, for the plan's phases: the first few names with their namespaces.
function deployments(limit) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= limit) return;
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.yaml')) {
        for (const doc of fs.readFileSync(f, 'utf8').split(/^---$/m)) {
          const m = /kind: Deployment\s*\nmetadata:\s*\n\s+name: (\S+)\s*\n\s+namespace: (\S+)/.exec(doc);
          if (m && out.length < limit) out.push({ name: m[1], namespace: m[2], file: f });
        }
      }
    }
  };
  walk(path.join(ws, 'clusters'));
  return out;
}
const deps = deployments(6);
if (deps.length < 4) {
  console.error('planEdits: fewer than 4 Deployments under clusters/');
  process.exit(2);
}
const ns = deps[0].namespace;
const ref = (d) => `${d.namespace}/${d.name}`;
const planText = `apiVersion: consolidation.dev/v1alpha1
kind: ConsolidationPlan
metadata:
  name: bench
spec:
  sources:
    - clusters/**/*.yaml
  namespace: ${ns}
  budget:
    cpu: "100000"
    memory: 100000Gi
  # typing goes here:
  phases:
    - name: scale-down
      scale:
        ${ref(deps[0])}: 1
        ${ref(deps[1])}: 0
    - name: merge
      merge:
        - name: bench-hub
          strategy: replace
          from: [${ref(deps[2])}, ${ref(deps[3])}]
          container:
            image: example/bench-hub:1.0.0
            resources:
              requests: { cpu: 250m, memory: 512Mi }
              limits: { cpu: "1", memory: 1Gi }
`;
const planFile = path.join(ws, 'bench.plan.yaml');
const planUri = pathToFileURL(planFile).href;
const COMMENT_LINE = planText.split('\n').findIndex((l) => l.startsWith('  # typing goes here:'));

const child = spawn(process.execPath, [...o.nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
let serverStderr = '';
child.stderr.on('data', (b) => {
  serverStderr = (serverStderr + b).slice(-4000);
});
const conn = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout),
  new rpc.StreamMessageWriter(child.stdin),
);
const waiters = [];
let planPublishes = 0;
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  if (p.uri === planUri) planPublishes++;
  for (const w of [...waiters])
    if (w.test(p)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(performance.now());
    }
});
conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
conn.onRequest('client/registerCapability', () => null);
conn.onRequest('window/workDoneProgress/create', () => null);
conn.listen();
const waitFor = (test) => new Promise((resolve) => waiters.push({ test, resolve }));
const rssMB = () => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
};
/** CPU seconds the server's process (all its threads) has used, from /proc. */
const cpuSec = () => {
  try {
    const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);

let version = 1;
let commentLength = '  # typing goes here:'.length;
/** One character typed at the end of the comment line. */
function typeIntoPlan() {
  version++;
  conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: planUri, version },
    contentChanges: [
      {
        range: {
          start: { line: COMMENT_LINE, character: commentLength },
          end: { line: COMMENT_LINE, character: commentLength },
        },
        text: 'x',
      },
    ],
  });
  commentLength++;
  return version;
}
const planAt = (v) => (p) => p.uri === planUri && p.version === v;

const result = { ok: false };
try {
  const t0 = performance.now();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ws).href,
    workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
    capabilities: {
      textDocument: { publishDiagnostics: { versionSupport: true } },
      workspace: { configuration: true },
    },
  });
  conn.sendNotification('initialized', {});
  const opened = waitFor(planAt(1));
  conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: planUri, languageId: 'consolidation-plan', version: 1, text: planText },
  });
  result.openPlanMs = r1((await opened) - t0);

  const single = [];
  const cpuBefore = cpuSec();
  for (let i = 0; i < o.single; i++) {
    const v = typeIntoPlan();
    const sent = performance.now();
    single.push((await waitFor(planAt(v))) - sent);
  }
  const cpuAfter = cpuSec();
  // The server's CPU per edit: what an edit costs, much less sensitive than its latency to other load.
  const cpuMsPerEdit =
    cpuBefore != null && cpuAfter != null && single.length ? r1(((cpuAfter - cpuBefore) * 1000) / single.length) : null;
  result.singleEdit = {
    all: single.map((x) => Math.round(x)),
    n: single.length,
    p50Ms: r1(pct(single, 50)),
    p95Ms: r1(pct(single, 95)),
    maxMs: r1(Math.max(...single)),
    cpuMsPerEdit,
  };

  const before = planPublishes;
  let last;
  for (let i = 0; i <= o.burst; i++) last = typeIntoPlan();
  const lastSent = performance.now();
  const done = await waitFor(planAt(last));
  result.burst = { edits: o.burst + 1, lastVersionMs: r1(done - lastSent), planPublishes: planPublishes - before };

  if (o.dayEdits > 0) {
    // Alternate bursts on the plan and on a manifest the plan reads (appending a comment line to it).
    const manifest = deps[4]?.file ?? deps[0].file;
    const manifestUri = pathToFileURL(manifest).href;
    const manifestText = fs.readFileSync(manifest, 'utf8');
    let manifestVersion = 1;
    const opening = waitFor((p) => p.uri === manifestUri);
    conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: manifestUri, languageId: 'yaml', version: 1, text: manifestText },
    });
    await opening;
    const bursts = Math.ceil(o.dayEdits / 100);
    for (let b = 0; b < bursts; b++) {
      let wait;
      if (b % 2 === 0) {
        for (let i = 0; i < 100; i++) last = typeIntoPlan();
        wait = waitFor(planAt(last));
      } else {
        for (let i = 0; i < 100; i++) {
          // The whole text, with one last comment line that changes: the file keeps its size, as when a
          // person edits a value back and forth (appending would measure a growing file, not the server).
          manifestVersion++;
          conn.sendNotification('textDocument/didChange', {
            textDocument: { uri: manifestUri, version: manifestVersion },
            contentChanges: [{ text: `${manifestText}# edit ${String(b * 100 + i).padStart(6, '0')}\n` }],
          });
        }
        const v = manifestVersion;
        wait = waitFor((p) => p.uri === manifestUri && p.version === v);
      }
      await wait;
      if (b === 0) result.rssAfter100MB = r1(rssMB());
      if (b % 10 === 9) (result.rssEvery1000MB ??= []).push(Math.round(rssMB()));
      // Keep the plan's comment short: a day of typing is not one 10,000-character line.
      if (commentLength > 400) {
        version++;
        conn.sendNotification('textDocument/didChange', {
          textDocument: { uri: planUri, version },
          contentChanges: [
            {
              range: {
                start: { line: COMMENT_LINE, character: '  # typing goes here:'.length },
                end: { line: COMMENT_LINE, character: commentLength },
              },
              text: '',
            },
          ],
        });
        commentLength = '  # typing goes here:'.length;
        await waitFor(planAt(version));
      }
    }
    result.dayEdits = bursts * 100;
    result.rssEndMB = r1(rssMB());
    result.rssGrowthPct = result.rssAfter100MB
      ? r1(((result.rssEndMB - result.rssAfter100MB) / result.rssAfter100MB) * 100)
      : null;
  }
  result.ok = true;
} catch (error) {
  result.error = String((error && error.stack) || error);
  result.serverStderr = serverStderr;
} finally {
  clearTimeout(deadline);
  try {
    await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
    conn.sendNotification('exit');
  } catch {
    /* gone */
  }
  setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  console.log(JSON.stringify(result));
  setTimeout(() => process.exit(result.ok ? 0 : 1), 100).unref();
}
