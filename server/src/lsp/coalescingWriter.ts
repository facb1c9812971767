import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';

/**
 * Writes JSON-RPC messages to a stream the way vscode-jsonrpc's stream writer frames them
 * (`Content-Length: N\r\n\r\n` and the UTF-8 JSON), but every message sent in one turn of the event loop
 * goes out in one write. The library's writer takes a turn and two writes per message: a pass that
 * publishes the diagnostics of hundreds of files (a warm start) then costs hundreds of turns and a
 * thousand system calls. Order is kept: messages are written in the order they were given.
 */
export class CoalescingMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private chunks: Buffer[] = [];
  private settle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private scheduled = false;
  private errors = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    stream.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify(msg), 'utf8');
    } catch (error) {
      this.fireError(error, msg, ++this.errors);
      return Promise.reject(error);
    }
    this.chunks.push(Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => this.settle.push({ resolve, reject }));
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const settle = this.settle;
    this.chunks = [];
    this.settle = [];
    this.stream.write(data, (error) => {
      for (const s of settle) {
        if (error) s.reject(error);
        else s.resolve();
      }
      if (error) this.fireError(error, undefined, ++this.errors);
    });
  }
}

/**
 * Sends what the process writes to its console to the client's log instead of stdout, where it would break
 * the protocol (as vscode-languageserver does when it sets up `--stdio` itself): every console method writes
 * through a Console whose streams are the client's log (errors and warnings as errors).
 */
export function consoleToClient(log: { log(message: string): void; error(message: string): void }): void {
  const stream = (send: (message: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        send(String(chunk).replace(/\n$/, ''));
        done();
      },
    });
  const replacement = new Console({ stdout: stream((m) => log.log(m)), stderr: stream((m) => log.error(m)) });
  const target = console as unknown as Record<string, unknown>;
  for (const [method, value] of Object.entries(replacement)) if (typeof value === 'function') target[method] = value;
}
