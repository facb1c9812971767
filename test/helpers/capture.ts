import { Writable } from 'node:stream';

/** A writable stream that keeps what is written to it: a command's stdout or stderr in process. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}
