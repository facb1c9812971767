/** Files over this many KiB are not parsed unless a setting says otherwise (CLI, server and extension alike). */
export const DEFAULT_MAX_FILE_SIZE_KB = 2048;
