// The whole real-editor stage: setup, then the extension integration tests in code-server, the
// UI tests, the Restricted Mode (workspace trust) run, the VSIX test and the desktop (electron)
// runner, one after another, each in its own process. Prints each stage's result and a last line
// `total: N passed, N failed`; exits 1 on any failure. Build the extension first (`npm run build`).
//   npx tsx test/e2e/run-all.ts
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, withTimeout } from './lib/code-server';
import { runMain } from './lib/results';

interface Stage {
  name: string;
  command: string[];
  timeoutMs: number;
}

interface StageResult {
  name: string;
  passed: number;
  failed: number;
  skipped: boolean;
  seconds: number;
  note: string;
}

const tsx = (file: string) => [process.execPath, '--import', 'tsx', path.join(__dirname, file)];
const STAGES: Stage[] = [
  { name: 'setup', command: ['bash', path.join(REPO_ROOT, 'scripts', 'setup-real-editor.sh')], timeoutMs: 600_000 },
  { name: 'suite', command: tsx('run-code-server.ts'), timeoutMs: 200_000 },
  { name: 'ui', command: tsx('run-ui.ts'), timeoutMs: 200_000 },
  { name: 'budget-view', command: tsx('run-budget-view.ts'), timeoutMs: 200_000 },
  { name: 'trust', command: tsx('run-trust.ts'), timeoutMs: 200_000 },
  { name: 'cluster', command: tsx('run-cluster.ts'), timeoutMs: 150_000 },
  { name: 'cluster-ui', command: tsx('run-cluster-ui.ts'), timeoutMs: 150_000 },
  { name: 'vsix', command: tsx('run-vsix.ts'), timeoutMs: 200_000 },
  { name: 'electron', command: tsx('run-electron.ts'), timeoutMs: 200_000 },
];

async function runStage(stage: Stage): Promise<StageResult> {
  const shown = stage.command.map((c) =>
    c === process.execPath ? 'node' : path.isAbsolute(c) ? path.relative(REPO_ROOT, c) : c,
  );
  console.log(`\n=== ${stage.name}: ${shown.join(' ')}`);
  const started = Date.now();
  // Its own process group, so a stage that hangs can be stopped with everything it started.
  const child = spawn(stage.command[0]!, stage.command.slice(1), {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    process.stdout.write(d);
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* gone */
    }
  };
  const onExit = () => stopGroup('SIGTERM');
  process.once('exit', onExit);
  let code: number;
  let note = '';
  try {
    code = await withTimeout(exited, stage.timeoutMs, `stage ${stage.name} did not finish`);
  } catch (err) {
    note = (err as Error).message;
    // SIGTERM lets the runner stop its code-server and browser; SIGKILL whatever is left.
    stopGroup('SIGTERM');
    code = await withTimeout(exited, 10_000, 'no exit after SIGTERM').catch(() => {
      stopGroup('SIGKILL');
      return 137;
    });
  } finally {
    process.removeListener('exit', onExit);
  }
  const seconds = (Date.now() - started) / 1000;
  const counts = [...output.matchAll(/^(?:[\w-]+: )?(\d+) passed, (\d+) failed\s*$/gm)].pop();
  const skipped = code === 0 && !counts && /\bskipped\b/.test(output);
  let passed = counts ? Number(counts[1]) : 0;
  let failed = counts ? Number(counts[2]) : 0;
  if (stage.name === 'setup') {
    passed = code === 0 ? 1 : 0;
    failed = code === 0 ? 0 : 1;
  } else if (code !== 0 && failed === 0) {
    failed = 1;
    note ||= `exit code ${code} without a failure count`;
  } else if (code === 0 && !counts && !skipped) {
    failed = 1;
    note = 'printed no "N passed, N failed" line';
  }
  return { name: stage.name, passed, failed, skipped, seconds, note };
}

async function main(): Promise<number> {
  // Stages run in their own process groups (so a terminal's Ctrl+C reaches only this process):
  // exiting through process.exit runs each stage's 'exit' hook, which stops that stage.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\nreceived ${sig}: stopping the running stage`);
      process.exit(130);
    });
  }
  const started = Date.now();
  const results: StageResult[] = [];
  for (const stage of STAGES) {
    const r = await runStage(stage);
    results.push(r);
    if (stage.name === 'setup' && r.failed > 0) {
      console.log('setup failed: the other stages need it; stopping');
      break;
    }
  }
  console.log('\n=== real-editor stages');
  for (const r of results) {
    const state = r.skipped ? 'skipped' : `${r.passed} passed, ${r.failed} failed`;
    console.log(
      `${r.failed > 0 ? '✘' : r.skipped ? '-' : '✔'} ${r.name.padEnd(10)} ${state.padEnd(22)} ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  (${r.note})` : ''}`,
    );
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`all stages took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`total: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

runMain('total', main);
