// Mocha runner of the extension integration tests, loaded by VS Code's extension host through
// extensionTestsPath (code-server via the `payload` URL parameter, or @vscode/test-electron).
// Bundled with mocha by test/e2e/lib/build-suite.ts into out/e2e/suite/index.js; the test files
// are bundled next to it as *.test.js and loaded in name order.
//
// Results: one line per test on the console, and, when E2E_RESULTS_FILE is set (the runners set
// it), one JSON object per line in that file: {"state":"passed"|"failed"|"skipped","title",...}.
// E2E_GREP narrows the tests to those whose full title matches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  state: 'passed' | 'failed' | 'skipped';
  title: string;
  durationMs?: number;
  error?: string;
}

function record(result: TestResult): void {
  const mark = result.state === 'passed' ? 'ok  ' : result.state === 'failed' ? 'FAIL' : 'skip';
  const duration = result.durationMs !== undefined ? ` (${result.durationMs} ms)` : '';
  console.log(`[e2e] ${mark} ${result.title}${duration}${result.error ? `\n${result.error}` : ''}`);
  const file = process.env.E2E_RESULTS_FILE;
  if (file) fs.appendFileSync(file, JSON.stringify(result) + '\n');
}

class E2EReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on('pass', (test) => record({ state: 'passed', title: test.fullTitle(), durationMs: test.duration }));
    runner.on('fail', (test, err: Error) =>
      record({ state: 'failed', title: test.fullTitle(), durationMs: test.duration, error: err?.stack ?? String(err) }),
    );
    runner.on('pending', (test) => record({ state: 'skipped', title: test.fullTitle() }));
    runner.once('end', () => {
      const s = this.stats;
      console.log(`[e2e] suite finished: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    });
  }
}

/** Resolves with the number of failed tests; also calls VS Code's callback (failures > 0: exit 1). */
export function run(_testsRoot?: string, done?: (error: unknown, failures?: number) => void): Promise<number> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: Number(process.env.E2E_TEST_TIMEOUT_MS ?? 60_000),
    color: false,
    reporter: E2EReporter,
  });
  if (process.env.E2E_GREP) mocha.grep(process.env.E2E_GREP);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  console.log(`[e2e] running ${files.length} suite files from ${__dirname}`);
  return new Promise<number>((resolve, reject) => {
    try {
      if (files.length === 0) throw new Error(`no *.test.js files next to ${__filename}`);
      mocha.run((failures) => {
        done?.(null, failures);
        resolve(failures);
      });
    } catch (err) {
      console.error(err);
      done?.(err);
      reject(err);
    }
  });
}
