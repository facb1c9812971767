// The whole-result cache on its own: what a recording host notes, when a stored result holds, its bounds.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { MAX_RESULTS, RecordingFileHost, ResultCache } from '../../../server/src/engine/workspace/resultCache';
import { looksLikeCheckResult } from '../../../server/src/cli/checkResult';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';

const RESULT = {
  findings: [
    {
      file: 'a.yaml',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } },
      severity: 'error',
      code: 'x/y',
      message: 'm',
    },
  ],
  rules: [{ code: 'x/y', description: 'd', defaultSeverity: 'error' }],
  clock: { computedAt: 0, validUntil: null },
};
const isResult = (value: unknown): value is typeof RESULT => looksLikeCheckResult(value);

/** Reads through a recording host what a check would: a folder's YAML files by glob, their sizes and texts, a missing .env. */
function record(ws: TempWorkspace, host = new RecordingFileHost()): RecordingFileHost {
  assert.equal(host.kind(ws.file('ws')), 'folder');
  for (const file of host.glob(ws.file('ws'), ['**/*.yaml'], { maxEntries: 1000 })) {
    host.fileSize(file);
    host.readFile(file);
  }
  assert.equal(host.readFile(ws.file('ws/.env')), undefined);
  return host;
}

function stored(ws: TempWorkspace): ResultCache {
  const cache = new ResultCache(ws.file('cache'));
  cache.put('k', record(ws).manifest(), RESULT);
  return cache;
}

describe('ResultCache', () => {
  const setup = () =>
    tempWorkspace({ files: { 'ws/a.yaml': 'a: 1\n', 'ws/sub/b.yaml': 'b: 2\n', 'ws/notes.txt': 'n' } });

  it('gives the stored result while nothing recorded changed, for the same key only', () => {
    const ws = setup();
    try {
      const cache = stored(ws);
      assert.deepEqual(cache.get('k', isResult), RESULT);
      assert.equal(cache.get('other', isResult), undefined);
    } finally {
      ws.dispose();
    }
  });

  const changes: [string, (ws: TempWorkspace) => void][] = [
    ['same size, other bytes', (ws) => ws.write('ws/a.yaml', 'a: 2\n')],
    ['a file that was missing appears', (ws) => ws.write('ws/.env', 'A=1\n')],
    ['a new file in a listed folder, even one the glob does not match', (ws) => ws.write('ws/sub/c.txt', '')],
    ['a deleted file', (ws) => fs.rmSync(ws.file('ws/sub/b.yaml'))],
    ['a file replaced by a folder', (ws) => (fs.rmSync(ws.file('ws/a.yaml')), fs.mkdirSync(ws.file('ws/a.yaml')))],
    [
      'the searched folder replaced by a file',
      (ws) => (fs.rmSync(ws.file('ws'), { recursive: true }), ws.write('ws', 'x')),
    ],
  ];
  for (const [what, change] of changes) {
    it(`does not hold after ${what}`, () => {
      const ws = setup();
      try {
        const cache = stored(ws);
        change(ws);
        assert.equal(cache.get('k', isResult), undefined);
      } finally {
        ws.dispose();
      }
    });
  }

  it('a file that reads differently twice in one run makes the run unstable (not to be stored)', () => {
    const ws = setup();
    try {
      const host = record(ws);
      assert.equal(host.stable, true);
      ws.write('ws/a.yaml', 'a: 3\n');
      host.readFile(ws.file('ws/a.yaml'));
      assert.equal(host.stable, false);
    } finally {
      ws.dispose();
    }
  });

  it('ignores damaged entries and keeps at most MAX_RESULTS entries', () => {
    const ws = setup();
    try {
      const cache = stored(ws);
      const entry = fs.readdirSync(ws.file('cache/results-v2')).map((f) => ws.file(`cache/results-v2/${f}`))[0];
      const valid = fs.readFileSync(entry);
      for (const bytes of [
        valid.subarray(0, 40),
        Buffer.concat([valid.subarray(0, -1), Buffer.from([valid[valid.length - 1] ^ 1])]),
        Buffer.from('CPRC'),
      ]) {
        fs.writeFileSync(entry, bytes);
        assert.equal(cache.get('k', isResult), undefined);
        assert.equal(fs.existsSync(entry), false, 'removed');
        fs.writeFileSync(entry, valid);
        assert.deepEqual(cache.get('k', isResult), RESULT);
      }
      const manifest = record(ws).manifest();
      for (let i = 0; i < MAX_RESULTS + 5; i++) cache.put(`key-${i}`, manifest, RESULT);
      assert.equal(fs.readdirSync(ws.file('cache/results-v2')).length, MAX_RESULTS);
    } finally {
      ws.dispose();
    }
  });

  it('an entry whose result has not the shape asked for is ignored and removed', () => {
    const ws = setup();
    try {
      const cache = new ResultCache(ws.file('cache'));
      cache.put('k', record(ws).manifest(), { findings: RESULT.findings });
      assert.equal(cache.get('k', isResult), undefined);
      assert.deepEqual(fs.readdirSync(ws.file('cache/results-v2')), [], 'removed');
    } finally {
      ws.dispose();
    }
  });

  describe('stamps (a file whose identity and change times are unchanged is not read again)', () => {
    // Every file written by a test changed just now: a host that trusts every stamp stands for files last
    // changed long ago.
    const trustingEveryStamp = () => new RecordingFileHost(-60_000);

    it('a file changed within the last seconds gets no stamp: its bytes are checked', () => {
      const ws = setup();
      try {
        const manifest = record(ws).manifest();
        assert.equal(manifest.reads.length, 3);
        assert.deepEqual(manifest.stamps, []);
      } finally {
        ws.dispose();
      }
    });

    it('other bytes of the same size with the old mtime put back do not hold: the ctime says it changed', () => {
      const ws = setup();
      try {
        // A whole second, which utimes can put back exactly.
        const past = new Date('2001-01-01T00:00:00Z');
        fs.utimesSync(ws.file('ws/a.yaml'), past, past);
        const cache = new ResultCache(ws.file('cache'));
        const manifest = record(ws, trustingEveryStamp()).manifest();
        assert.equal(manifest.stamps.length, 2, 'both YAML files read have a stamp');
        cache.put('k', manifest, RESULT);
        assert.deepEqual(cache.get('k', isResult), RESULT, 'unchanged');
        const before = fs.statSync(ws.file('ws/a.yaml'), { bigint: true });
        ws.write('ws/a.yaml', 'a: 9\n');
        fs.utimesSync(ws.file('ws/a.yaml'), past, past);
        const after = fs.statSync(ws.file('ws/a.yaml'), { bigint: true });
        assert.deepEqual([after.ino, after.size, after.mtimeNs], [before.ino, before.size, before.mtimeNs]);
        assert.equal(cache.get('k', isResult), undefined);
      } finally {
        ws.dispose();
      }
    });

    it('a touched file (a new stamp, the same bytes) still holds, by its bytes', () => {
      const ws = setup();
      try {
        const cache = new ResultCache(ws.file('cache'));
        cache.put('k', record(ws, trustingEveryStamp()).manifest(), RESULT);
        const later = new Date(Date.now() + 5_000);
        fs.utimesSync(ws.file('ws/a.yaml'), later, later);
        assert.deepEqual(cache.get('k', isResult), RESULT);
      } finally {
        ws.dispose();
      }
    });
  });
});
