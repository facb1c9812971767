// Bundles the extension client, the language server and the CLI with esbuild.
// Type checking is separate (`npm run typecheck`), as in rust-analyzer's editors/code.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';

const production = process.argv.includes('--production');
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Some dependencies ship ESM that reads import.meta.url; give the CommonJS bundle a real one.
  define: { 'import.meta.url': 'importMetaUrl', CLI_VERSION: JSON.stringify(version) },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

// @kubernetes/client-node is large (about 15 MB bundled): it lives in its own file, dist/kube.js,
// which the client and the CLI load only when a cluster command runs.
const kubeSeparately = {
  name: 'client-node-in-its-own-file',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './kube.js', external: true }));
  },
};

// yaml's Node build reads `process.env.LOG_TOKENS` for every token it parses (a call into C++ each
// time: a quarter of all parse time); its browser build is the same source without that line.
const yamlBrowserBuild = {
  name: 'yaml-without-env-lookups',
  setup(b) {
    const entry = path.join(
      path.dirname(createRequire(import.meta.url).resolve('yaml/package.json')),
      'browser',
      'index.js',
    );
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: entry }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/client.js',
    external: ['vscode'],
    plugins: [kubeSeparately, yamlBrowserBuild],
  }),
  build({ ...common, entryPoints: ['@kubernetes/client-node'], outfile: 'dist/kube.js' }),
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', plugins: [yamlBrowserBuild] }),
  build({
    ...common,
    entryPoints: ['server/src/engine/workspace/manifestWorker.ts'],
    outfile: 'dist/manifestWorker.js',
    plugins: [yamlBrowserBuild],
  }),
  // The CLI is two bundles: dist/cli.js, the `consolidate` command, a small launcher that prints a stored
  // `check --cache` result without loading the engine, and dist/consolidate.js, everything else, which it
  // loads otherwise (server/src/cli/launch.ts says why).
  build({
    ...common,
    entryPoints: ['server/src/cli/launch.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    metafile: true,
  }).then(launcherOnly),
  build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/consolidate.js',
    plugins: [kubeSeparately, yamlBrowserBuild],
  }),
]);

/**
 * The launcher must stay small (it is about 20 KB): a dependency that pulls in a library or the engine
 * would undo its point, so the build fails instead.
 */
function launcherOnly({ metafile }) {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const libraries = Object.keys(output.inputs).filter(
      (input) => input.includes('node_modules') && output.inputs[input].bytesInOutput > 0,
    );
    if (libraries.length || output.bytes > 64 * 1024)
      throw new Error(
        `${file} is ${output.bytes} bytes${libraries.length ? ` and bundles ${libraries.slice(0, 3).join(', ')}` : ''}: the launcher must not load the engine or libraries (server/src/cli/launch.ts)`,
      );
  }
}
