import { createHash } from 'node:crypto';

/** Room under every file system's 255-byte limit for a folder prefix (`01-`), a `-2` and an extension. */
const MAX_NAME = 100;
/** Device names Windows will not create as files, with or without an extension. */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * The one way a name from a plan (a phase, a merge, a plan) becomes a file or folder name. The result
 * has only lowercase letters, digits, `-`, `_` and `.`, so it cannot hold a path separator; it never
 * starts or ends with `.` or `-`, so it is never `.`, `..` or hidden; it is never empty, never a
 * Windows device name, and at most 100 bytes. A name that already is such a name is kept as it is;
 * any other keeps a readable part and gets 8 hex digits of its hash, so two different names never
 * share a file, also on case-insensitive file systems (`Shop` and `shop` differ).
 */
export function toFileName(name: string): string {
  // Accents dropped (café → cafe), then anything outside the safe set becomes one dash.
  const readable = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (
    readable === name &&
    readable.length > 0 &&
    readable.length <= MAX_NAME &&
    !WINDOWS_DEVICES.test(readable.split('.')[0])
  )
    return readable;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  // Without dots, so that `nul.yaml` cannot become `nul.yaml-1a2b3c4d` (still the device NUL on Windows).
  const kept = readable
    .replace(/\./g, '-')
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return kept ? `${kept}-${hash}` : hash;
}

/**
 * The entries of one folder being written: each name is made safe by toFileName and, when another
 * entry (or a reserved name such as `kustomization.yaml`) already has it, numbered `-2`, `-3`...
 * Names compare case-insensitively, as on macOS and Windows.
 */
export class FolderEntries {
  private readonly taken = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.taken.add(name.toLowerCase());
  }

  take(name: string, extension = ''): string {
    const base = toFileName(name);
    let candidate = `${base}${extension}`;
    for (let n = 2; this.taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}${extension}`;
    this.taken.add(candidate.toLowerCase());
    return candidate;
  }
}
