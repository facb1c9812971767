import * as path from 'node:path';
import { importCycles, importGraph, tsFilesBelow, REPO_ROOT } from './importGraph';
const dir = path.join(REPO_ROOT, process.argv[2] ?? 'server/src/engine');
const g = importGraph(tsFilesBelow(dir));
for (const c of importCycles(g)) console.log(c.map((f) => path.relative(dir, f)).join('  '));
// folder-level
const fg = new Map<string, Set<string>>();
for (const [f, ts] of g) { const a = path.relative(dir, path.dirname(f)); for (const t of ts) { const b = path.relative(dir, path.dirname(t)); if (a !== b) { if (!fg.has(a)) fg.set(a, new Set()); fg.get(a)!.add(b); } } }
for (const [a, bs] of [...fg].sort()) console.log(a, '->', [...bs].sort().join(', '));
