// Fixture folders: test/fixtures/check/<case>/input/** checked by the built CLI, compared with the
// case's expected.json (and expected-report.json). See test/fixtures/check/README.md.
//
// UPDATE_FIXTURES=1 rewrites the expected files from the tool's output. Every committed expected file
// is written and checked by hand against the rules: review the diff of an update, never trust it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  discoverCases,
  documentedCodes,
  readJson,
  sortExpected,
  toExpected,
  updating,
  writeJson,
  type CheckJson,
  type ExpectedCheck,
  type ExpectedReport,
} from '../helpers/checkFixtures';
import { parseJsonOutput, runCli } from '../helpers/cli';
import { isKnownCode } from '../../server/src/engine/rules/registry';

const cases = discoverCases();

describe('fixture folders (test/fixtures/check)', () => {
  it('has cases, and each has an expected.json or an expected-report.json', () => {
    assert.ok(cases.length >= 7, `only ${cases.length} cases found`);
    for (const c of cases) {
      assert.ok(
        fs.existsSync(c.expectedFile) || fs.existsSync(c.reportFile),
        `${c.name}: no expected.json or expected-report.json`,
      );
    }
  });

  it('covers every code of the Diagnostics table of docs/plan-format.md in some expected.json', () => {
    const documented = documentedCodes();
    assert.ok(documented.length >= 21, `only ${documented.length} codes found in the docs' table`);
    assert.deepEqual(
      documented.filter((code) => !isKnownCode(code)),
      [],
      'documented codes the rule registry does not know',
    );
    const covered = new Set(
      cases
        .filter((c) => fs.existsSync(c.expectedFile))
        .flatMap((c) => readJson<ExpectedCheck>(c.expectedFile).diagnostics.map((d) => d.code)),
    );
    assert.deepEqual(
      documented.filter((code) => !covered.has(code)),
      [],
      'documented codes no fixture case expects',
    );
  });

  for (const c of cases) {
    describe(c.name, () => {
      if (fs.existsSync(c.expectedFile) || updating) {
        it(`check --format json . ${c.args.join(' ')}`.trim(), async () => {
          const result = await runCli(['check', '--format', 'json', '.', ...c.args], { cwd: c.input });
          assert.equal(result.stderr, '', `stderr of check in ${c.name}`);
          const previous = fs.existsSync(c.expectedFile) ? readJson<ExpectedCheck>(c.expectedFile) : undefined;
          const notCompared = previous?.notCompared ?? [];
          const compared = (code: string) => !notCompared.some((prefix) => code.startsWith(prefix));
          const actual = sortExpected(
            parseJsonOutput<CheckJson>(result)
              .diagnostics.map(toExpected)
              .filter((d) => compared(d.code)),
          );
          if (updating) {
            const { diagnostics: _, ...rest } = previous ?? { exitCode: 0 };
            writeJson(c.expectedFile, {
              ...rest,
              exitCode: result.code ?? -1,
              diagnostics: actual,
            } satisfies ExpectedCheck);
            return;
          }
          const expected = previous!;
          assert.deepEqual(
            actual,
            sortExpected(expected.diagnostics.filter((d) => compared(d.code))),
            `diagnostics of ${c.name}`,
          );
          assert.equal(result.code, expected.exitCode, `exit code of ${c.name}`);
        });
      }
      if (fs.existsSync(c.reportFile)) {
        it('report <plan> --format json', async () => {
          const expected = readJson<ExpectedReport>(c.reportFile);
          assert.ok(
            fs.existsSync(path.join(c.input, expected.plan)),
            `${c.name}: expected-report.json names ${expected.plan}, which does not exist`,
          );
          const result = await runCli(['report', expected.plan, '--format', 'json'], { cwd: c.input });
          assert.equal(result.stderr, '', `stderr of report in ${c.name}`);
          const actual = parseJsonOutput(result);
          if (updating) {
            writeJson(c.reportFile, {
              plan: expected.plan,
              exitCode: result.code ?? -1,
              report: actual,
            } satisfies ExpectedReport);
            return;
          }
          assert.deepEqual(actual, expected.report, `report of ${c.name}`);
          assert.equal(result.code, expected.exitCode, `exit code of report in ${c.name}`);
        });
      }
    });
  }
});
