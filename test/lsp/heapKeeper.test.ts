// The heap keeper runs one full collection after a pass once the heap has grown past its factor times what
// was alive after the last one, between messages (on the next turn), never twice for one growth, and at
// most once every intervalMs (a mocked clock here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullCollector, HeapKeeper } from '../../server/src/lsp/heapKeeper';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('HeapKeeper', () => {
  it('collects once the heap grew past 1.5 times what was alive, on the next turn', async () => {
    let used = 100;
    let collections = 0;
    let now = 0;
    const keeper = new HeapKeeper(
      () => {
        collections++;
        used = 110;
      },
      1.5,
      () => used,
      () => false,
      10_000,
      () => now,
    );
    now = 10_000;
    used = 149;
    keeper.passDone();
    await turn();
    assert.equal(collections, 0, 'below the factor');
    used = 150;
    keeper.passDone();
    keeper.passDone();
    assert.equal(collections, 0, 'not in the middle of the pass');
    await turn();
    assert.equal(collections, 1, 'once');
    used = 160;
    keeper.passDone();
    await turn();
    assert.equal(collections, 1, 'what is alive now is 110: 160 is below 165');
    used = 165;
    keeper.passDone();
    await turn();
    assert.equal(collections, 1, 'not within 10 s of the last collection');
    now = 20_000;
    keeper.passDone();
    await turn();
    assert.equal(collections, 2);
    keeper.dispose();
  });

  it('waits for the next pass when changes are waiting', async () => {
    let used = 200;
    let waiting = true;
    let collections = 0;
    const keeper = new HeapKeeper(
      () => void collections++,
      1.5,
      () => used,
      () => waiting,
      0,
    );
    used = 400;
    keeper.passDone();
    await turn();
    assert.equal(collections, 0, 'an edit is waiting');
    waiting = false;
    keeper.passDone();
    await turn();
    assert.equal(collections, 1);
    keeper.dispose();
  });

  it("gets V8's full collection in this process", () => {
    const gc = fullCollector();
    assert.equal(typeof gc, 'function');
    gc!();
  });
});
