// The scheduler that turns changes into diagnostics passes: a queued burst of edits is analysed once,
// at its newest version; a pass that awaits work learns that it went stale. Messages are delivered the way
// vscode-jsonrpc delivers them: one queued message per turn of the event loop (setImmediate).
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticsScheduler } from '../../server/src/lsp/diagnosticsScheduler';

/** Calls `handle(i)` for i = 1..count, one per event-loop turn, as a JSON-RPC connection drains its queue. */
function deliver(count: number, handle: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const next = () => {
      handle(++i);
      if (i < count) setImmediate(next);
      else resolve();
    };
    setImmediate(next);
  });
}

function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setImmediate(poll);
    };
    poll();
  });
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((r) => setImmediate(r));
}

describe('DiagnosticsScheduler', () => {
  it('analyses a queued burst of 300 edits once, at the newest version', async () => {
    let version = 0;
    const analysed: number[] = [];
    const scheduler = new DiagnosticsScheduler(
      () => void analysed.push(version),
      (e) => assert.fail(String(e)),
      60_000,
    );
    await deliver(300, (i) => {
      version = i;
      scheduler.schedule();
    });
    await until(() => analysed.length > 0, 'a pass');
    await turns(20);
    assert.deepEqual(analysed, [300]);
    scheduler.dispose();
  });

  it('still runs a pass while changes keep coming, at least every maxDeferMs', async () => {
    let passes = 0;
    const scheduler = new DiagnosticsScheduler(
      () => void passes++,
      (e) => assert.fail(String(e)),
      5,
    );
    let stop = false;
    const feed = () => {
      scheduler.schedule();
      if (!stop) setImmediate(feed);
    };
    feed();
    await until(() => passes >= 2, 'two passes during a steady stream of changes');
    stop = true;
    scheduler.dispose();
  });

  it('tells a pass that awaits work that it went stale, and runs the next one for the newest change', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const results: string[] = [];
    let version = 0;
    const scheduler = new DiagnosticsScheduler(
      async (stale) => {
        const at = version;
        if (at === 1) await gate;
        results.push(stale() ? `dropped ${at}` : `published ${version}`);
      },
      (e) => assert.fail(String(e)),
      60_000,
    );
    version = 1;
    scheduler.schedule();
    await until(
      () => results.length === 0 && (scheduler as unknown as { running: boolean }).running,
      'the first pass to start',
    );
    version = 2;
    scheduler.schedule();
    release();
    await until(() => results.length === 2, 'two passes');
    assert.deepEqual(results, ['dropped 1', 'published 2']);
    scheduler.dispose();
  });

  // Changes on disk (a git checkout) arrive as notifications spread over time; the clock is mocked here.
  it('holds passes until a burst of changes on disk has settled, then analyses it once', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      let changes = 0;
      const passes: number[] = [];
      const scheduler = new DiagnosticsScheduler(
        () => void passes.push(changes),
        (e) => assert.fail(String(e)),
        250,
        3000,
      );
      const notification = async (count: number) => {
        changes += count;
        scheduler.schedule(300);
        await turns(10);
      };
      await notification(120);
      mock.timers.tick(280);
      await notification(130);
      mock.timers.tick(280);
      await notification(125);
      await turns(10);
      assert.deepEqual(passes, [], 'no pass while notifications keep coming within the settle time');
      mock.timers.tick(299);
      await turns(10);
      assert.deepEqual(passes, []);
      mock.timers.tick(1);
      await until(() => passes.length > 0, 'the pass after the burst');
      await turns(10);
      assert.deepEqual(passes, [375], 'one pass, with every change');

      // An edit in the editor is not held.
      changes++;
      scheduler.schedule();
      await until(() => passes.length === 2, 'the pass of an edit');
      scheduler.dispose();
    } finally {
      mock.timers.reset();
    }
  });

  it('does not hold passes for longer than maxSettleMs while changes on disk keep coming', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const passesAt: number[] = [];
      const scheduler = new DiagnosticsScheduler(
        () => void passesAt.push(Date.now()),
        (e) => assert.fail(String(e)),
        250,
        3000,
      );
      for (let t = 0; t <= 5000 && passesAt.length === 0; t += 200) {
        scheduler.schedule(300);
        await turns(5);
        mock.timers.tick(200);
        await turns(5);
      }
      assert.equal(passesAt.length, 1, 'a pass during the stream');
      assert.ok(passesAt[0] >= 3000 && passesAt[0] <= 3200, `the pass at ${passesAt[0]} ms of mocked time`);
      scheduler.dispose();
    } finally {
      mock.timers.reset();
    }
  });
});
