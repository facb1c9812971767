// What a plan's sources may read: inside the plan's workspace, never dependency or VCS folders, and
// within limits in files and bytes that end in one finding on the plan, never an out-of-memory.
// The built CLI as a process, as users and CI run it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { parseJsonOutput, runCli } from '../helpers/cli';
import { deploymentYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

interface Diagnostic {
  file: string;
  range: { start: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

function plan(sources: string[], name = 'shop'): string {
  return [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    `metadata: {name: ${name}}`,
    'spec:',
    '  sources:',
    ...sources.map((s) => `    - ${JSON.stringify(s)}`),
    '  phases:',
    '    - name: one',
    '      scale: {api: 1}',
    '',
  ].join('\n');
}

async function check(
  ws: TempWorkspace,
  cwd: string,
  ...args: string[]
): Promise<{ code: number | null; diagnostics: Diagnostic[]; stderr: string }> {
  const result = await runCli(['check', ...args, '--format', 'json'], { cwd, timeoutMs: 120_000 });
  assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
  return {
    code: result.code,
    diagnostics: parseJsonOutput<{ diagnostics: Diagnostic[] }>(result).diagnostics,
    stderr: result.stderr,
  };
}

const ofCode = (diagnostics: Diagnostic[], code: string) => diagnostics.filter((d) => d.code === code);

describe('plan sources: inside the workspace, bounded', () => {
  let ws: TempWorkspace;
  afterEach(() => ws.dispose());

  it('apply reads sources as check does: outside the workspace they are not read, and the phase is refused', async () => {
    ws = tempWorkspace({
      prefix: 'sources-',
      files: { 'outside/app.yaml': deploymentYaml('api'), 'project/shop.plan.yaml': plan(['../outside/*.yaml']) },
    });
    const project = path.join(ws.dir, 'project');
    // --dry-run with a kubeconfig that names no cluster: the plan is read (and refused) before any connection.
    const result = await runCli(
      [
        'apply',
        'shop.plan.yaml',
        '--phase',
        'one',
        '--dry-run',
        '--kubeconfig',
        path.join(ws.dir, 'missing-kubeconfig'),
      ],
      { cwd: project, timeoutMs: 120_000 },
    );
    assert.notEqual(result.code, 0, result.stderr);
    assert.match(result.stderr, /outside the plan's workspace/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'a sentence, not a stack');
  });

  it('a glob outside the workspace is not read: one plan/source-outside-workspace on its entry', async () => {
    ws = tempWorkspace({
      prefix: 'sources-',
      files: { 'outside/app.yaml': deploymentYaml('api'), 'project/shop.plan.yaml': plan(['../outside/*.yaml']) },
    });
    const project = path.join(ws.dir, 'project');
    const { code, diagnostics } = await check(ws, project, 'shop.plan.yaml');
    assert.equal(code, 1);
    const outside = ofCode(diagnostics, 'plan/source-outside-workspace');
    assert.equal(outside.length, 1, JSON.stringify(diagnostics));
    assert.equal(outside[0].file, 'shop.plan.yaml');
    assert.equal(outside[0].range.start.line, 5);
    assert.match(
      outside[0].message,
      /^"\.\.\/outside\/\*\.yaml" reaches \.\.\/outside, outside the plan's workspace \(the plan's folder\): not read\./,
    );
    assert.equal(diagnostics.filter((d) => d.file.includes('outside/')).length, 0, 'nothing from the outside folder');
    assert.equal(ofCode(diagnostics, 'plan/unknown-workload').length, 1, 'api is not known: its file was not read');

    // --workspace names a wider workspace: the same plan reads it.
    const wider = await check(ws, project, 'shop.plan.yaml', '--workspace', '..');
    assert.deepEqual(ofCode(wider.diagnostics, 'plan/source-outside-workspace'), []);
    assert.deepEqual(ofCode(wider.diagnostics, 'plan/unknown-workload'), []);
  });

  it('sources: ["/usr/**/*"] is refused without walking /usr; with --workspace / it stops at the file limit', async () => {
    ws = tempWorkspace({ prefix: 'sources-', files: { 'shop.plan.yaml': plan(['/usr/**/*']) } });
    const inside = await check(ws, ws.dir, 'shop.plan.yaml');
    assert.deepEqual(
      ofCode(inside.diagnostics, 'plan/source-outside-workspace').map((d) => d.range.start.line),
      [5],
    );
    assert.ok(inside.diagnostics.length <= 3, JSON.stringify(inside.diagnostics));

    const lifted = await check(ws, ws.dir, 'shop.plan.yaml', '--workspace', '/', '--max-source-files', '200');
    const limit = ofCode(lifted.diagnostics, 'plan/sources-too-large');
    assert.equal(limit.length, 1, JSON.stringify(lifted.diagnostics.filter((d) => d.file === 'shop.plan.yaml')));
    assert.equal(limit[0].range.start.line, 5);
    assert.match(limit[0].message, /reach their limit of 200 files at "\/usr\/\*\*\/\*"/);
    assert.equal(lifted.code, 1);
  });

  it('node_modules and .git are never walked, also through ../ from a plan in a subfolder', async () => {
    ws = tempWorkspace({
      prefix: 'sources-',
      files: {
        'manifests/app.yaml': deploymentYaml('api'),
        'node_modules/pkg/deploy.yaml': deploymentYaml('from-node-modules'),
        '.git/objects/x.yaml': deploymentYaml('from-git'),
        'plans/shop.plan.yaml': plan(['../node_modules/**/*.yaml', '../**/*.yaml', '../.git/**/*.yaml']),
      },
    });
    const { diagnostics } = await check(ws, ws.dir, 'plans/shop.plan.yaml');
    assert.deepEqual(
      diagnostics.filter((d) => /node_modules|\.git\//.test(d.file)),
      [],
      'no finding in node_modules or .git',
    );
    const empty = ofCode(diagnostics, 'plan/source-empty');
    assert.deepEqual(
      empty.map((d) => d.range.start.line),
      [5, 7],
    );
    assert.match(empty[0].message, /"\.\.\/node_modules\/\*\*\/\*\.yaml" is inside node_modules, which is never read/);
    assert.match(empty[1].message, /is inside \.git, which is never read/);
    assert.deepEqual(ofCode(diagnostics, 'plan/unknown-workload'), [], 'api is read from manifests/');
  });

  it('a plan over its file limit: one plan/sources-too-large on the glob, and only the files before it read', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++)
      files[`manifests/m${String(i).padStart(2, '0')}.yaml`] = deploymentYaml(i === 0 ? 'api' : `svc-${i}`);
    ws = tempWorkspace({
      prefix: 'sources-',
      files: { ...files, 'shop.plan.yaml': plan(['manifests/m0*.yaml', 'manifests/*.yaml']) },
    });
    const { code, diagnostics } = await check(ws, ws.dir, 'shop.plan.yaml', '--max-source-files', '15');
    assert.equal(code, 1);
    const limit = ofCode(diagnostics, 'plan/sources-too-large');
    assert.equal(limit.length, 1);
    assert.equal(limit[0].range.start.line, 6, 'on the second glob, where the limit is reached');
    assert.match(
      limit[0].message,
      /limit of 15 files at "manifests\/\*\.yaml": 15 files it matches are not read, nor any later source\. Read: 15 files/,
    );
    const read = new Set(diagnostics.filter((d) => d.file.startsWith('manifests/')).map((d) => d.file));
    assert.equal(read.size, 15, [...read].join(', '));
  });

  it('a plan over its byte limit stops at the file that would cross it', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++)
      files[`manifests/m${i}.yaml`] = deploymentYaml(i === 0 ? 'api' : `svc-${i}`) + `# ${'x'.repeat(400)}\n`;
    ws = tempWorkspace({ prefix: 'sources-', files: { ...files, 'shop.plan.yaml': plan(['manifests/*.yaml']) } });
    const { diagnostics } = await check(
      ws,
      ws.dir,
      'shop.plan.yaml',
      '--max-source-size-mb',
      String(2500 / 1024 / 1024),
    );
    const limit = ofCode(diagnostics, 'plan/sources-too-large');
    assert.equal(limit.length, 1);
    assert.match(
      limit[0].message,
      /limit of 2\.4 KiB at "manifests\/\*\.yaml": 3 files it matches are not read, nor any later source\. Read: 3 files, 1\.\d KiB/,
    );
  });

  it('bad limits are usage errors', async () => {
    ws = tempWorkspace({ prefix: 'sources-', files: { 'shop.plan.yaml': plan(['*.yaml']) } });
    const result = await runCli(['check', 'shop.plan.yaml', '--max-source-files', 'many'], { cwd: ws.dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--max-source-files must be a positive number, not "many"/);
  });

  it('sources: [self.plan.yaml] says plans are never read as sources, not that it matches no file', async () => {
    ws = tempWorkspace({ prefix: 'sources-', files: { 'self.plan.yaml': plan(['self.plan.yaml']) } });
    const { diagnostics } = await check(ws, ws.dir, 'self.plan.yaml');
    const empty = ofCode(diagnostics, 'plan/source-empty');
    assert.equal(empty.length, 1);
    assert.equal(
      empty[0].message,
      '"self.plan.yaml" matches only plan files (self.plan.yaml), which are never read as sources: a plan is not a manifest.',
    );
  });

  it("manifest/too-large gives the file's size in bytes, not its decoded text's", async () => {
    ws = tempWorkspace({ prefix: 'sources-', files: { 'shop.plan.yaml': plan(['manifests/*.yaml']) } });
    ws.write('manifests/binary.yaml', '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ws.file('manifests/binary.yaml'), randomBytes(2100 * 1024));
    const { diagnostics } = await check(ws, ws.dir, 'shop.plan.yaml');
    const large = ofCode(diagnostics, 'manifest/too-large');
    assert.equal(large.length, 1, JSON.stringify(diagnostics));
    assert.match(large[0].message, /^File is 2100 KiB, over the 2048 KiB limit/);
  });
});

describe('consolidate report: says what its sources did not read', () => {
  it('warns on stderr when a glob is outside the workspace', async () => {
    const ws = tempWorkspace({
      prefix: 'sources-',
      files: { 'outside/app.yaml': deploymentYaml('api'), 'project/shop.plan.yaml': plan(['../outside/*.yaml']) },
    });
    try {
      const result = await runCli(['report', 'shop.plan.yaml'], { cwd: path.join(ws.dir, 'project') });
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        /consolidate: warning: "\.\.\/outside\/\*\.yaml" reaches .*, outside the plan's workspace/,
      );
    } finally {
      ws.dispose();
    }
  });
});
