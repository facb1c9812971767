// `npm run fuzz -- [--runs N] [--minutes M] [--seed S] [--path P] [--full] [--strict] [--cli N] [--lsp N]`
//
// The property-based fuzz harness at length: N engine cases (default 100,000), then --cli cases through the CLI
// process (default N/2,000, at least 3) and --lsp sessions of the language server against `check` (default
// N/20,000, at least 1). Prints one summary line; on a failure, the shrunk case, and the command that replays it.
//
//   --minutes M         stop the engine cases after M minutes (the summary says how many ran)
//   --seed S --path P   replay one failure (fast-check's seed and path, as printed)
//   --full              also the whole no-crash pass on every engine case (every reader on its own, both diagnose
//                       scopes, hover/completion/definition probes), as the bounded unit test does; about half as fast
//   --strict            known product bugs (propertyChecks.ts KNOWN_BUGS) fail too
//
// The engine cases run on a worker thread: one that does not finish within a bound is stopped and reported as a
// hang with its seed and run index.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { describeCase, engineProperty, newStats } from './propertyEngine';
import type { PropertyCase } from './propertyInputs';
import { cliProperty, lspProperty } from './propertyProcesses';

interface Options {
  runs: number;
  seed: number;
  path?: string;
  minutes?: number;
  full: boolean;
  strict: boolean;
  cli: number;
  lsp: number;
}

const HANG_MS = 120_000;

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      minutes: { type: 'string' },
      full: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      cli: { type: 'string' },
      lsp: { type: 'string' },
    },
  });
  const runs = Number(values.runs ?? 100_000);
  const replay = values.path !== undefined;
  return {
    runs,
    seed: values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31,
    path: values.path,
    minutes: values.minutes !== undefined ? Number(values.minutes) : undefined,
    full: values.full!,
    strict: values.strict!,
    cli: Number(values.cli ?? (replay ? 0 : Math.max(3, Math.round(runs / 2000)))),
    lsp: Number(values.lsp ?? (replay ? 0 : Math.max(1, Math.round(runs / 20_000)))),
  };
}

type Message =
  | { type: 'case'; run: number; label: string }
  | { type: 'done'; report: string; failed: boolean; runs: number; known: [string, number][]; ms: number };

/** On the worker: the engine property, posting each case before it runs. */
function engineRun(o: Options): void {
  const stats = newStats();
  const started = Date.now();
  const property = engineProperty(stats, {
    tolerateKnownBugs: !o.strict,
    arithmeticOnly: !o.full,
    onCase: (c: PropertyCase) =>
      parentPort!.postMessage({ type: 'case', run: stats.runs - 1, label: c.label } satisfies Message),
  });
  const details = fc.check(property, {
    seed: o.seed,
    numRuns: o.runs,
    path: o.path,
    endOnFailure: false,
    ...(o.minutes ? { interruptAfterTimeLimit: o.minutes * 60_000 } : {}),
  });
  let report = '';
  if (details.failed) {
    const c = details.counterexample![0] as PropertyCase;
    report = `${(details.errorInstance as Error)?.message ?? details.errorInstance}\nshrunk case (${details.numShrinks} shrinks):\n${describeCase(c)}\nreplay: npm run fuzz -- --seed ${details.seed} --path "${details.counterexamplePath}"${o.full ? ' --full' : ''}${o.strict ? ' --strict' : ''}`;
  }
  parentPort!.postMessage({
    type: 'done',
    report,
    failed: details.failed,
    runs: stats.runs,
    known: [...stats.known],
    ms: Date.now() - started,
  } satisfies Message);
}

function runEngineOnWorker(
  o: Options,
): Promise<Extract<Message, { type: 'done' }> | { type: 'hang'; run: number; label: string }> {
  const tsx = require.resolve('tsx/cjs/api');
  const started = Date.now();
  const worker = new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: o,
  });
  return new Promise((resolve, reject) => {
    let last = { run: -1, label: '' };
    let timer = setTimeout(hang, HANG_MS);
    function hang() {
      void worker.terminate();
      resolve({ type: 'hang', ...last });
    }
    worker.on('message', (m: Message) => {
      clearTimeout(timer);
      if (m.type === 'done') return resolve(m);
      last = m;
      if (m.run > 0 && m.run % 1000 === 0)
        process.stderr.write(`fuzz: ${m.run} engine cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      timer = setTimeout(hang, HANG_MS);
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function processRuns<T extends unknown[]>(
  name: string,
  property: fc.IAsyncProperty<T>,
  numRuns: number,
  seed: number,
): Promise<{ failed: boolean; report: string }> {
  if (numRuns <= 0) return { failed: false, report: '' };
  const details = await fc.check(property, { seed, numRuns, interruptAfterTimeLimit: 20 * 60_000 });
  if (!details.failed) return { failed: false, report: '' };
  const value = details.counterexample;
  return {
    failed: true,
    report: `${name}: ${(details.errorInstance as Error)?.message}\n${JSON.stringify(value, null, 1).slice(0, 6000)}\nreplay: seed ${details.seed} path "${details.counterexamplePath}"`,
  };
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  const started = Date.now();
  console.log(
    `fuzz: seed ${o.seed}, ${o.runs} engine case(s)${o.minutes ? ` or ${o.minutes} minutes` : ''}${o.path ? ` from path ${o.path}` : ''}, ${o.cli} CLI, ${o.lsp} language server; ${o.full ? 'full' : 'arithmetic + diagnose'} engine pass${o.strict ? ', strict' : ''}`,
  );
  const engine = await runEngineOnWorker(o);
  const failures: string[] = [];
  let engineRuns: number;
  let known: [string, number][] = [];
  if (engine.type === 'hang') {
    engineRuns = engine.run + 1;
    failures.push(
      `hang: engine case ${engine.run} [${engine.label}] did not finish within ${HANG_MS} ms; replay: npm run fuzz -- --seed ${o.seed} --path "${engine.run}"${o.full ? ' --full' : ''}`,
    );
  } else {
    engineRuns = engine.runs;
    known = engine.known;
    if (engine.failed) failures.push(`engine: ${engine.report}`);
  }
  const engineMs = Date.now() - started;
  const cli = await processRuns('cli', cliProperty({ tolerateKnownBugs: !o.strict }), o.cli, o.seed);
  const lsp = await processRuns('lsp', lspProperty(), o.lsp, o.seed);
  for (const r of [cli, lsp]) if (r.failed) failures.push(r.report);
  for (const f of failures) console.log(`\n${f}\n`);
  const rate = (engineRuns / (engineMs / 1000)).toFixed(1);
  const knownText = known.length
    ? `; known bugs met (tolerated): ${known.map(([k, n]) => `${k} ×${n}`).join(', ')}`
    : '';
  console.log(
    `fuzz: ${failures.length === 0 ? 'PASS' : 'FAIL'} seed ${o.seed}: ${engineRuns} engine cases in ${(engineMs / 1000).toFixed(0)} s (${rate}/s), ${o.cli} CLI, ${o.lsp} language server; ${failures.length} failure(s)${knownText}; total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return failures.length === 0 ? 0 : 1;
}

if (!isMainThread && workerData) engineRun(workerData as Options);
else if (require.main === module || path.basename(process.argv[1] ?? '') === 'propertyRun.ts') {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(2);
    },
  );
}
