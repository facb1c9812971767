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
  build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    plugins: [kubeSeparately, yamlBrowserBuild],
    banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  }),
]);
