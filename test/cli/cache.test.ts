// `consolidate check --cache DIR`: a warm run reads parsed manifests from DIR and prints exactly what a cold
// run prints, byte for byte: unchanged, after a changed manifest, after a changed .env, after an engine
// upgrade, and with entries that are corrupt or hostile. Only what changed is parsed again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

function workspace(): TempWorkspace {
  const ws = tempWorkspace({ prefix: 'consolidation-cache-' });
  for (const name of ['openpolicy', 'odin-prime', 'aiwfe', 'single-pod']) fs.cpSync(path.join(EXAMPLES, name), ws.file(`ws/${name}`), { recursive: true });
  return ws;
}

function entries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin')).map((f) => path.join(dir, f));
}

async function check(ws: TempWorkspace, cache?: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(['check', 'ws', '--format', 'json', ...(cache ? ['--cache', cache] : [])], { cwd: ws.dir, env });
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

      const dotEnv = ws.read('ws/aiwfe/.env').split('\n').filter((l) => /^[A-Z_]+=/.test(l));
      ws.write('ws/aiwfe/.env', dotEnv.map((l, i) => (i === 0 ? l.replace(/=.*/, '=changed-by-test') : l)).join('\n') + '\n');
      assert.equal(await check(ws, 'cache'), await check(ws), 'after changing a .env');

      const upgraded = { CONSOLIDATION_ENGINE_VERSION: 'next' };
      const before = entries(cache).length;
      assert.equal(await check(ws, 'cache', upgraded), await check(ws), 'another engine version');
      assert.equal(entries(cache).length, before + filled, 'every cached file parsed again by the new engine');
    } finally {
      ws.dispose();
    }
  });

  it('ignores corrupt and hostile entries: the output is a cold run\'s, and the run does not crash', async () => {
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
});
