const REASONS: Record<string, string> = {
  ENOENT: 'a folder on its path does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'something else is already there',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'its name is too long for the file system',
  ELOOP: 'its path has too many symbolic links (a loop?)',
  EMFILE: 'too many files are open',
  EBUSY: 'it is busy',
  EIO: 'the device reported an I/O error',
};

/** A file system error in words (`permission denied (EACCES)`), without the path and stack Node adds. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && REASONS[code]) return `${REASONS[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message.split(',')[0]} (${code})` : message;
}

/** Whether the error comes from the operating system (it has an errno code such as ENOENT). */
export function isFsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}
