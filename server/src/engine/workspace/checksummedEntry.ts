import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deserialize } from 'node:v8';

/**
 * The on-disk form of a cache entry (the model cache's and the whole-result cache's): a tag naming the
 * format, the SHA-256 of the payload, and the payload (v8 serialization). A reader checks the tag and the
 * sum before it deserializes anything, so a truncated, garbled or foreign file reads as no entry.
 */

/**
 * Writes `payload` under `tag` atomically: into a temporary file beside `entry`, renamed into place, so a
 * reader sees the old entry or the new one, never half of one. Returns the bytes written; throws (after
 * removing the temporary file) when the folder cannot be written.
 */
export function writeEntry(entry: string, tag: Buffer, payload: Buffer): number {
  const temporary = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const bytes = Buffer.concat([tag, createHash('sha256').update(payload).digest(), payload]);
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(temporary, bytes, { mode: 0o600 });
    fs.renameSync(temporary, entry);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return bytes.length;
}

/** The value in an entry's bytes when its tag and checksum hold and it deserializes, else undefined. */
export function readEntry(bytes: Buffer, tag: Buffer): unknown {
  if (bytes.length < tag.length + 32 || !bytes.subarray(0, tag.length).equals(tag)) return undefined;
  const payload = bytes.subarray(tag.length + 32);
  if (
    !createHash('sha256')
      .update(payload)
      .digest()
      .equals(bytes.subarray(tag.length, tag.length + 32))
  )
    return undefined;
  try {
    return deserialize(payload);
  } catch {
    return undefined;
  }
}
