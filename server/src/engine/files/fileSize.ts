/** Files over this many KiB are not parsed unless a setting says otherwise (CLI, server and extension alike). */
export const DEFAULT_MAX_FILE_SIZE_KB = 2048;

/**
 * What one plan's `sources` may read, in files and MiB: room for the largest plans we have seen
 * (2,000 Deployments in 503 files, 5.4 MB) many times over. One definition for the engine, the
 * server's settings and the extension's (package.json says the same; a test checks it).
 */
export const DEFAULT_SOURCE_MAX_FILES = 5000;
export const DEFAULT_SOURCE_MAX_MB = 32;

/** How long a Kustomize or Helm render may take, in seconds, unless a setting or flag says otherwise. */
export const DEFAULT_TOOL_TIMEOUT_SECONDS = 60;
