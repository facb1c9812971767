/**
 * Folders that are never walked, whatever a glob says: dependencies, version control, virtual
 * environments and caches hold no manifest of the project, and can hold millions of files.
 */
export const NEVER_WALKED = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.jj',
  'bower_components',
  '.venv',
  '__pycache__',
  '.tox',
  '.terraform',
  '.cache',
];
