#!/usr/bin/env node
// bench/parse-only-process.mjs WORKSPACE — the whole-process parse-only baseline: a process that reads every
// `*.yaml` file under WORKSPACE and runs the `yaml` package's parseAllDocuments on it, once, and exits.
// `npm run bench` times it as a whole process, next to `consolidate check` on the same files, so the CLI's
// ratio to "only parsing" includes Node's start-up on both sides. Prints documents and files on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require('yaml');
const root = process.argv[2];
if (!root) {
  console.error('usage: node bench/parse-only-process.mjs WORKSPACE');
  process.exit(2);
}
let files = 0,
  documents = 0;
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) walk(f);
    else if (e.name.endsWith('.yaml')) {
      files++;
      documents += parseAllDocuments(fs.readFileSync(f, 'utf8')).length;
    }
  }
})(path.resolve(root));
console.log(JSON.stringify({ files, documents }));
