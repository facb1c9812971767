// The CLI renders Kustomize sources like the editor, takes tool flags, and reads rendered YAML on
// standard input (`kubectl kustomize ... | consolidate report -`).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { assertBuilt, CLI, type CliResult } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import { findExecutable } from '../../server/src/tools/toolRenderer';

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
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`consolidate ${args.join(' ')} did not finish`))), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

const PLAN = ['apiVersion: consolidation.dev/v1alpha1', 'kind: ConsolidationPlan', 'metadata:', '  name: ob', 'spec:', '  sources:', '    - kustomize: kustomize', '  phases: []', ''].join('\n');

describe('consolidate with Kustomize sources and standard input', () => {
  const ws = tempWorkspace({ copyFrom: BOUTIQUE, files: { 'ob.plan.yaml': PLAN } });
  temps.push(ws);
  const kubectl = findExecutable('kubectl');

  it('report PLAN renders {kustomize: dir} with the real tool', async () => {
    const result = await runWithInput(['report', 'ob.plan.yaml', '--format', 'json'], ws.dir, '');
    assert.equal(result.code, 0, result.stderr);
    const state = JSON.parse(result.stdout).states[0];
    assert.deepEqual([state.workloads, state.requests.cpu, state.limits.cpu, state.requests.memory, state.limits.memory], [12, 1570, 2825, 1368 * MI, 2542 * MI]);
  });

  it('report - gives the same totals from `kubectl kustomize` piped in', async () => {
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs it');
    const rendered = execFileSync(kubectl, ['kustomize', path.join(ws.dir, 'kustomize')], { encoding: 'utf8' });
    const result = await runWithInput(['report', '-', '--format', 'json'], ws.dir, rendered);
    assert.equal(result.code, 0, result.stderr);
    const state = JSON.parse(result.stdout).states[0];
    assert.deepEqual([state.workloads, state.requests.cpu, state.limits.cpu, state.requests.memory, state.limits.memory], [12, 1570, 2825, 1368 * MI, 2542 * MI]);
  });

  it('check - reports findings at <stdin>:line:column', async () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          resources: {requests: {cpu: 2}, limits: {cpu: 1}}\n';
    const result = await runWithInput(['check', '-'], ws.dir, yaml);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^<stdin>:9:\d+: error manifest\/request-exceeds-limit: /m);
  });

  it('check with --kustomize naming a missing tool: one error on the source entry, exit 1', async () => {
    const result = await runWithInput(['check', 'ob.plan.yaml', '--kustomize', path.join(ws.dir, 'no-such-tool')], ws.dir, '');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^ob\.plan\.yaml:7:7: error plan\/source-render: Kustomize source "kustomize" could not be rendered: the Kustomize tool ".*no-such-tool" was not found/m);
  });
});
