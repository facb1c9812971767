// `consolidate render` run as a process (dist/cli.js), the way a user or a CI job runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import { planText, service, simple, workload } from '../helpers/renderWorkspace';

type Obj = Record<string, any>;

const manifests =
  simple('api', { replicas: 2, ports: [{ port: 8080 }] }) +
  service('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]) +
  simple('worker', { replicas: 2 }) +
  simple('admin', { ports: [{ port: 9000 }] }) +
  service('admin', { app: 'admin' }, [{ port: 9000 }]) +
  simple('report', { ports: [{ port: 9100 }] }) +
  service('report', { app: 'report' }, [{ port: 9100 }]) +
  simple('legacy', { replicas: 3 }) +
  workload('cache', { containers: [{ name: 'cache', ports: [{ port: 6379 }] }] }) +
  simple('search', { ports: [{ port: 7700 }] });

const plan = planText([
  'sources: [manifests/*.yaml]',
  'phases:',
  '  - name: merge-apps',
  '    remove: [legacy]',
  '    merge:',
  '      - {name: app, from: [api, worker]}',
  '      - name: backoffice',
  '        from: [admin, report]',
  '        strategy: replace',
  '        ports: {9000: 9000, 9100: 9000}',
  '        container: {image: example/backoffice:1, ports: [9000]}',
  '  - name: scale-only',
  '    scale: {cache: 2}',
  '  - name: merge-only',
  '    merge:',
  '      - {name: data, from: [cache, search]}',
]);

/** Identities of the objects of a multi-document YAML text, after checking it parses without errors. */
function documents(text: string, what: string): Obj[] {
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs), `${what}: a YAML stream`);
  for (const d of docs)
    assert.deepEqual(
      d.errors.map((e) => e.message),
      [],
      `${what} parses`,
    );
  return docs.filter((d) => d.contents !== null).map((d) => d.toJS() as Obj);
}

const id = (o: Obj) => `${o.kind}/${o.metadata.name}`;

describe('consolidate render (process)', () => {
  let ws: TempWorkspace;
  before(() => {
    ws = tempWorkspace({ files: { 'manifests/app.yaml': manifests, 'shop.plan.yaml': plan }, prefix: 'render-cli-' });
  });
  after(() => ws.dispose());

  const render = (...args: string[]) => runCli(['render', 'shop.plan.yaml', ...args], { cwd: ws.dir });

  it('prints every phase as multi-document YAML that parses, each phase under a "# Phase" line', async () => {
    const result = await render();
    assert.equal(result.code, 0, result.stderr);
    const chunks = result.stdout.split(/^# Phase (.+)\n/m);
    assert.equal(chunks[0], '');
    assert.deepEqual(
      chunks.filter((_, i) => i % 2 === 1),
      ['merge-apps', 'scale-only', 'merge-only'],
    );
    const all = documents(result.stdout, 'stdout');
    assert.equal(
      all.length,
      chunks.filter((_, i) => i > 0 && i % 2 === 0).reduce((n, c) => n + documents(c, 'phase').length, 0),
    );
    assert.deepEqual(documents(chunks[2], 'merge-apps').map(id).sort(), [
      'Deployment/admin',
      'Deployment/api',
      'Deployment/app',
      'Deployment/backoffice',
      'Deployment/legacy',
      'Deployment/report',
      'Deployment/worker',
      'Service/admin',
      'Service/api',
      'Service/report',
    ]);
    assert.deepEqual(documents(chunks[4], 'scale-only').map(id), ['Deployment/cache']);
    assert.deepEqual(documents(chunks[6], 'merge-only').map(id).sort(), [
      'Deployment/cache',
      'Deployment/data',
      'Deployment/search',
    ]);
  });

  it('--phase prints only that phase', async () => {
    const result = await render('--phase', 'scale-only');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Phase scale-only\n---\n/);
    assert.equal((result.stdout.match(/^# Phase /gm) ?? []).length, 1);
    const [cache] = documents(result.stdout, 'stdout');
    assert.equal(cache.spec.replicas, 2);
    assert.equal(cache.metadata.annotations['consolidation.dev/phase'], 'scale-only');
  });

  it('an unknown phase is a usage error: exit 2, the phases listed, nothing on stdout', async () => {
    const result = await render('--phase', 'nope');
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /no phase "nope" in the plan \(phases: merge-apps, scale-only, merge-only\)/);
  });

  it('--format kustomize without --out is a usage error (exit 2); so is an unknown format or a missing plan', async () => {
    const kustomize = await render('--format', 'kustomize');
    assert.equal(kustomize.code, 2);
    assert.equal(kustomize.stdout, '');
    assert.match(kustomize.stderr, /--format kustomize writes a folder: give --out DIR/);
    assert.equal((await render('--format', 'json')).code, 2);
    assert.equal((await runCli(['render', 'missing.plan.yaml'], { cwd: ws.dir })).code, 2);
    assert.equal((await runCli(['render'], { cwd: ws.dir })).code, 2);
  });

  it('--out DIR writes a folder per phase: NN-phase/<merge>.yaml per merge and changes.yaml for the rest', async () => {
    const result = await render('--out', 'out');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const out = ws.file('out');
    assert.deepEqual(readdirSync(out).sort(), ['01-merge-apps', '02-scale-only', '03-merge-only']);
    assert.deepEqual(readdirSync(path.join(out, '01-merge-apps')).sort(), [
      'app.yaml',
      'backoffice.yaml',
      'changes.yaml',
    ]);
    assert.deepEqual(readdirSync(path.join(out, '02-scale-only')), ['changes.yaml']);
    assert.deepEqual(readdirSync(path.join(out, '03-merge-only')), ['data.yaml']);
    const read = (file: string) =>
      documents(readFileSync(path.join(out, file), 'utf8'), file)
        .map(id)
        .sort();
    assert.deepEqual(read('01-merge-apps/app.yaml'), [
      'Deployment/api',
      'Deployment/app',
      'Deployment/worker',
      'Service/api',
    ]);
    assert.deepEqual(read('01-merge-apps/backoffice.yaml'), [
      'Deployment/admin',
      'Deployment/backoffice',
      'Deployment/report',
      'Service/admin',
      'Service/report',
    ]);
    assert.deepEqual(read('01-merge-apps/changes.yaml'), ['Deployment/legacy']);
    assert.deepEqual(read('02-scale-only/changes.yaml'), ['Deployment/cache']);
    // The files of a phase hold exactly what stdout prints for it.
    const printed = await render('--phase', 'merge-apps');
    const files = ['app.yaml', 'backoffice.yaml', 'changes.yaml'].flatMap((f) =>
      documents(readFileSync(path.join(out, '01-merge-apps', f), 'utf8'), f),
    );
    assert.deepEqual(files.map(id).sort(), documents(printed.stdout, 'stdout').map(id).sort());
    // In a merge file: the new workload first, then the Services, then the scale-downs.
    assert.deepEqual(documents(readFileSync(path.join(out, '01-merge-apps', 'app.yaml'), 'utf8'), 'app.yaml').map(id), [
      'Deployment/app',
      'Service/api',
      'Deployment/api',
      'Deployment/worker',
    ]);
  });

  it('--phase with --out numbers the folder by the phase position in the plan', async () => {
    const result = await render('--phase', 'merge-only', '--out', 'one-phase');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readdirSync(ws.file('one-phase')), ['03-merge-only']);
  });

  it('--format kustomize --out DIR adds a kustomization.yaml to each phase folder listing exactly its files, and none across phases', async () => {
    const result = await render('--format', 'kustomize', '--out', 'kustomize');
    assert.equal(result.code, 0, result.stderr);
    const out = ws.file('kustomize');
    const kustomization = (dir: string) => {
      const k = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
      assert.equal(k.apiVersion, 'kustomize.config.k8s.io/v1beta1');
      assert.equal(k.kind, 'Kustomization');
      return k.resources as string[];
    };
    // Phases are applied one after another: one kustomization over all of them would hold an object twice.
    assert.equal(existsSync(path.join(out, 'kustomization.yaml')), false);
    const folders = readdirSync(out);
    assert.ok(folders.length > 1);
    for (const folder of folders) {
      const dir = path.join(out, folder);
      assert.deepEqual(
        [...kustomization(dir)].sort(),
        readdirSync(dir)
          .filter((f) => f !== 'kustomization.yaml')
          .sort(),
        folder,
      );
    }
  });

  it('every kustomization builds: no object twice among the resources it gathers', async () => {
    const result = await render('--format', 'kustomize', '--out', 'kustomize-build');
    assert.equal(result.code, 0, result.stderr);
    const out = ws.file('kustomize-build');
    const gathered = (dir: string): string[] =>
      (parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Obj).resources.flatMap((r: string) => {
        const target = path.join(dir, r);
        return existsSync(path.join(target, 'kustomization.yaml'))
          ? gathered(target)
          : documents(readFileSync(target, 'utf8'), r).map(
              (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
            );
      });
    for (const dir of readdirSync(out).map((f) => path.join(out, f))) {
      const ids = gathered(dir);
      assert.deepEqual(
        ids.filter((x, i) => ids.indexOf(x) !== i),
        [],
        `${path.relative(ws.dir, dir)}/kustomization.yaml gathers each object once`,
      );
    }
  });

  it('kubectl kustomize builds the output (when kubectl is installed)', async (t) => {
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.error || kubectl.status !== 0) {
      t.skip('kubectl is not installed');
      return;
    }
    const result = await render('--format', 'kustomize', '--out', 'kubectl');
    assert.equal(result.code, 0, result.stderr);
    const out = ws.file('kubectl');
    for (const dir of readdirSync(out).map((f) => path.join(out, f))) {
      const build = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      assert.equal(build.status, 0, `kubectl kustomize ${path.relative(ws.dir, dir)}: ${build.stderr}`);
    }
  });
});
