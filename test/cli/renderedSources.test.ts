// The CLI renders Kustomize sources like the editor, takes tool flags, and reads rendered YAML on
// standard input (`kubectl kustomize ... | consolidate report -`).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBuilt, CLI, type CliResult } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import { findExecutable } from '../../server/src/tools/toolRenderer';
import { parseAllDocuments } from 'yaml';

const BOUTIQUE = '/work/shared/templated/online-boutique-kustomize';
const MI = 1024 * 1024;
const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));

/** `node dist/cli.js ...args` with `input` on its standard input. */
function runWithInput(args: string[], cwd: string, input: string): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), reject(new Error(`consolidate ${args.join(' ')} did not finish`))),
      120_000,
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(input);
  });
}

const PLAN = [
  'apiVersion: consolidation.dev/v1alpha1',
  'kind: ConsolidationPlan',
  'metadata:',
  '  name: ob',
  'spec:',
  '  sources:',
  '    - kustomize: kustomize',
  '  phases: []',
  '',
].join('\n');

describe('consolidate with Kustomize sources and standard input', () => {
  const ws = tempWorkspace({ copyFrom: BOUTIQUE, files: { 'ob.plan.yaml': PLAN } });
  temps.push(ws);
  const kubectl = findExecutable('kubectl');

  it('report PLAN renders {kustomize: dir} with the real tool', async () => {
    const result = await runWithInput(['report', 'ob.plan.yaml', '--format', 'json'], ws.dir, '');
    assert.equal(result.code, 0, result.stderr);
    const state = JSON.parse(result.stdout).states[0];
    assert.deepEqual(
      [state.workloads, state.requests.cpu, state.limits.cpu, state.requests.memory, state.limits.memory],
      [12, 1570, 2825, 1368 * MI, 2542 * MI],
    );
  });

  it('report - gives the same totals from `kubectl kustomize` piped in', async () => {
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs it');
    const rendered = execFileSync(kubectl, ['kustomize', path.join(ws.dir, 'kustomize')], { encoding: 'utf8' });
    const result = await runWithInput(['report', '-', '--format', 'json'], ws.dir, rendered);
    assert.equal(result.code, 0, result.stderr);
    const state = JSON.parse(result.stdout).states[0];
    assert.deepEqual(
      [state.workloads, state.requests.cpu, state.limits.cpu, state.requests.memory, state.limits.memory],
      [12, 1570, 2825, 1368 * MI, 2542 * MI],
    );
  });

  it('check - reports findings at <stdin>:line:column', async () => {
    const yaml =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          resources: {requests: {cpu: 2}, limits: {cpu: 1}}\n';
    const result = await runWithInput(['check', '-'], ws.dir, yaml);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^<stdin>:9:\d+: error manifest\/request-exceeds-limit: /m);
  });

  it('check with --kustomize naming a missing tool: one error on the source entry, exit 1', async () => {
    const result = await runWithInput(
      ['check', 'ob.plan.yaml', '--kustomize', path.join(ws.dir, 'no-such-tool')],
      ws.dir,
      '',
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^ob\.plan\.yaml:7:7: error plan\/source-render: Kustomize source "kustomize" could not be rendered: the Kustomize tool ".*no-such-tool" was not found/m,
    );
  });
});

describe('consolidate render --format kustomize-overlay', () => {
  it("each phase's overlay builds (real kubectl kustomize) exactly the objects render --format yaml gives for it", async () => {
    const kubectl = findExecutable('kubectl');
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs kubectl kustomize');
    const ws = tempWorkspace({ copyFrom: path.join(__dirname, '../fixtures/cluster') });
    temps.push(ws);
    ws.write('manifests/kustomization.yaml', 'resources: [cart.yaml, checkout.yaml, legacy.yaml, search.yaml]\n');
    const result = await runWithInput(
      ['render', 'shop.plan.yaml', '--format', 'kustomize-overlay', '--base', 'manifests', '--out', 'overlays'],
      ws.dir,
      '',
    );
    assert.equal(result.code, 0, result.stderr);
    const phases = ['merge-backend', 'resize-backend'];
    for (const [index, phase] of phases.entries()) {
      const yaml = await runWithInput(['render', 'shop.plan.yaml', '--phase', phase], ws.dir, '');
      assert.equal(yaml.code, 0, yaml.stderr);
      const expected = objectsOf(yaml.stdout);
      assert.ok(expected.length > 0);
      const built = objectsOf(
        execFileSync(kubectl, ['kustomize', ws.file(`overlays/0${index + 1}-${phase}`)], { encoding: 'utf8' }),
      );
      for (const object of expected) {
        const match = built.filter(
          (b) =>
            b.kind === object.kind &&
            b.metadata.name === object.metadata.name &&
            b.metadata.namespace === object.metadata.namespace,
        );
        assert.equal(match.length, 1, `${phase}: ${object.kind} ${object.metadata.name} once in the build`);
        assert.deepEqual(match[0], object, `${phase}: ${object.kind} ${object.metadata.name}`);
      }
    }
  });
});

describe('Helm sources: what the user commits', () => {
  it('render --format kustomize-overlay without --base writes the chart output as a base; each phase builds (real kubectl kustomize) to exactly what render --format yaml gives', async () => {
    const kubectl = findExecutable('kubectl');
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs kubectl kustomize');
    const golden = '/work/shared/templated/helm-golden/chart-with-template-lib-dep';
    const ws = tempWorkspace({ copyFrom: golden });
    temps.push(ws);
    // No helm binary here: a "helm" that prints the golden `helm template` output of this very chart.
    const helm = ws.write(
      'bin/helm',
      `#!${process.execPath}\nprocess.stdout.write(require('fs').readFileSync(${JSON.stringify(path.join(golden, 'rendered.yaml'))}, 'utf8'));\n`,
    );
    fs.chmodSync(helm, 0o755);
    ws.write(
      'app.plan.yaml',
      [
        'apiVersion: consolidation.dev/v1alpha1',
        'kind: ConsolidationPlan',
        'metadata:',
        '  name: app',
        'spec:',
        '  sources:',
        '    - helm: {chart: chart}',
        '  phases:',
        '    - name: resize',
        '      scale: {release-name-chart-with-template-lib-dep: 3}',
        '      resize:',
        '        release-name-chart-with-template-lib-dep: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}',
        '    - name: merge',
        '      merge:',
        '        - {name: web, from: [release-name-chart-with-template-lib-dep]}',
        '',
      ].join('\n'),
    );
    const result = await runWithInput(
      ['render', 'app.plan.yaml', '--helm', helm, '--format', 'kustomize-overlay', '--out', 'overlays'],
      ws.dir,
      '',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(ws.read('overlays/helm-base/chart.yaml'), fs.readFileSync(path.join(golden, 'rendered.yaml'), 'utf8'));
    for (const [index, phase] of ['resize', 'merge'].entries()) {
      const yaml = await runWithInput(['render', 'app.plan.yaml', '--helm', helm, '--phase', phase], ws.dir, '');
      assert.equal(yaml.code, 0, yaml.stderr);
      const expected = objectsOf(yaml.stdout);
      assert.ok(expected.length > 0);
      const built = objectsOf(
        execFileSync(kubectl, ['kustomize', ws.file(`overlays/0${index + 1}-${phase}`)], { encoding: 'utf8' }),
      );
      for (const object of expected) {
        const match = built.filter(
          (b) =>
            b.kind === object.kind &&
            b.metadata.name === object.metadata.name &&
            (b.metadata.namespace ?? 'default') === (object.metadata.namespace ?? 'default'),
        );
        assert.equal(match.length, 1, `${phase}: ${object.kind} ${object.metadata.name} once in the build`);
        assert.deepEqual(match[0], object, `${phase}: ${object.kind} ${object.metadata.name}`);
      }
    }
  });

  it('a plan whose one source is {kustomize: DIR} builds on DIR without --base', async () => {
    const kubectl = findExecutable('kubectl');
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs kubectl kustomize');
    const ws = tempWorkspace({
      copyFrom: BOUTIQUE,
      files: {
        'ob.plan.yaml': PLAN.replace('  phases: []', '  phases:\n    - name: shrink\n      scale: {frontend: 3}'),
      },
    });
    temps.push(ws);
    const result = await runWithInput(
      ['render', 'ob.plan.yaml', '--format', 'kustomize-overlay', '--out', 'overlays'],
      ws.dir,
      '',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(ws.read('overlays/01-shrink/kustomization.yaml'), /resources:\n {2}- \.\.\/\.\.\/kustomize\n/);
    const frontend = objectsOf(
      execFileSync(kubectl, ['kustomize', ws.file('overlays/01-shrink')], { encoding: 'utf8' }),
    ).find((o) => o.kind === 'Deployment' && o.metadata.name === 'frontend') as unknown as {
      spec: { replicas: number };
    };
    assert.equal(frontend.spec.replicas, 3);
  });

  it('a plan with globs or Kustomize sources still needs --base', async () => {
    const ws = tempWorkspace({
      files: { 'p.plan.yaml': PLAN.replace('kustomize: kustomize', '"m/*.yaml"'), 'm/a.yaml': 'kind: ConfigMap\n' },
    });
    temps.push(ws);
    const result = await runWithInput(
      ['render', 'p.plan.yaml', '--format', 'kustomize-overlay', '--out', 'o'],
      ws.dir,
      '',
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give --base DIR/);
  });
});

function objectsOf(text: string): KubeObject[] {
  return (parseAllDocuments(text) as unknown as { toJS(): unknown }[])
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string };
}
