// Rendering runs beside the analysis: a source not rendered yet is `pending` (its workload-dependent
// findings held back, never zeros), a change of its inputs cancels the running render, and the
// output, when it comes, is analysed. The renderer here is driven by hand (deferred promises), so
// nothing waits on time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../../../server/src/engine/workspace/diagnose';
import type { FileHost } from '../../../server/src/engine/workspace/fileHost';
import type {
  RenderOutcome,
  RenderRequest,
  SourceRenderer,
} from '../../../server/src/engine/workspace/renderedSources';
import type { Finding } from '../../../server/src/engine/rules/types';
import { codeLenses } from '../../../server/src/service/codeLens';

const ROOT = '/ws';
const PLAN = path.join(ROOT, 'p.plan.yaml');

function host(files: Map<string, string>): FileHost {
  return {
    readFile: (file) => files.get(file),
    glob: (base, patterns) =>
      [...files.keys()]
        .filter(
          (f) =>
            !path.relative(base, f).startsWith('..') &&
            patterns.some((p) => picomatch.isMatch(path.relative(base, f), p)),
        )
        .sort(),
  };
}

const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: api, image: x, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi}}}]\n';

/** A renderer whose renders finish when the test says. */
class HandRenderer implements SourceRenderer {
  readonly calls: { request: RenderRequest; signal: AbortSignal; finish: (outcome: RenderOutcome) => void }[] = [];
  render(request: RenderRequest, signal: AbortSignal): Promise<RenderOutcome> {
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve({ ok: false, reason: 'cancelled', message: 'cancelled' }));
      this.calls.push({ request, signal, finish: resolve });
    });
  }
}

function setup() {
  const files = new Map([
    [
      PLAN,
      'apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: t}\nspec:\n  sources:\n    - kustomize: overlay\n  budget: {cpu: "1", memory: 1Gi}\n  phases:\n    - name: one\n      scale: {api: 1}\n',
    ],
    [path.join(ROOT, 'overlay/kustomization.yaml'), 'resources: [d.yaml]\n'],
    [path.join(ROOT, 'overlay/d.yaml'), DEPLOYMENT],
  ]);
  const workspace = new ConsolidationWorkspace(host(files), DEFAULT_OPTIONS);
  const renderer = new HandRenderer();
  const settled: string[] = [];
  workspace.setSourceRenderer(renderer, () => [ROOT]);
  workspace.onRenderSettled = (plan) => settled.push(plan);
  return { files, workspace, renderer, settled };
}

function findings(workspace: ConsolidationWorkspace): Finding[] {
  return [...diagnose(workspace, { plans: [PLAN], manifests: [], orphanScope: 'together' }).values()].flatMap(
    flattenParts,
  );
}

describe('asynchronous rendering of Kustomize and Helm sources', () => {
  it('pending: an information on the entry, references and budgets held back, code lenses say so; then the output is analysed', async () => {
    const { workspace, renderer, settled } = setup();
    const pending = findings(workspace);
    assert.deepEqual(
      pending.map((f) => [f.code, f.severity]),
      [['plan/source-render', 'information']],
    );
    assert.match(pending[0].message, /Kustomize source "overlay" is being rendered \(kustomize build\)/);
    // Not "0 pods, 0 CPU": the lenses wait.
    assert.deepEqual(
      codeLenses(workspace, PLAN).map((l) => l.command?.title),
      ['current: totals wait for a source being rendered…', 'after one: totals wait for a source being rendered…'],
    );
    assert.equal(renderer.calls.length, 1);
    // Asked again while it runs: the same render, not a second process.
    findings(workspace);
    assert.equal(renderer.calls.length, 1);

    renderer.calls[0].finish({ ok: true, yaml: DEPLOYMENT });
    await workspace.renderSourcesOf([]);
    assert.deepEqual(settled, [PLAN]);
    assert.deepEqual(
      findings(workspace).map((f) => f.code),
      [],
    );
    assert.equal(workspace.plan(PLAN)!.analysis.states[0].totals.pods, 3);
  });

  it('a change of its inputs cancels the running render and starts one of the new inputs; the old output stands meanwhile', async () => {
    const { files, workspace, renderer } = setup();
    workspace.plan(PLAN);
    renderer.calls[0].finish({ ok: true, yaml: DEPLOYMENT });
    await workspace.renderSourcesOf([]);
    assert.equal(workspace.plan(PLAN)!.analysis.states[0].totals.pods, 3);

    files.set(path.join(ROOT, 'overlay/d.yaml'), DEPLOYMENT.replace('replicas: 3', 'replicas: 5'));
    workspace.fileChanged(path.join(ROOT, 'overlay/d.yaml'));
    // Re-rendering: the last output is used, not zeros.
    assert.equal(workspace.plan(PLAN)!.analysis.states[0].totals.pods, 3);
    assert.equal(renderer.calls.length, 2);
    files.set(path.join(ROOT, 'overlay/d.yaml'), DEPLOYMENT.replace('replicas: 3', 'replicas: 7'));
    workspace.fileChanged(path.join(ROOT, 'overlay/d.yaml'));
    workspace.plan(PLAN);
    assert.equal(renderer.calls.length, 3);
    assert.equal(renderer.calls[1].signal.aborted, true, 'the render of stale inputs is cancelled');
    assert.equal(renderer.calls[2].signal.aborted, false);
    renderer.calls[2].finish({ ok: true, yaml: DEPLOYMENT.replace('replicas: 3', 'replicas: 7') });
    await workspace.renderSourcesOf([]);
    assert.equal(workspace.plan(PLAN)!.analysis.states[0].totals.pods, 7);
    assert.equal(workspace.renderStats!.renders, 2, 'a cancelled render is not counted, nor cached');
  });

  it('a render that fails is reported once and not started again until an input changes', async () => {
    const { workspace, renderer } = setup();
    workspace.plan(PLAN);
    renderer.calls[0].finish({
      ok: false,
      reason: 'timeout',
      message: 'kustomize build did not finish in 60 s: stopped',
    });
    await workspace.renderSourcesOf([]);
    const failed = findings(workspace).filter((f) => f.code === 'plan/source-render');
    assert.deepEqual(
      failed.map((f) => [f.severity, f.message]),
      [['error', 'Kustomize source "overlay" could not be rendered: kustomize build did not finish in 60 s: stopped']],
    );
    workspace.fileChanged(PLAN);
    findings(workspace);
    assert.equal(renderer.calls.length, 1);
  });

  it('runs at most 4 tools at once; the others start as those finish', async () => {
    const files = new Map<string, string>();
    const entries = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const dir of entries) {
      files.set(path.join(ROOT, dir, 'kustomization.yaml'), 'resources: [d.yaml]\n');
      files.set(path.join(ROOT, dir, 'd.yaml'), DEPLOYMENT.replace('name: api', `name: ${dir}`));
    }
    files.set(
      PLAN,
      `apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata: {name: t}\nspec:\n  sources:\n${entries.map((d) => `    - kustomize: ${d}\n`).join('')}  phases: []\n`,
    );
    const workspace = new ConsolidationWorkspace(host(files), DEFAULT_OPTIONS);
    const renderer = new HandRenderer();
    workspace.setSourceRenderer(renderer, () => [ROOT]);
    const done = workspace.renderSourcesOf([PLAN]);
    await Promise.resolve();
    assert.equal(renderer.calls.length, 4);
    for (let i = 0; i < entries.length; i++) {
      const call = renderer.calls[i];
      assert.ok(call, `render ${i + 1} started once an earlier one finished`);
      call.finish({ ok: true, yaml: DEPLOYMENT.replace('name: api', `name: ${entries[i]}`) });
      // Let the finished render hand its place to the next.
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.ok(renderer.calls.length <= Math.min(entries.length, i + 5));
    }
    await done;
    assert.equal(workspace.plan(PLAN)!.workloads.length, 6);
  });

  it('disposing (the server shuts down) cancels every render, and nothing is reported after', async () => {
    const { workspace, renderer, settled } = setup();
    workspace.plan(PLAN);
    workspace.disposeRenders();
    assert.equal(renderer.calls[0].signal.aborted, true);
    await workspace.renderSourcesOf([]);
    assert.deepEqual(settled, []);
  });
});
