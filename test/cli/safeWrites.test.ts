// Files the CLI writes stay inside the folder they belong to, whatever the plan names things; and
// what goes wrong is a sentence, not a stack. Run as a process (dist/cli.js), as users run it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { deploymentYaml, shopPlanYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const USER_FILE = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\ndata: {written: by-the-user}\n';

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `no stack trace in:\n${stderr}`);
  assert.doesNotMatch(stderr, /Error: E[A-Z]+:/, `no raw Node error in:\n${stderr}`);
}

describe('consolidate render --out: every file inside --out', () => {
  let ws: TempWorkspace;
  afterEach(() => ws.dispose());

  const workspace = (phases: string[], extra: Record<string, string> = {}) => {
    ws = tempWorkspace({
      prefix: 'safe-writes-',
      files: {
        'project/manifests/app.yaml':
          deploymentYaml('api') +
          '---\n' +
          deploymentYaml('worker') +
          '---\n' +
          deploymentYaml('cache', { replicas: 3 }),
        'project/manifests/shop.yaml': USER_FILE,
        'project/shop.plan.yaml': shopPlanYaml(phases),
        ...extra,
      },
    });
    return path.join(ws.dir, 'project');
  };

  it("a merge named ../../manifests/shop does not replace the user's manifests/shop.yaml", async () => {
    const project = workspace(['- name: one', '  merge:', '    - {name: ../../manifests/shop, from: [api, worker]}']);
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(ws.read('project/manifests/shop.yaml'), USER_FILE);
    const written = filesUnder(path.join(project, 'out'));
    assert.equal(written.length, 1, written.join(', '));
    assert.match(written[0], /^01-one\/manifests-shop-[0-9a-f]{8}\.yaml$/);
    assert.match(
      result.stderr,
      /merge "\.\.\/\.\.\/manifests\/shop" of phase one is written as 01-one\/manifests-shop-[0-9a-f]{8}\.yaml \(its name is not a safe file name\)/,
    );
    assert.deepEqual(
      filesUnder(ws.dir).filter((f) => !f.startsWith('project/out/')),
      ['project/manifests/app.yaml', 'project/manifests/shop.yaml', 'project/shop.plan.yaml'],
    );
  });

  it('a phase named ../../../escaped-phase and a merge with enough ../ write inside --out only', async () => {
    // A name of its own, so that a file left by an older build cannot make this pass or fail.
    const escaped = `escaped-merge-${process.pid}-${Date.now()}`;
    const project = workspace([
      '- name: ../../../escaped-phase',
      '  merge:',
      `    - {name: ../../../../../../../../tmp/${escaped}, from: [api, worker]}`,
    ]);
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      filesUnder(ws.dir).filter((f) => !f.startsWith('project/out/')),
      ['project/manifests/app.yaml', 'project/manifests/shop.yaml', 'project/shop.plan.yaml'],
    );
    const written = filesUnder(path.join(project, 'out'));
    assert.equal(written.length, 1, written.join(', '));
    assert.match(written[0], new RegExp(`^01-escaped-phase-[0-9a-f]{8}/tmp-${escaped}-[0-9a-f]{8}\\.yaml$`));
    assert.equal(fs.existsSync(`/tmp/${escaped}.yaml`), false);
  });

  it('a merge name with / whose folder does not exist: written inside --out, no stack, no folder outside', async () => {
    const project = workspace(['- name: one', '  merge:', '    - {name: missing/folder/app, from: [api, worker]}']);
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out'], { cwd: project });
    assertNoStack(result.stderr);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      filesUnder(path.join(project, 'out')).map((f) => f.replace(/[0-9a-f]{8}/, 'HASH')),
      ['01-one/missing-folder-app-HASH.yaml'],
    );
    assert.equal(fs.existsSync(path.join(project, 'out', '01-one', 'missing')), false);
  });

  it('a merge named "changes" or "kustomization" does not overwrite the phase\'s other files', async () => {
    const project = workspace([
      '- name: one',
      '  scale: {cache: 1}',
      '  merge:',
      '    - {name: changes, from: [api]}',
      '    - {name: kustomization, from: [worker]}',
    ]);
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out', '--format', 'kustomize'], {
      cwd: project,
    });
    assert.equal(result.code, 0, result.stderr);
    const out = path.join(project, 'out', '01-one');
    assert.deepEqual(filesUnder(out), ['changes-2.yaml', 'changes.yaml', 'kustomization-2.yaml', 'kustomization.yaml']);
    assert.match(fs.readFileSync(path.join(out, 'changes.yaml'), 'utf8'), /name: cache/);
    assert.match(
      fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8'),
      /- changes-2\.yaml\n {2}- kustomization-2\.yaml\n {2}- changes\.yaml\n/,
    );
  });

  it('refuses to write through a symbolic link that leads outside --out, and writes nothing', async () => {
    const project = workspace([
      '- name: one',
      '  merge:',
      '    - {name: app, from: [api, worker]}',
      '- name: two',
      '  scale: {cache: 1}',
    ]);
    fs.mkdirSync(path.join(project, 'out'));
    fs.mkdirSync(path.join(ws.dir, 'elsewhere'));
    fs.symlinkSync(path.join(ws.dir, 'elsewhere'), path.join(project, 'out', '02-two'));
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out'], { cwd: project });
    assert.equal(result.code, 2, result.stderr);
    assertNoStack(result.stderr);
    assert.match(
      result.stderr,
      /consolidate: nothing was written: .*02-two\/changes\.yaml leads outside \S*\/out through a symbolic link/,
    );
    assert.deepEqual(filesUnder(path.join(ws.dir, 'elsewhere')), []);
    assert.equal(fs.existsSync(path.join(project, 'out', '01-one')), false, 'the first phase was not written either');
  });

  it("refuses a file that is a symbolic link to a user's file outside --out", async () => {
    const project = workspace(['- name: one', '  merge:', '    - {name: app, from: [api, worker]}']);
    fs.mkdirSync(path.join(project, 'out', '01-one'), { recursive: true });
    fs.symlinkSync(path.join(project, 'manifests', 'shop.yaml'), path.join(project, 'out', '01-one', 'app.yaml'));
    const result = await runCli(['render', 'shop.plan.yaml', '--out', 'out'], { cwd: project });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /app\.yaml leads outside \S*\/out through a symbolic link/);
    assert.equal(ws.read('project/manifests/shop.yaml'), USER_FILE);
  });

  it('--out naming a file, or a path through a file: a sentence, exit 2', async () => {
    const project = workspace(['- name: one', '  merge:', '    - {name: app, from: [api, worker]}']);
    const onFile = await runCli(['render', 'shop.plan.yaml', '--out', 'manifests/shop.yaml'], { cwd: project });
    assert.equal(onFile.code, 2);
    assertNoStack(onFile.stderr);
    assert.match(onFile.stderr, /--out manifests\/shop\.yaml is a file/);
    const through = await runCli(['render', 'shop.plan.yaml', '--out', 'manifests/shop.yaml/deeper'], { cwd: project });
    assert.equal(through.code, 2);
    assertNoStack(through.stderr);
    assert.match(
      through.stderr,
      /consolidate: cannot write .*deeper\/01-one\/app\.yaml: a part of its path is a file, not a folder \(ENOTDIR\)/,
    );
    assert.equal(ws.read('project/manifests/shop.yaml'), USER_FILE);
  });
});

describe('consolidate render to stdout: names cannot inject YAML', () => {
  it('a phase name with a line break is printed quoted on its "# Phase" line', async () => {
    const ws = tempWorkspace({
      prefix: 'safe-writes-',
      files: {
        'manifests/app.yaml': deploymentYaml('api') + '---\n' + deploymentYaml('worker'),
        'shop.plan.yaml': shopPlanYaml([
          '- name: "one\\nkind: Secret"',
          '  merge:',
          '    - {name: app, from: [api, worker]}',
        ]),
      },
    });
    try {
      const result = await runCli(['render', 'shop.plan.yaml'], { cwd: ws.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^# Phase "one\\nkind: Secret"\n/);
      assert.doesNotMatch(result.stdout, /^kind: Secret$/m);
    } finally {
      ws.dispose();
    }
  });
});
