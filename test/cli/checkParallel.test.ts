// `consolidate check` over a folder of many files parses them on a worker thread and on the main thread at once
// (the built CLI, dist/cli.js, with dist/manifestWorker.js beside it). Its output must be byte for byte what the
// same check prints when every file is parsed on one thread (the CLI run from sources, in process, has no worker
// bundle beside it), on the shared corpus and on a generated workspace of many Deployments.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { globSync } from 'tinyglobby';
import { main } from '../../server/src/cli/main';
import { ManifestReaderPool } from '../../server/src/engine/workspace/manifestReaderPool';
import { Capture } from '../helpers/capture';
import { ROOT, runCli } from '../helpers/cli';
import { CORPUS } from '../helpers/fuzzInputs';

// The shared corpus and tools sit beside the main checkout; a worktree elsewhere reads them where they are.
const shared = existsSync(path.dirname(CORPUS)) ? path.dirname(CORPUS) : '/work/shared';
const corpus = path.join(shared, 'corpus');
const generator = path.join(shared, 'tools', 'lspbench', 'gen-workspace.mjs');

async function inThread(args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  // Run from sources, the CLI finds no worker bundle beside itself and parses everything here.
  assert.equal(ManifestReaderPool.beside(path.join(ROOT, 'server', 'src', 'cli')), undefined);
  const out = new Capture();
  const code = await main(args, cwd, out, new Capture());
  return { code, stdout: out.text };
}

describe('check with workers prints what check on one thread prints', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'check-parallel-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  const cases: [string, () => string | undefined][] = [
    ['the shared corpus', () => (existsSync(corpus) ? corpus : undefined)],
    [
      'a generated workspace of 400 Deployments',
      () => {
        if (!existsSync(generator)) return undefined;
        const dir = path.join(temp, 'n400');
        const result = spawnSync(process.execPath, [generator, '400', dir, '--seed', '7'], { encoding: 'utf8' });
        assert.equal(result.status, 0, result.stderr);
        return dir;
      },
    ],
  ];
  for (const [name, folder] of cases) {
    it(name, async (t) => {
      const dir = folder();
      if (!dir) return t.skip('not available here');
      assert.ok(
        globSync(['**/*.yaml', '**/*.yml'], { cwd: dir }).length >= 32,
        'too few files for the worker to be used',
      );
      for (const format of ['json', 'text']) {
        const args = ['check', dir, '--format', format];
        const expected = await inThread(args, os.tmpdir());
        const actual = await runCli(args, { cwd: os.tmpdir() });
        assert.equal(actual.stderr, '');
        assert.equal(actual.code, expected.code, `${format}: exit status`);
        assert.ok(expected.stdout.length > 1000, `${format}: expected findings`);
        assert.ok(
          actual.stdout === expected.stdout,
          `${format}: output differs between the worker pool and one thread`,
        );
      }
    });
  }
});
