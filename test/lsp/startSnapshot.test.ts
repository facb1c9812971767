// The plans' results kept for the next start: used only for the same key and plans, while everything they
// were computed from is unchanged on disk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { PersistentCache } from '../../server/src/engine/workspace/persistentCache';
import { RecordingFileHost, ResultCache } from '../../server/src/engine/workspace/resultCache';
import type { ClockWindow } from '../../server/src/engine/rules/usage/clockWindow';
import { loadStartSnapshot, storeStartSnapshot } from '../../server/src/lsp/startSnapshot';
import { tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const NOW = Date.UTC(2026, 11, 8);
const DAY = 86_400_000;
const NO_USAGE = { computedAt: NOW - 1000, validUntil: null };
const KEY = ResultCache.key('engine-1', { settings: {}, folders: ['/ws'] });

/** Stores a snapshot of a plan over ws/manifests/*.yaml, recording what a start reads. */
function stored(ws: TempWorkspace, clock: ClockWindow = NO_USAGE): PersistentCache {
  const cache = new PersistentCache(ws.file('cache'), 'engine-1');
  const host = new RecordingFileHost();
  const plan = ws.file('ws/shop.plan.yaml');
  host.readFile(plan);
  for (const file of host.glob(ws.file('ws'), ['manifests/*.yaml'])) host.readFile(file);
  storeStartSnapshot(cache, {
    clock,
    key: KEY,
    manifest: host.manifest(),
    plans: [plan],
    covered: [ws.file('ws/manifests/a.yaml')],
    read: [ws.file('ws/manifests/a.yaml')],
    files: [
      [plan, '[]'],
      [ws.file('ws/manifests/a.yaml'), '[{"message":"m"}]'],
    ],
  });
  return cache;
}

const setUp = () =>
  tempWorkspace({ files: { 'ws/shop.plan.yaml': 'kind: ConsolidationPlan\n', 'ws/manifests/a.yaml': 'kind: Pod\n' } });

describe('start snapshot', () => {
  it('is used for the same key and plans while nothing it read changed', () => {
    const ws = setUp();
    try {
      const cache = stored(ws);
      const plans = [ws.file('ws/shop.plan.yaml')];
      const snapshot = loadStartSnapshot(cache, KEY, plans, NOW);
      assert.ok(snapshot);
      assert.equal(snapshot.files.get(ws.file('ws/manifests/a.yaml')), '[{"message":"m"}]');
      assert.ok(snapshot.sameText(ws.file('ws/manifests/a.yaml'), 'kind: Pod\n'));
      assert.ok(!snapshot.sameText(ws.file('ws/manifests/a.yaml'), 'kind: Pod\n# unsaved\n'));
      assert.ok(!snapshot.dependsOn(ws.file('ws/other.yaml')));
      assert.equal(
        loadStartSnapshot(cache, ResultCache.key('engine-2', { settings: {}, folders: ['/ws'] }), plans, NOW),
        undefined,
      );
      assert.equal(loadStartSnapshot(cache, KEY, [], NOW), undefined, 'other plans on disk');
    } finally {
      ws.dispose();
    }
  });

  const changes: [string, (ws: TempWorkspace) => void][] = [
    ['a source changed', (ws) => ws.write('ws/manifests/a.yaml', 'kind: Service\n')],
    ['the plan changed', (ws) => ws.write('ws/shop.plan.yaml', 'kind: ConsolidationPlan # x\n')],
    ['a source was added', (ws) => ws.write('ws/manifests/b.yaml', 'kind: Pod\n')],
    ['a source was deleted', (ws) => ws.remove('ws/manifests/a.yaml')],
  ];
  for (const [what, change] of changes) {
    it(`is not used after ${what}`, () => {
      const ws = setUp();
      try {
        const cache = stored(ws);
        change(ws);
        assert.equal(loadStartSnapshot(cache, KEY, [ws.file('ws/shop.plan.yaml')], NOW), undefined);
      } finally {
        ws.dispose();
      }
    });
  }

  it('is not used (and is removed) when damaged', () => {
    const ws = setUp();
    try {
      const cache = stored(ws);
      const entry = (fs.readdirSync(ws.file('cache'), { recursive: true }) as string[]).find((f) =>
        f.endsWith('start-snapshot.bin'),
      )!;
      const bytes = fs.readFileSync(ws.file(`cache/${entry}`));
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(ws.file(`cache/${entry}`), bytes);
      assert.equal(loadStartSnapshot(cache, KEY, [ws.file('ws/shop.plan.yaml')], NOW), undefined);
      assert.ok(!fs.existsSync(ws.file(`cache/${entry}`)));
    } finally {
      ws.dispose();
    }
  });

  it('holds only from when it was computed until a usage snapshot would turn stale', () => {
    const ws = setUp();
    try {
      const plans = [ws.file('ws/shop.plan.yaml')];
      const cache = stored(ws, { computedAt: NOW, validUntil: NOW + DAY });
      assert.ok(loadStartSnapshot(cache, KEY, plans, NOW));
      assert.ok(loadStartSnapshot(cache, KEY, plans, NOW + DAY - 1));
      assert.equal(loadStartSnapshot(cache, KEY, plans, NOW + DAY), undefined, 'stale from then on');
      assert.equal(loadStartSnapshot(cache, KEY, plans, NOW - 1), undefined, 'a clock set back');
    } finally {
      ws.dispose();
    }
  });
});
