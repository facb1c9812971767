// An edit of a plan's text redoes only what depends on the plan: what is read from its sources (their
// cross-file findings, the workloads, the Service index) is kept while no source changes, and the results
// are those of a workspace that never saw the edit.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConsolidationWorkspace } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { diagnose, flattenParts } from '../../../server/src/engine/workspace/diagnose';

const repo = path.resolve(__dirname, '..', '..', '..');
const examples = ['openpolicy', 'odin-prime', 'aiwfe'].map((name) => {
  const dir = path.join(repo, 'examples', name);
  return path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.plan.yaml'))!,
  );
});

function everything(ws: ConsolidationWorkspace, plan: string): string {
  const byFile = diagnose(ws, { plans: [plan], manifests: [], orphanScope: 'per-file' });
  const findings = [...byFile].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, parts]) => [file, flattenParts(parts)]);
  return JSON.stringify({ findings, render: ws.render(plan) });
}

describe('plan edits', () => {
  for (const plan of examples) {
    it(`${path.basename(plan)}: an edit keeps what was read from the sources and gives a cold workspace's results`, () => {
      const ws = new ConsolidationWorkspace(nodeFileHost);
      const before = ws.plan(plan)!;
      const setFindings = ws.findings.planSources(plan);
      everything(ws, plan);

      // A comment typed in the plan: the plan changes, its sources do not.
      const edited = fs
        .readFileSync(plan, 'utf8')
        .replace(/\n {2}phases:/, '\n  # a comment typed in the editor\n  phases:');
      assert.notEqual(edited, fs.readFileSync(plan, 'utf8'));
      ws.setOverlay(plan, edited);
      const after = ws.plan(plan)!;
      assert.notEqual(after, before, 'a new analysis of the edited plan');
      assert.equal(after.manifests, before.manifests, 'the same manifests array');
      assert.equal(after.workloads, before.workloads, 'the same workloads');
      assert.equal(ws.findings.planSources(plan), setFindings, 'cross-file findings of the sources are not recomputed');

      const cold = new ConsolidationWorkspace(nodeFileHost);
      cold.setOverlay(plan, edited);
      assert.equal(everything(ws, plan), everything(cold, plan));
    });
  }

  it('a changed source is read again: the source set and its findings are rebuilt', () => {
    const plan = examples[0];
    const ws = new ConsolidationWorkspace(nodeFileHost);
    const before = ws.plan(plan)!;
    const setFindings = ws.findings.planSources(plan);
    const source = before.sourceFiles[0];
    ws.setOverlay(source, fs.readFileSync(source, 'utf8') + '\n# edited\n');
    const after = ws.plan(plan)!;
    assert.notEqual(after.manifests, before.manifests);
    assert.notEqual(ws.findings.planSources(plan), setFindings);
  });
});
