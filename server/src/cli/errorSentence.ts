import { describeFsError, isFsError } from '../engine/files/fsErrors';
import { WriteError } from '../engine/files/writeInside';

/**
 * What a user sees for an error that is not a usage error: a sentence, never a stack. Write and file
 * system errors say which file and why; anything else is our bug, and says so (the stack only with
 * CONSOLIDATE_DEBUG=1).
 */
export function errorSentence(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (error instanceof WriteError) return error.message;
  if (isFsError(error)) {
    const { syscall, path: file } = error as { syscall?: string; path?: string };
    return `${file ? `cannot ${syscall ? `${syscall} ` : 'use '}${file}` : 'a file operation failed'}: ${describeFsError(error)}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = env.CONSOLIDATE_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return `internal error: ${message}. This is a bug in consolidate: please report it with the command that caused it (CONSOLIDATE_DEBUG=1 adds the details).${stack}`;
}
