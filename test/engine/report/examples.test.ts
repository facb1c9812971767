import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../../server/src/engine/workspace/fileHost';
import { buildReport } from '../../../server/src/engine/report/report';

const repo = path.resolve(__dirname, '..', '..', '..');
const seeds = JSON.parse(fs.readFileSync(path.join(repo, 'test/fixtures/seed-figures.json'), 'utf8'));

function reportOf(example: string) {
  const dir = path.join(repo, 'examples', example);
  const planFile = fs.readdirSync(dir).find((f) => f.endsWith('.plan.yaml'))!;
  const ws = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  const result = ws.plan(path.join(dir, planFile))!;
  return { report: buildReport(result, dir), findings: ws.findings.plan(path.join(dir, planFile)) };
}

/** The figures the users' own plans state, reproduced by the example workspaces built from them. */
describe('examples match the seeds', () => {
  it('ODIN Prime: 59 deployments, 119 pods, a 200-pod limit, ~45-50 pods after the plan', () => {
    const { report } = reportOf('odin-prime');
    const seed = seeds['odin-prime'];
    assert.equal(report.states[0].workloads, seed.current.workloads);
    assert.equal(report.states[0].pods, seed.current.pods);
    assert.equal(report.budget?.pods, seed.budget.pods);
    const last = report.states.at(-1)!;
    assert.ok(last.pods <= 50, `after the last phase ${last.pods} pods`);
  });

  it('OpenPolicy: 26 services, memory requests 7,714Mi and limits 15,238Mi in 8Gi', () => {
    const { report, findings } = reportOf('openpolicy');
    const seed = seeds.openpolicy;
    assert.equal(report.states[0].workloads, seed.current.workloads);
    assert.equal(report.states[0].requests.memory, seed.current.memoryRequests);
    assert.equal(report.states[0].limits.memory, seed.current.memoryLimits);
    assert.equal(report.budget?.memory, seed.budget.memory);
    // The seed says 194%; the arithmetic says 186%.
    assert.ok(
      findings.some(
        (f) => f.message === 'current state: memory limits 15,238Mi = 186% of budget 8,192Mi (allowed 150%).',
      ),
    );
  });

  it('AIWFE: 34 compose services (31 long-running, 3 one-shot)', () => {
    const { report } = reportOf('aiwfe');
    const seed = seeds.aiwfe;
    assert.equal(report.states[0].workloads + report.states[0].jobs, seed.current.workloads);
    assert.equal(report.states[0].workloads, seed.current.longRunningWorkloads);
  });

  it('single pod: three workloads become one', () => {
    const { report } = reportOf('single-pod');
    const seed = seeds['single-pod'];
    assert.equal(report.states[0].workloads, seed.current.workloads);
    assert.equal(report.states.at(-1)!.workloads, seed.afterLastPhase.workloads);
  });
});
