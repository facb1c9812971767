/** A command line we cannot run: the message, then the usage text, and exit status 2. */
export class UsageError extends Error {}
