// The seed examples' own plans against the test API server: a budget finding (what a plan is there to
// fix) does not block a phase; an error that makes the phase wrong still does. Budget figures of the
// state after the phase are shown in the confirmation and in --dry-run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { apply, type ClusterCliIo } from '../../server/src/cli/apply';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import type { JsonObject } from '../helpers/kubeFields';
import { TestKubeApiServer } from '../helpers/testKubeApiServer';
import { Capture } from '../helpers/capture';

const EXAMPLES = path.resolve(__dirname, '../../examples');

interface Example {
  server: TestKubeApiServer;
  workspace: TempWorkspace;
  io(extra?: Partial<ClusterCliIo>): ClusterCliIo & { out: Capture; err: Capture };
  dispose(): Promise<void>;
}

/**
 * A copy of an example and a test API server holding its manifests, as `kubectl apply` left them.
 * An object the API server refuses (a request above its limit, an invalid quantity) is not in the
 * cluster, as on a real one.
 */
async function example(name: string, namespace: string, edit?: (workspace: TempWorkspace) => void): Promise<Example> {
  const server = await TestKubeApiServer.start({ readyDelayMs: 1 });
  const workspace = tempWorkspace({ copyFrom: path.join(EXAMPLES, name), prefix: `consolidation-${name}-` });
  edit?.(workspace);
  const kubeconfig = server.writeKubeconfig(workspace.file('.kube'), { namespace });
  const folder = workspace.file('manifests');
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf8'))) {
      const object = doc.toJSON() as JsonObject | null;
      if (!object?.kind || !['Deployment', 'StatefulSet', 'Service'].includes(String(object.kind))) continue;
      (object.metadata as JsonObject).namespace ??= namespace;
      try {
        server.seed(object, { manager: 'kubectl-client-side-apply' });
      } catch {
        // refused by validation: not in the cluster
      }
    }
  }
  return {
    server,
    workspace,
    io: (extra = {}) =>
      ({
        cwd: workspace.dir,
        out: new Capture(),
        err: new Capture(),
        env: { KUBECONFIG: kubeconfig },
        signal: new AbortController().signal,
        pollIntervalMs: 5,
        connect: { retry: { initialDelayMs: 1, maxDelayMs: 5 }, requestTimeoutMs: 5000 },
        ...extra,
      }) as ClusterCliIo & { out: Capture; err: Capture },
    dispose: async () => {
      await server.close();
      workspace.dispose();
    },
  };
}

function terminal(answers: string[]): NodeJS.ReadableStream & { isTTY: boolean } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean };
  stream.isTTY = true;
  for (const answer of answers) stream.write(`${answer}\n`);
  return stream;
}

function containerResources(server: TestKubeApiServer, namespace: string, name: string): unknown {
  const spec = (server.object('Deployment', namespace, name) ?? server.object('StatefulSet', namespace, name))
    ?.spec as JsonObject;
  return (((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[])[0].resources;
}

describe("apply the examples' plans (budget findings do not block a phase)", () => {
  let current: Example | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });

  it('OpenPolicy (CPU requests at 105% of its budget): the first phase applies, the confirmation shows the budget before and after', async () => {
    current = await example('openpolicy', 'openpolicy');
    const asked = current.io({ stdin: terminal(['n']) });
    assert.equal(
      await apply(['openpolicy.plan.yaml', '--phase', 'infrastructure-protection'], asked),
      1,
      asked.err.text,
    );
    assert.match(
      asked.err.text,
      /Budget after phase infrastructure-protection \(before → after\):\n {2}CPU requests 4200m = 105% → 4950m = 124% of budget 4 \(worse\)/,
    );
    assert.match(asked.err.text, /Not blocking this phase \(11 errors/);
    assert.match(asked.err.text, /Apply it to context test/);

    const dry = current.io();
    assert.equal(
      await apply(['openpolicy.plan.yaml', '--phase', 'infrastructure-protection', '--dry-run'], dry),
      0,
      dry.err.text,
    );
    assert.match(dry.out.text, /^# {3}memory requests 7,714Mi = 94% → 9,378Mi = 114% of budget 8Gi \(worse\)$/m);

    const run = current.io();
    assert.equal(
      await apply(['openpolicy.plan.yaml', '--phase', 'infrastructure-protection', '--yes', '--timeout', '1m'], run),
      0,
      run.err.text,
    );
    assert.match(run.out.text, /^Applied phase infrastructure-protection of plan openpolicy/m);
    assert.deepEqual((containerResources(current.server, 'openpolicy', 'postgresql') as JsonObject).requests, {
      cpu: '500m',
      memory: '1Gi',
    });
  });

  it('OpenPolicy: a phase that merges a workload whose manifest the API server rejects (request above limit) is refused, naming it', async () => {
    current = await example('openpolicy', 'openpolicy');
    const run = current.io();
    assert.equal(await apply(['openpolicy.plan.yaml', '--phase', 'operational-consolidation', '--dry-run'], run), 1);
    assert.match(
      run.err.text,
      /phase operational-consolidation cannot be applied: 1 error .*\n {2}intelligence\.yaml:41: analytics-service\/analytics-service: memory request 512Mi is above its limit 256Mi/,
    );
    assert.doesNotMatch(run.err.text, /budget\/|CPU requests 4200m = 105%.*error/);
    assert.deepEqual(current.server.writes(), []);
  });

  it("ODIN: a misspelt workload in the first phase blocks it; fixed, the first phase applies (an invalid quantity in a later phase's manifest does not block)", async () => {
    current = await example('odin-prime', 'odin-prime');
    const refused = current.io();
    assert.equal(await apply(['odin-prime.plan.yaml', '--phase', 'quick-wins', '--yes'], refused), 1);
    assert.match(
      refused.err.text,
      /phase quick-wins cannot be applied: 1 error .*\n {2}odin-prime\.plan\.yaml:48: Phase quick-wins: no workload "tts-stream"/,
    );
    assert.deepEqual(current.server.writes(), []);
    await current.dispose();

    current = await example('odin-prime', 'odin-prime', (w) =>
      w.write('odin-prime.plan.yaml', w.read('odin-prime.plan.yaml').replace(/- tts-stream\n/, '- tts-streaming\n')),
    );
    const run = current.io();
    assert.equal(
      await apply(['odin-prime.plan.yaml', '--phase', 'quick-wins', '--yes', '--timeout', '1m'], run),
      0,
      run.err.text,
    );
    assert.match(run.err.text, /pods 119 = 60% → 115 = 58% of budget 200 \(better\)/);
    assert.match(
      run.err.text,
      /memory-subsystem\.yaml:785: memory: "512mb"/,
      "the later phase's error is listed, not blocking",
    );
    const unified = current.server.object('Deployment', 'odin-prime', 'odin-tts-unified');
    assert.equal((unified?.spec as JsonObject).replicas, 2);
    assert.equal((current.server.object('Deployment', 'odin-prime', 'tts-direct')?.spec as JsonObject).replicas, 0);
  });
});
