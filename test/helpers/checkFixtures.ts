// Fixture folders for `consolidate check` and `consolidate report` (see test/fixtures/check/README.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './cli';

export const CHECK_FIXTURES = path.join(ROOT, 'test/fixtures/check');

/** One diagnostic as `check --format json` prints it. */
export interface JsonDiagnostic {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  message: string;
}

export interface CheckJson {
  diagnostics: JsonDiagnostic[];
}

/** What expected.json holds per diagnostic: positions are 0-based, as in the JSON output's range.start. */
export interface ExpectedDiagnostic {
  file: string;
  line: number;
  character: number;
  severity: JsonDiagnostic['severity'];
  code: string;
  message: string;
}

export interface ExpectedCheck {
  exitCode: number;
  /**
   * Findings whose code starts with one of these are left out of the comparison (both sides), with
   * the reason in `notComparedWhy`. For checks another case owns, never to hide a wrong finding.
   */
  notCompared?: string[];
  notComparedWhy?: string;
  diagnostics: ExpectedDiagnostic[];
}

/** expected-report.json: the plan given to `report` (relative to input/) and the JSON it prints. */
export interface ExpectedReport {
  plan: string;
  exitCode: number;
  report: unknown;
}

export interface FixtureCase {
  name: string;
  dir: string;
  input: string;
  /** Extra arguments of `check`, from args.json (a JSON array of strings). */
  args: string[];
  expectedFile: string;
  reportFile: string;
}

/** Every `<case>/input` folder under test/fixtures/check, sorted by name. */
export function discoverCases(root = CHECK_FIXTURES): FixtureCase[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, 'input')))
    .map((entry) => {
      const dir = path.join(root, entry.name);
      const argsFile = path.join(dir, 'args.json');
      const args = fs.existsSync(argsFile) ? (JSON.parse(fs.readFileSync(argsFile, 'utf8')) as unknown) : [];
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
        throw new Error(`${argsFile}: expected a JSON array of strings`);
      return {
        name: entry.name,
        dir,
        input: path.join(dir, 'input'),
        args,
        expectedFile: path.join(dir, 'expected.json'),
        reportFile: path.join(dir, 'expected-report.json'),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function toExpected(d: JsonDiagnostic): ExpectedDiagnostic {
  return {
    file: d.file,
    line: d.range.start.line,
    character: d.range.start.character,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

/** A stable order independent of the tool's own, so an expected file lists findings by file and position. */
export function sortExpected(list: ExpectedDiagnostic[]): ExpectedDiagnostic[] {
  const key = (d: ExpectedDiagnostic) =>
    [d.file, String(d.line).padStart(6, '0'), String(d.character).padStart(6, '0'), d.code, d.message].join('\0');
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The codes of the Diagnostics table of docs/plan-format.md: every code the format documents as shipped. */
export function documentedCodes(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/plan-format.md'), 'utf8');
  return [...doc.matchAll(/^\| `([a-z]+\/[a-z-]+)` \|/gm)].map((m) => m[1]);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

export const updating = process.env.UPDATE_FIXTURES === '1';
