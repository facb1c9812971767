// `consolidate check --cache DIR`: a warm run reads parsed manifests from DIR and prints exactly what a cold
// run prints, byte for byte: unchanged, after a changed manifest, after a changed .env, after an engine
// upgrade, and with entries that are corrupt or hostile. Only what changed is parsed again. An unchanged tree
// is served whole from the stored result (no model is read); any change of what that result was computed
// from (a manifest, a .env, a usage snapshot, a new or deleted file, the engine) gives a cold run's output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, runCli } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

/** Preloaded with `node --require`: says on stderr when the process loads the engine's bundle. */
const ENGINE_PROBE =
  "const Module = require('node:module');\nconst load = Module._load;\nModule._load = function (request, ...rest) {\n  if (/consolidate\\.js$/.test(request)) process.stderr.write('ENGINE LOADED\\n');\n  return load.call(this, request, ...rest);\n};\n";

function workspace(): TempWorkspace {
  const ws = tempWorkspace({ prefix: 'consolidation-cache-' });
  for (const name of ['openpolicy', 'odin-prime', 'aiwfe', 'single-pod'])
    fs.cpSync(path.join(EXAMPLES, name), ws.file(`ws/${name}`), { recursive: true });
  return ws;
}

function entries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.bin'))
    .map((f) => path.join(dir, f));
}

async function check(ws: TempWorkspace, cache?: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(['check', 'ws', '--format', 'json', ...(cache ? ['--cache', cache] : [])], {
    cwd: ws.dir,
    env,
  });
  assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
  assert.equal(result.stderr, '');
  return result.stdout;
}

describe('check --cache', () => {
  it('warm runs print what cold runs print; a changed file or .env is all that is parsed again; an engine upgrade parses everything again', async () => {
    const ws = workspace();
    const cache = ws.file('cache');
    try {
      const cold = await check(ws);
      assert.equal(await check(ws, 'cache'), cold, 'the run that fills the cache');
      const filled = entries(cache).length;
      assert.ok(filled >= 4, `${filled} entries`);
      assert.equal(await check(ws, 'cache'), cold, 'warm');
      assert.equal(entries(cache).length, filled, 'a warm run of an unchanged tree writes nothing new');

      const manifest = fs.readdirSync(ws.file('ws/openpolicy/manifests')).find((f) => f.endsWith('.yaml'))!;
      const file = `ws/openpolicy/manifests/${manifest}`;
      // A Deployment whose CPU request exceeds its limit: the findings change.
      ws.write(
        file,
        ws.read(file).replace(/\n?$/, '\n') +
          '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: added-by-test}\nspec: {replicas: 2, selector: {matchLabels: {app: added}}, template: {metadata: {labels: {app: added}}, spec: {containers: [{name: a, image: a, resources: {requests: {cpu: 2, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}]}}}\n',
      );
      const changed = await check(ws);
      assert.notEqual(changed, cold);
      assert.equal(await check(ws, 'cache'), changed, 'after changing one manifest');
      assert.equal(entries(cache).length, filled + 1, 'one file parsed again');

      const dotEnv = ws
        .read('ws/aiwfe/.env')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l));
      ws.write(
        'ws/aiwfe/.env',
        dotEnv.map((l, i) => (i === 0 ? l.replace(/=.*/, '=changed-by-test') : l)).join('\n') + '\n',
      );
      assert.equal(await check(ws, 'cache'), await check(ws), 'after changing a .env');

      const upgraded = { CONSOLIDATION_ENGINE_VERSION: 'next' };
      const before = entries(cache).length;
      assert.equal(await check(ws, 'cache', upgraded), await check(ws), 'another engine version');
      assert.equal(entries(cache).length, before + filled, 'every cached file parsed again by the new engine');
    } finally {
      ws.dispose();
    }
  });

  it("ignores corrupt and hostile entries: the output is a cold run's, and the run does not crash", async () => {
    const ws = workspace();
    const cache = ws.file('cache');
    try {
      const cold = await check(ws);
      await check(ws, 'cache');
      const all = entries(cache);
      const valid = fs.readFileSync(all[1]);
      const damage = [
        () => Buffer.alloc(0),
        () => Buffer.from('not a cache entry at all'),
        // Right tag and length, a payload that does not hash to the stored sum.
        (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 3), Buffer.from('xyz')]),
        // Another file's valid entry: checksum fine, but it is the model of another path.
        () => valid,
        (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)),
      ];
      all.forEach((entry, i) => fs.writeFileSync(entry, damage[i % damage.length](fs.readFileSync(entry))));
      // A directory where an entry should be, and a stray temporary file.
      fs.writeFileSync(path.join(path.dirname(all[0]), 'leftover.bin.123.tmp'), 'half');
      assert.equal(await check(ws, 'cache'), cold);
      assert.equal(await check(ws, 'cache'), cold, 'and again, from the entries the previous run rewrote');
    } finally {
      ws.dispose();
    }
  });

  it('a cache folder that cannot be written is not an error', async () => {
    const ws = workspace();
    try {
      ws.write('cache', 'a file where the cache folder should be');
      assert.equal(await check(ws, 'cache'), await check(ws));
    } finally {
      ws.dispose();
    }
  });

  describe('the whole-result layer', () => {
    function resultWorkspace(): TempWorkspace {
      const ws = workspace();
      fs.cpSync(path.join(EXAMPLES, 'live-usage'), ws.file('ws/live-usage'), { recursive: true });
      return ws;
    }

    const PAST = new Date('2001-01-01T00:00:00Z');

    /**
     * Runs a warm check and says whether it was served from the stored result: model entries are touched
     * (their mtime set to now) whenever one is read, so a run that read none and wrote none left them as
     * they were.
     */
    async function served(ws: TempWorkspace, env?: NodeJS.ProcessEnv): Promise<{ output: string; whole: boolean }> {
      const models = entries(ws.file('cache/manifests-v1'));
      for (const entry of models) fs.utimesSync(entry, PAST, PAST);
      const output = await check(ws, 'cache', env);
      const touched = entries(ws.file('cache/manifests-v1')).filter(
        (entry) => !models.includes(entry) || fs.statSync(entry).mtimeMs > PAST.getTime(),
      );
      return { output, whole: touched.length === 0 };
    }

    it('an unchanged tree is served from the stored result; each change gives exactly what a cold run gives, then is stored again', async () => {
      const ws = resultWorkspace();
      try {
        const cold = await check(ws);
        assert.equal(await check(ws, 'cache'), cold, 'the run that fills the cache');
        assert.equal(entries(ws.file('cache/results-v2')).length, 1, 'one stored result');
        assert.deepEqual(await served(ws), { output: cold, whole: true }, 'unchanged: served whole');
        // Another format is applied to the same stored findings.
        const text = await runCli(['check', 'ws', '--cache', 'cache'], { cwd: ws.dir });
        assert.equal(
          text.stdout,
          (await runCli(['check', 'ws'], { cwd: ws.dir })).stdout,
          '--format text from the stored findings',
        );

        // An option that changes findings is part of the run's key: not served from the run without it.
        const withRule = ['check', 'ws', '--format', 'json', '--rule', 'budget/limits-overcommit=off'];
        const ruleCold = (await runCli(withRule, { cwd: ws.dir })).stdout;
        assert.notEqual(ruleCold, cold);
        assert.equal((await runCli([...withRule, '--cache', 'cache'], { cwd: ws.dir })).stdout, ruleCold, '--rule');

        const changes: [string, () => void][] = [
          [
            'a changed manifest',
            () =>
              ws.write(
                'ws/single-pod/manifests/workers.yaml',
                ws.read('ws/single-pod/manifests/workers.yaml').replace(/cpu: (\S+)/, 'cpu: 7'),
              ),
          ],
          [
            'a changed .env',
            () =>
              ws.write(
                'ws/aiwfe/.env',
                ws.read('ws/aiwfe/.env').replace('OLLAMA_MEM_LIMIT=6g', 'OLLAMA_MEM_LIMIT=60g'),
              ),
          ],
          [
            "a new file matching a plan's sources glob",
            () =>
              ws.write(
                'ws/openpolicy/manifests/zz-added.yaml',
                'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: added-by-test, namespace: openpolicy}\nspec: {replicas: 1, selector: {matchLabels: {app: added}}, template: {metadata: {labels: {app: added}}, spec: {containers: [{name: a, image: a, resources: {requests: {cpu: 2, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}]}}}\n',
              ),
          ],
          ['a deleted file', () => fs.rmSync(ws.file('ws/odin-prime/manifests/tts.yaml'))],
          [
            'a changed usage snapshot',
            () =>
              ws.write(
                'ws/live-usage/usage.yaml',
                ws.read('ws/live-usage/usage.yaml').replace('p95: 420', 'p95: 1900'),
              ),
          ],
          [
            'a new plan in a searched folder',
            () =>
              fs.copyFileSync(ws.file('ws/single-pod/single-pod.plan.yaml'), ws.file('ws/single-pod/copy.plan.yaml')),
          ],
        ];
        let previous = cold;
        for (const [what, change] of changes) {
          change();
          const expected = await check(ws);
          assert.notEqual(expected, previous, `${what} changes the findings`);
          assert.deepEqual(
            await served(ws),
            { output: expected, whole: false },
            `${what}: the normal path, a cold run's output`,
          );
          assert.deepEqual(
            await served(ws),
            { output: expected, whole: true },
            `${what}: stored again, then served whole`,
          );
          previous = expected;
        }

        const upgraded = { CONSOLIDATION_ENGINE_VERSION: 'next' };
        assert.deepEqual(
          await served(ws, upgraded),
          { output: await check(ws), whole: false },
          'another engine version: not served from the old result',
        );
        assert.deepEqual(await served(ws, upgraded), { output: previous, whole: true });
        assert.ok(entries(ws.file('cache/results-v2')).length <= 16, 'bounded');
      } finally {
        ws.dispose();
      }
    });

    it('the launcher (dist/cli.js) prints a stored result in every format without loading the engine, and loads it for anything else', async () => {
      const ws = resultWorkspace();
      ws.write('probe.cjs', ENGINE_PROBE);
      const run = async (args: string[]) => {
        const result = await runCli(args, { cwd: ws.dir, nodeArgs: ['--require', ws.file('probe.cjs')] });
        return { stdout: result.stdout, code: result.code, engine: result.stderr.includes('ENGINE LOADED') };
      };
      try {
        const fill = await run(['check', 'ws', '--cache', 'cache']);
        assert.equal(fill.engine, true, 'the run that fills the cache loads the engine');
        // The stored result is the findings: each format is printed from it.
        for (const format of ['text', 'json', 'sarif']) {
          const args = ['check', 'ws', '--format', format];
          const cold = await run(args);
          assert.equal(cold.engine, true, `${format}: a run without --cache loads the engine`);
          assert.deepEqual(await run([...args, '--cache', 'cache']), { ...cold, engine: false }, `${format}: warm`);
        }
        // The launcher does not know the rule codes: a result is only stored by a run that checked them.
        const unknown = await runCli(['check', 'ws', '--rule', 'no/such-rule=off', '--cache', 'cache'], {
          cwd: ws.dir,
        });
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /unknown code "no\/such-rule"/);
        ws.write('ws/live-usage/usage.yaml', ws.read('ws/live-usage/usage.yaml').replace('p95: 420', 'p95: 1900'));
        const changed = await run(['check', 'ws', '--format', 'json', '--cache', 'cache']);
        assert.equal(changed.engine, true, 'a changed file: the engine runs');
        assert.equal(changed.stdout, (await run(['check', 'ws', '--format', 'json'])).stdout);
      } finally {
        ws.dispose();
      }
    });

    it('a stored result is not served once the clock changes a finding (a usage snapshot turned stale)', async () => {
      const ws = resultWorkspace();
      // The clock of the process, set by the test; and a note on stderr when the engine is loaded.
      ws.write('clock.cjs', `Date.now = () => Number(process.env.TEST_NOW);\n${ENGINE_PROBE}`);
      const at = async (when: string, cache: boolean) => {
        const args = ['check', 'ws', '--format', 'json', ...(cache ? ['--cache', 'cache'] : [])];
        const env = { TEST_NOW: String(Date.parse(when)) };
        const result = await runCli(args, { cwd: ws.dir, env, nodeArgs: ['--require', ws.file('clock.cjs')] });
        return { stdout: result.stdout, engine: result.stderr.includes('ENGINE LOADED') };
      };
      try {
        // live-usage's snapshot was taken on 2026-12-07 and its plan allows 520 weeks (10 years minus 3.5 days).
        const fresh = '2026-12-08T00:00:00Z';
        const stale = '2036-12-08T00:00:00Z';
        await at(fresh, true);
        const warm = await at(fresh, true);
        assert.equal(warm.engine, false, 'fresh: served from the stored result');
        assert.equal(warm.stdout, (await at(fresh, false)).stdout);
        const cold = await at(stale, false);
        assert.match(cold.stdout, /usage\/snapshot-stale/, 'ten years later the snapshot is stale');
        assert.deepEqual(await at(stale, true), { stdout: cold.stdout, engine: true }, 'not served: computed again');
        assert.deepEqual(await at(stale, true), { stdout: cold.stdout, engine: false }, 'then stored and served');
      } finally {
        ws.dispose();
      }
    });

    it("a symbolic link on a source's path re-pointed outside the workspace is seen: not served from the stored result", async () => {
      const ws = workspace();
      const outside = tempWorkspace({ prefix: 'consolidation-cache-outside-' });
      try {
        // The plan's manifests/ is a link to a folder beside it; the same files also sit outside the workspace.
        const manifests = ws.file('ws/single-pod/manifests');
        fs.renameSync(manifests, ws.file('ws/single-pod/kept'));
        fs.symlinkSync('kept', manifests);
        fs.cpSync(ws.file('ws/single-pod/kept'), outside.file('manifests'), { recursive: true });
        const inside = await check(ws, 'cache');
        assert.deepEqual(await served(ws), { output: inside, whole: true }, 'unchanged: served whole');
        // Same entries, same contents, same listing of the folder holding the link: only where it leads changed.
        fs.rmSync(manifests);
        fs.symlinkSync(outside.file('manifests'), manifests);
        const cold = await check(ws);
        assert.notEqual(cold, inside, 'a source outside the workspace changes the findings');
        assert.deepEqual(await served(ws), { output: cold, whole: false });
      } finally {
        outside.dispose();
        ws.dispose();
      }
    });

    it("a truncated, garbled or foreign result entry is ignored: a cold run's output, never a crash", async () => {
      const ws = resultWorkspace();
      try {
        const cold = await check(ws);
        await check(ws, 'cache');
        const [entry] = entries(ws.file('cache/results-v2'));
        const valid = fs.readFileSync(entry);
        const damage: [string, Buffer][] = [
          ['truncated', valid.subarray(0, Math.floor(valid.length / 2))],
          ['garbled payload', Buffer.concat([valid.subarray(0, valid.length - 5), Buffer.from('xxxxx')])],
          ['empty', Buffer.alloc(0)],
          ['not an entry', Buffer.from('CPRC\u0001 but nothing else of one')],
        ];
        for (const [what, bytes] of damage) {
          fs.writeFileSync(entry, bytes);
          assert.deepEqual(await served(ws), { output: cold, whole: false }, what);
          assert.deepEqual(
            await served(ws),
            { output: cold, whole: true },
            `${what}: rewritten by the run that ignored it`,
          );
        }
        // Another run's valid entry under this run's name: its key does not match, so it is not used.
        const other = await runCli(['check', 'ws/single-pod', '--format', 'json', '--cache', 'cache'], { cwd: ws.dir });
        assert.equal(other.stderr, '');
        const foreign = entries(ws.file('cache/results-v2')).find((f) => f !== entry)!;
        fs.copyFileSync(foreign, entry);
        assert.deepEqual(await served(ws), { output: cold, whole: false }, "another run's entry");
      } finally {
        ws.dispose();
      }
    });

    it('a plan with a Kustomize source is never served from a stored result (tool output is not a file read)', async () => {
      const ws = tempWorkspace({ prefix: 'consolidation-cache-kustomize-' });
      try {
        const deployment = (cpu: string) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web, resources: {requests: {cpu: ${cpu}, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}]}}}\n`;
        ws.write('ws/base/kustomization.yaml', 'resources: [web.yaml]\n');
        // Outside what `check ws/app.plan.yaml` reads itself: only the tool reads it.
        ws.write('ws/base/web.yaml', deployment('500m'));
        ws.write(
          'ws/app.plan.yaml',
          [
            'apiVersion: consolidation.dev/v1alpha1',
            'kind: ConsolidationPlan',
            'metadata: {name: app}',
            'spec:',
            '  sources:',
            '    - kustomize: base',
            '  budget: {cpu: "4", memory: 8Gi, pods: 10}',
            '  phases: []',
            '',
          ].join('\n'),
        );
        const run = async (cache: boolean) => {
          const result = await runCli(
            [
              'check',
              'ws/app.plan.yaml',
              '--format',
              'json',
              '--kustomize',
              'kubectl',
              ...(cache ? ['--cache', 'cache'] : []),
            ],
            { cwd: ws.dir },
          );
          assert.equal(result.stderr, '');
          return result.stdout;
        };
        assert.equal(await run(true), await run(false));
        ws.write('ws/base/web.yaml', deployment('2'));
        const changed = await run(false);
        assert.match(changed, /request/, "the render's new request is checked");
        assert.equal(await run(true), changed);
        assert.equal(entries(ws.file('cache/results-v2')).length, 0, 'nothing stored whole');
      } finally {
        ws.dispose();
      }
    });

    it('standard input is never served from a stored result', async () => {
      const ws = resultWorkspace();
      try {
        const run = (text: string) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, [CLI, 'check', '-', '--format', 'json', '--cache', 'cache'], {
              cwd: ws.dir,
              stdio: ['pipe', 'pipe', 'pipe'],
            });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d));
            child.on('error', reject);
            child.on('close', () => resolve(out));
            child.stdin.end(text);
          });
        const a = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
        const b =
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {template: {spec: {containers: [{name: c, image: c, resources: {requests: {cpu: 2}, limits: {cpu: 1}}}]}}}\n';
        const first = await run(a);
        const second = await run(b);
        assert.notEqual(first, second);
        assert.equal(entries(ws.file('cache/results-v2')).length, 0);
      } finally {
        ws.dispose();
      }
    });
  });
});
