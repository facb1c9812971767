// Bundles the extension integration tests (test/e2e/suite) for VS Code's extension host:
// out/e2e/suite/index.js (the mocha runner, mocha bundled in) and one <name>.test.js per test file,
// all CommonJS for Node 20 with `vscode` external (the extension host provides it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './code-server';

export const SUITE_SRC = path.join(REPO_ROOT, 'test', 'e2e', 'suite');
export const SUITE_OUT = path.join(REPO_ROOT, 'out', 'e2e', 'suite');

/** Builds the suite and returns the path of its index.js (the extensionTestsPath). */
export async function buildSuite(): Promise<string> {
  const tests = fs.readdirSync(SUITE_SRC).filter((f) => f.endsWith('.test.ts'));
  if (tests.length === 0) throw new Error(`no *.test.ts files in ${SUITE_SRC}`);
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(SUITE_SRC, 'index.ts'), ...tests.map((f) => path.join(SUITE_SRC, f))],
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return path.join(SUITE_OUT, 'index.js');
}
