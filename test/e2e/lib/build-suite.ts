// Bundles the extension integration tests (test/e2e/suite) for VS Code's extension host:
// out/e2e/suite/index.js (the mocha runner, mocha bundled in) and one <name>.test.js per test file,
// all CommonJS for Node 20 with `vscode` external (the extension host provides it).
// buildSuite('suite-trust') bundles test/e2e/suite-trust/*.test.ts with the same runner into
// out/e2e/suite-trust/ (the runner loads the *.test.js next to it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './code-server';

export const SUITE_SRC = path.join(REPO_ROOT, 'test', 'e2e', 'suite');
export const SUITE_OUT = path.join(REPO_ROOT, 'out', 'e2e', 'suite');

/**
 * Builds a suite and returns the path of its index.js (the extensionTestsPath). `folder`: the
 * folder of test/e2e/ that holds its *.test.ts files (default `suite`).
 */
export async function buildSuite(folder = 'suite'): Promise<string> {
  const src = path.join(REPO_ROOT, 'test', 'e2e', folder);
  const out = path.join(REPO_ROOT, 'out', 'e2e', folder);
  const tests = fs.readdirSync(src).filter((f) => f.endsWith('.test.ts'));
  if (tests.length === 0) throw new Error(`no *.test.ts files in ${src}`);
  fs.rmSync(out, { recursive: true, force: true });
  await build({
    // Named outputs: all of them flat in `out`, whichever folder their source is in.
    entryPoints: [
      { in: path.join(SUITE_SRC, 'index.ts'), out: 'index' },
      ...tests.map((f) => ({ in: path.join(src, f), out: f.replace(/\.ts$/, '') })),
    ],
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return path.join(out, 'index.js');
}
