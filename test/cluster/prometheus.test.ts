// `consolidate usage --from prometheus` against a REAL Prometheus (Debian's `prometheus` package) on
// loopback, with a TSDB filled by `promtool tsdb create-blocks-from openmetrics` with three days of
// synthetic cAdvisor series. The product's PromQL runs on the real engine.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readUsageSnapshot } from '../../server/src/engine/usage/snapshot';
import { usageQueries } from '../../server/src/cluster/usagePrometheus';
import { runCli } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';
import { clusterFixture, FIXTURE } from '../helpers/clusterFixture';
import { applyPhase } from '../../server/src/cluster/applyPhase';
import { verifyPhase } from '../../server/src/cluster/verifyPhase';

const MI = 2 ** 20;
const DAYS = 3;
/** Peak hours of each day (UTC): 12:00 to 15:00, an eighth of the time. */
const PEAK = (t: number) => {
  const hour = new Date(t * 1000).getUTCHours();
  return hour >= 12 && hour < 15;
};

function binary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

const prometheusBin = binary('prometheus');
const promtoolBin = binary('promtool');
const missing = !prometheusBin || !promtoolBin;
const MISSING =
  "prometheus/promtool not found: install Debian's `prometheus` package (apt-get install -y prometheus; it brings promtool)";

/** The cAdvisor series of the pods, one sample a minute, as OpenMetrics text. */
function syntheticSeries(end: number): string {
  const start = end - DAYS * 86_400;
  const pods: { pod: string; container: string; cpu: (t: number) => number; memory: (t: number) => number }[] = [
    // cart: 100m, 400m at peak; 200Mi, 300Mi at peak. Per minute: 6 and 24 CPU-seconds.
    ...['cart-5d8f7c9b6-aaaaa', 'cart-5d8f7c9b6-bbbbb'].map((pod) => ({
      pod,
      container: 'cart',
      cpu: (t: number) => (PEAK(t) ? 24 : 6),
      memory: (t: number) => (PEAK(t) ? 300 : 200) * MI,
    })),
    { pod: 'checkout-6c7d8e9f0-ccccc', container: 'checkout', cpu: () => 3, memory: () => 64 * MI },
    // What the queries must leave out: the pause container and the pod-level cgroup.
    { pod: 'checkout-6c7d8e9f0-ccccc', container: 'POD', cpu: () => 600, memory: () => 4096 * MI },
    { pod: 'checkout-6c7d8e9f0-ccccc', container: '', cpu: () => 600, memory: () => 4096 * MI },
    // A pod of no workload of the plan.
    { pod: 'other-7f8d9c6b5-zzzzz', container: 'other', cpu: () => 60, memory: () => 10 * MI },
    // search, and the merged backend's pods (after merge-backend: what verify --prometheus reads).
    { pod: 'search-5d8f7c9b6-sssss', container: 'search', cpu: () => 3, memory: () => 32 * MI },
    ...['backend-6b7c8d9e0-ppppp', 'backend-6b7c8d9e0-qqqqq'].flatMap((pod) => [
      { pod, container: 'cart', cpu: () => 6, memory: () => 200 * MI },
      { pod, container: 'checkout', cpu: () => 3, memory: () => 64 * MI },
    ]),
  ];
  const lines: string[] = ['# TYPE container_cpu_usage_seconds counter'];
  for (const p of pods) {
    const labels = `{namespace="shop",pod="${p.pod}",container="${p.container}"}`;
    let counter = 1000;
    for (let t = start; t <= end; t += 60) {
      counter += p.cpu(t);
      lines.push(`container_cpu_usage_seconds_total${labels} ${counter} ${t}`);
    }
  }
  lines.push('# TYPE container_memory_working_set_bytes gauge');
  for (const p of pods) {
    const labels = `{namespace="shop",pod="${p.pod}",container="${p.container}"}`;
    for (let t = start; t <= end; t += 60)
      lines.push(`container_memory_working_set_bytes${labels} ${p.memory(t)} ${t}`);
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Prometheus on the TSDB and resolves when it logs that it is ready (or rejects with its log). */
async function startPrometheus(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const child = spawn(
    prometheusBin!,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prometheus was not ready within 60s:\n${log}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready to receive web requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prometheus exited (${code}):\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, url: `http://127.0.0.1:${port}` };
}

describe(
  'consolidate usage --from prometheus (a real Prometheus)',
  { skip: missing && !process.env.CI ? `skipped: ${MISSING}` : false },
  () => {
    let workspace: TempWorkspace;
    let prometheus: { child: ChildProcess; url: string } | undefined;

    before(async () => {
      assert.ok(!missing, MISSING);
      workspace = tempWorkspace({ copyFrom: FIXTURE, prefix: 'consolidation-prometheus-' });
      const end = Math.floor(Date.now() / 60_000) * 60 - 60;
      fs.writeFileSync(workspace.file('series.om'), syntheticSeries(end));
      const created = spawnSync(
        promtoolBin!,
        ['tsdb', 'create-blocks-from', 'openmetrics', workspace.file('series.om'), workspace.file('tsdb')],
        { encoding: 'utf8' },
      );
      assert.equal(created.status, 0, `promtool failed:\n${created.stdout}\n${created.stderr}`);
      prometheus = await startPrometheus(workspace.dir);
    });

    after(() => {
      prometheus?.child.kill();
      workspace?.dispose();
    });

    it('writes p50/p95/max per container from three days of cAdvisor series, leaving out POD and pod-level series', async () => {
      const plan = fs
        .readFileSync(workspace.file('shop.plan.yaml'), 'utf8')
        .replace('  namespace: shop\n', '  namespace: shop\n  usage: usage.yaml\n');
      fs.writeFileSync(workspace.file('shop.plan.yaml'), plan);
      const run = await runCli(
        ['usage', 'shop.plan.yaml', '--from', 'prometheus', '--url', prometheus!.url, '--window', `${DAYS}d`],
        { cwd: workspace.dir },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /Wrote usage\.yaml: 3 workloads, 3 containers\.\nNo usage for 1 of the plan's workloads \(not running, or not measured\): legacy\./,
      );
      assert.match(run.stderr, /step 130s/);
      assert.match(run.stderr, /Pod shop\/other-7f8d9c6b5-zzzzz belongs to no workload of the plan: left out\./);
      assert.match(run.stderr, /Pod shop\/backend-6b7c8d9e0-ppppp belongs to no workload of the plan: left out\./);
      const snapshot = readUsageSnapshot('usage.yaml', workspace.read('usage.yaml'));
      assert.deepEqual(snapshot.problems, []);
      assert.equal(snapshot.source, 'prometheus');
      assert.equal(snapshot.windowText, '3d');
      const cart = snapshot.workloads.find((w) => w.name === 'cart')!;
      assert.equal(cart.pods, 2);
      assert.deepEqual(
        cart.containers.map((c) => c.name),
        ['cart'],
      );
      assert.deepEqual(cart.containers[0].cpu, { p50: 100, p95: 400, max: 400 });
      assert.deepEqual(cart.containers[0].memory, { p50: 200 * MI, p95: 300 * MI, max: 300 * MI });
      // Two pods × about 1,994 steps of 130s over three days; never more than --max-points per series.
      assert.ok(
        cart.containers[0].samples > 3900 && cart.containers[0].samples <= 4000,
        String(cart.containers[0].samples),
      );
      const checkout = snapshot.workloads.find((w) => w.name === 'checkout')!;
      assert.deepEqual(
        checkout.containers.map((c) => c.name),
        ['checkout'],
      );
      assert.deepEqual(checkout.containers[0].cpu, { p50: 50, p95: 50, max: 50 });
      assert.deepEqual(checkout.containers[0].memory, { p50: 64 * MI, p95: 64 * MI, max: 64 * MI });

      // The plan reads it: cart requests 128Mi, its max is 300Mi.
      const check = await runCli(['check', 'shop.plan.yaml', '--format', 'json'], { cwd: workspace.dir });
      const findings = JSON.parse(check.stdout).diagnostics as { code: string; message: string }[];
      assert.match(
        findings.find((f) => f.code === 'usage/request-below-usage')?.message ?? '',
        /backend\/cart: memory request 128Mi is below its observed max 300Mi .* CPU request 100m is below its observed p95 400m/,
      );
    });

    it('a Prometheus that refuses the query: exit 1 with its reason, nothing written', async () => {
      const run = await runCli(
        [
          'usage',
          'shop.plan.yaml',
          '--from',
          'prometheus',
          '--url',
          prometheus!.url,
          '--window',
          '3d',
          '--max-points',
          '10',
          '--out',
          'coarse.yaml',
        ],
        { cwd: workspace.dir },
      );
      // 10 points over 3 days is a 7.2h step: allowed; the query itself is fine, so this writes.
      assert.equal(run.code, 0, run.stderr);
      const refused = await runCli(
        [
          'usage',
          'shop.plan.yaml',
          '--from',
          'prometheus',
          '--url',
          `${prometheus!.url}/nothing-here`,
          '--out',
          'refused.yaml',
        ],
        { cwd: workspace.dir },
      );
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /consolidate usage: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 404 with something that is not its API's JSON\./,
      );
      assert.ok(!fs.existsSync(workspace.file('refused.yaml')));
    });

    it('verify --prometheus: the usage targets on the window, p95 per pod × planned pods, after a real apply', async () => {
      const fixture = await clusterFixture();
      try {
        const plan = fs
          .readFileSync(fixture.planFile, 'utf8')
          .replace(
            '    - name: merge-backend\n',
            '    - name: merge-backend\n      targets: {cpuUsage: 400m, memoryUsage: 512Mi}\n',
          );
        fs.writeFileSync(fixture.planFile, plan);
        const outcome = await applyPhase({
          api: fixture.api,
          loaded: fixture.load('merge-backend'),
          pollIntervalMs: 5,
        });
        assert.equal(outcome.status, 'applied', outcome.message);
        const result = await verifyPhase({
          api: fixture.api,
          loaded: fixture.load('merge-backend'),
          prometheus: { url: prometheus!.url, windowMs: DAYS * 86_400_000 },
        });
        const usage = result.lines.filter((l) => l.check === 'usage');
        // backend: 2 pods × (100m + 50m); search: 2 planned pods × 50m. Memory: 2 × (200Mi + 64Mi) + 2 × 32Mi.
        assert.deepEqual(
          usage.map((l) => [l.status, l.message]),
          [
            ['pass', 'CPU usage over 3d (Prometheus, p95 per pod × pods): 400m = 5% of budget 8, target at most 400m.'],
            [
              'fail',
              'Memory usage over 3d (Prometheus, p95 per pod × pods): 592Mi = 4% of budget 16Gi, target at most 512Mi.',
            ],
          ],
        );
      } finally {
        await fixture.dispose();
      }
    });

    it('the queries are the documented PromQL, with the namespace checked before it goes into a matcher', () => {
      assert.equal(
        usageQueries('shop', 300).cpu,
        'sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{namespace="shop", container!="", container!="POD"}[300s]))',
      );
      assert.throws(() => usageQueries('shop"} or vector(1) #', 300), /is not a namespace name/);
    });
  },
);
