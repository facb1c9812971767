// The engine's shape, checked: no import cycle between its files or its folders, workspace at the top
// (nothing else in the engine imports it), and none of the editor, LSP transport, cluster client or
// process spawning that belong to the programs around it.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { importCycles, importGraph, packageImports, REPO_ROOT, tsFilesBelow } from './importGraph';

const ENGINE = path.join(REPO_ROOT, 'server', 'src', 'engine');
const files = tsFilesBelow(ENGINE);
const graph = importGraph(files);

/** The engine folder a file belongs to (`render`, `rules`, ...); undefined outside the engine. */
function folderOf(file: string): string | undefined {
  const relative = path.relative(ENGINE, file);
  if (relative.startsWith('..')) return undefined;
  const [first] = relative.split(path.sep);
  return first === path.basename(relative) ? '.' : first;
}

/** Folder -> the other engine folders its files import. */
function folderGraph(): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file)!;
    const set = folders.get(from) ?? new Set<string>();
    folders.set(from, set);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== undefined && to !== from) set.add(to);
    }
  }
  return new Map([...folders].map(([folder, set]) => [folder, [...set].sort()]));
}

const shown = (cycles: string[][]) =>
  cycles.map((c) => c.map((f) => path.relative(ENGINE, f) || f).join(' <-> ')).join('\n');

describe('engine architecture', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const synthetic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
      ['e', ['e']],
    ]);
    assert.deepEqual(importCycles(synthetic), [['a', 'b', 'c'], ['e']]);
    assert.deepEqual(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
      [],
    );
  });

  it('reads the engine', () => {
    assert.ok(files.length > 50, `only ${files.length} files under ${ENGINE}`);
    assert.ok(
      graph.get(path.join(ENGINE, 'workspace', 'consolidationWorkspace.ts'))?.length,
      'the workspace imports nothing?',
    );
  });

  it('has no import cycle between files', () => {
    const cycles = importCycles(graph);
    assert.equal(cycles.length, 0, `import cycles:\n${shown(cycles)}`);
  });

  it('has no import cycle between folders', () => {
    const cycles = importCycles(folderGraph());
    assert.equal(cycles.length, 0, `folder cycles:\n${cycles.map((c) => c.join(' <-> ')).join('\n')}`);
  });

  it('imports only downwards, in the order of the README architecture map', () => {
    // Bottom first, as in README.md's "Architecture": a folder may import only folders before it.
    const LAYERS = [
      'model',
      'quantity',
      'yaml',
      'files',
      'manifests',
      'plan',
      'budget',
      'usage',
      'analysis',
      'render',
      'report',
      'rules',
      'workspace',
    ];
    const upward: string[] = [];
    for (const [folder, targets] of folderGraph()) {
      const level = LAYERS.indexOf(folder);
      assert.notEqual(
        level,
        -1,
        `engine folder ${folder} is not in the layer list (add it here and to the README's map)`,
      );
      for (const target of targets) if (LAYERS.indexOf(target) >= level) upward.push(`${folder} -> ${target}`);
    }
    assert.deepEqual(upward, []);
  });

  it('keeps workspace at the top: no other engine folder imports it', () => {
    const importers = [...folderGraph()]
      .filter(([folder, targets]) => folder !== 'workspace' && targets.includes('workspace'))
      .map(([folder]) => folder);
    assert.deepEqual(importers, []);
  });

  it('imports neither the editor, the LSP transport, the cluster client nor child processes', () => {
    const forbidden = (name: string) =>
      name === 'vscode' ||
      name.startsWith('vscode-languageserver') ||
      name.startsWith('vscode-languageclient') ||
      name.startsWith('@kubernetes/client-node') ||
      name === 'child_process' ||
      name === 'node:child_process';
    const found = files.flatMap((file) =>
      packageImports(file)
        .filter(forbidden)
        .map((name) => `${path.relative(ENGINE, file)}: ${name}`),
    );
    assert.deepEqual(found, []);
  });
});
