// The on-disk model cache on its own: keys, atomic writes, what it refuses to read, and its size bound.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PersistentCache } from '../../../server/src/engine/workspace/persistentCache';
import { readManifestFile } from '../../../server/src/engine/manifests/readManifestFile';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'openpolicy', 'manifests');

function models() {
  return fs
    .readdirSync(EXAMPLE)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const file = path.join(EXAMPLE, f);
      const text = fs.readFileSync(file, 'utf8');
      return { file, text, model: readManifestFile(file, text, { maxBytes: 1 << 21 }) };
    });
}

function files(dir: string): string[] {
  return fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile())
    : [];
}

describe('PersistentCache', () => {
  it('returns the model it stored, for the same path, text, options and engine only', () => {
    const ws = tempWorkspace();
    try {
      const cache = new PersistentCache(ws.dir, 'engine-1');
      const [{ file, text, model }, other] = models();
      const key = cache.key(file, text, 'o');
      cache.put(key, model);
      assert.deepEqual(cache.get(key, file), model);
      assert.equal(cache.get(key, other.file), undefined, 'an entry for another path is not used');
      assert.notEqual(cache.key(file, text + ' ', 'o'), key);
      assert.notEqual(cache.key(file, text, 'p'), key);
      assert.notEqual(new PersistentCache(ws.dir, 'engine-2').key(file, text, 'o'), key);
      assert.ok(!files(ws.dir).some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
    } finally {
      ws.dispose();
    }
  });

  it('reads nothing from a damaged entry, and removes it', () => {
    const ws = tempWorkspace();
    try {
      const cache = new PersistentCache(ws.dir, 'e');
      const [{ file, text, model }] = models();
      const key = cache.key(file, text, 'o');
      cache.put(key, model);
      const [entry] = files(ws.dir).map((f) => path.join(ws.dir, f));
      const bytes = fs.readFileSync(entry);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(entry, bytes);
      assert.equal(cache.get(key, file), undefined);
      assert.equal(fs.existsSync(entry), false);
    } finally {
      ws.dispose();
    }
  });

  it('keeps its folder under the bound, dropping the least recently used entries', () => {
    const ws = tempWorkspace();
    try {
      const all = models();
      const unbounded = new PersistentCache(ws.dir, 'e');
      all.forEach(({ file, text, model }) => unbounded.put(unbounded.key(file, text, 'o'), model));
      const total = files(ws.dir).reduce((sum, f) => sum + fs.statSync(path.join(ws.dir, f)).size, 0);
      const bound = Math.floor(total / 2);
      const bounded = new PersistentCache(ws.dir, 'e', bound);
      // The last file was used most recently: it survives the pruning.
      const last = all[all.length - 1];
      const lastKey = bounded.key(last.file, last.text, 'o');
      const old = new Date(Date.now() - 60_000);
      for (const f of files(ws.dir)) fs.utimesSync(path.join(ws.dir, f), old, old);
      bounded.put(lastKey, last.model);
      bounded.prune();
      const after = files(ws.dir).reduce((sum, f) => sum + fs.statSync(path.join(ws.dir, f)).size, 0);
      assert.ok(after <= bound, `${after} bytes > ${bound}`);
      assert.deepEqual(bounded.get(lastKey, last.file), last.model);
    } finally {
      ws.dispose();
    }
  });
});
