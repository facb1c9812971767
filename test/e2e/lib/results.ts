// Counting and printing results the same way in every runner: one line per test, then a last
// line `<label>: N passed, N failed` (what CI reads), skipped tests counted on the line before.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './code-server';

export type State = 'passed' | 'failed' | 'skipped';
export interface TestResult {
  state: State;
  title: string;
  durationMs?: number;
  error?: string;
}

export class Results {
  readonly tests: TestResult[] = [];
  constructor(readonly label: string) {}

  add(result: TestResult, print = true): void {
    this.tests.push(result);
    if (print) printResult(result);
  }
  count(state: State): number {
    return this.tests.filter((t) => t.state === state).length;
  }
  get failed(): number {
    return this.count('failed');
  }
  /** Prints the totals; the very last line is `<label>: N passed, N failed`. */
  printSummary(): void {
    const skipped = this.count('skipped');
    if (skipped > 0) console.log(`${this.label}: ${skipped} skipped (placeholders for what is not built yet)`);
    console.log(`${this.label}: ${this.count('passed')} passed, ${this.failed} failed`);
  }
  /** Prints the totals and returns the runner's exit code: 1 when a test failed. */
  finish(): number {
    this.printSummary();
    return this.failed > 0 ? 1 : 0;
  }
}

/** Runs a runner's main and exits with its code; a throw counts as one failed test under `label`. */
export function runMain(label: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      console.log(`${label}: 0 passed, 1 failed`);
      process.exit(1);
    },
  );
}

export function printResult(r: TestResult): void {
  const mark = r.state === 'passed' ? '  ✔' : r.state === 'failed' ? '  ✘' : '  -';
  const time = r.durationMs !== undefined ? ` (${r.durationMs} ms)` : '';
  console.log(`${mark} ${r.state === 'skipped' ? '[skipped] ' : ''}${r.title}${time}`);
  if (r.error) console.log(indent(r.error, '      '));
}

export function indent(text: string, prefix: string): string {
  return text.replace(/^/gm, prefix);
}

export function rel(p: string): string {
  return path.relative(REPO_ROOT, p) || '.';
}

/** Reads the JSON-lines results file the suite's index.js writes (E2E_RESULTS_FILE). */
export function readResultsFile(file: string): TestResult[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TestResult);
}

/** The extension's entry point (package.json "main"), or an explanation of why it is missing. */
export function checkExtensionBuilt(extensionPath: string): string | undefined {
  const pkgFile = path.join(extensionPath, 'package.json');
  if (!fs.existsSync(pkgFile)) return `${pkgFile} not found`;
  const main = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: string }).main;
  if (!main) return undefined;
  const file = path.resolve(extensionPath, main);
  const candidates = [file, `${file}.js`];
  if (candidates.some((c) => fs.existsSync(c))) return undefined;
  return `the extension is not built: ${rel(file)} is missing (run \`npm run build\`)`;
}

/** Milliseconds since `start`, as "12.3 s". */
export function seconds(startMs: number): string {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}
