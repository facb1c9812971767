// The server's stdio writer: the same bytes as vscode-jsonrpc's stream writer, in order, but the messages of
// one turn in one write.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { StreamMessageReader, StreamMessageWriter, type Message } from 'vscode-jsonrpc/node';
import { CoalescingMessageWriter, consoleToClient } from '../../server/src/lsp/coalescingWriter';

/** A stream that keeps every write it is given. */
function recorder(): { stream: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, writes };
}

const messages: Message[] = Array.from({ length: 300 }, (_, i) => ({
  jsonrpc: '2.0',
  method: 'textDocument/publishDiagnostics',
  params: { uri: `file:///ws/f${i}.yaml`, diagnostics: i % 3 ? [] : [{ message: `größe ${i} — “quoted” 🚀` }] },
})) as Message[];

describe('CoalescingMessageWriter', () => {
  it('writes the bytes of the library writer, the messages of one turn in one write', async () => {
    const ours = recorder();
    const writer = new CoalescingMessageWriter(ours.stream);
    await Promise.all(messages.map((m) => writer.write(m)));
    assert.equal(ours.writes.length, 1);

    const library = recorder();
    const reference = new StreamMessageWriter(library.stream);
    for (const m of messages) await reference.write(m);
    assert.ok(library.writes.length >= messages.length);
    assert.deepEqual(Buffer.concat(ours.writes), Buffer.concat(library.writes));
  });

  it('keeps the order across turns, and a reader reads every message back', async () => {
    const pipe = new PassThrough();
    const writer = new CoalescingMessageWriter(pipe);
    const reader = new StreamMessageReader(pipe);
    const read: Message[] = [];
    const all = new Promise<void>((resolve) =>
      reader.listen((m) => {
        read.push(m);
        if (read.length === messages.length) resolve();
      }),
    );
    for (let i = 0; i < messages.length; i += 7) {
      for (const m of messages.slice(i, i + 7)) void writer.write(m);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    assert.deepEqual(read, messages);
    reader.dispose();
  });

  it('rejects the writes of a turn when the stream fails, and reports the error', async () => {
    const failing = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('pipe closed'));
      },
    });
    const writer = new CoalescingMessageWriter(failing);
    const errors: string[] = [];
    writer.onError(([error]) => errors.push(error.message));
    const results = await Promise.allSettled(messages.slice(0, 3).map((m) => writer.write(m)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.ok(errors.includes('pipe closed'), errors.join(', '));
  });

  it('sends console output to the client log, not to stdout (where it would break the protocol)', () => {
    const saved = { ...console };
    const logs: string[] = [];
    const errors: string[] = [];
    try {
      consoleToClient({ log: (m) => logs.push(m), error: (m) => errors.push(m) });
      console.log('count %d', 3);
      console.info({ a: 1 });
      console.table([{ x: 1 }]);
      console.warn('careful');
      console.error('broken');
    } finally {
      Object.assign(console, saved);
    }
    assert.equal(logs[0], 'count 3');
    assert.equal(logs[1], '{ a: 1 }');
    assert.match(logs.slice(2).join('\n'), /│ x │/);
    assert.deepEqual(errors, ['careful', 'broken']);
  });
});
