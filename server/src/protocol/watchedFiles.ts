// The files the client always watches (synchronize.fileEvents), shared by the client, which creates
// the watchers, and the server, which registers watchers of its own for every other file a plan
// reads (server/src/lsp/watchedFiles.ts). Every glob is `**/` and a pattern on the file's name.

export const STATIC_WATCH_GLOBS: readonly string[] = [
  '**/*.{yaml,yml}',
  // docker-compose reads a folder's `.env`.
  '**/.env',
  // Helm templates and Kustomize files that are not *.yaml: inputs of rendered sources.
  '**/{*.tpl,Kustomization,*.env,*.properties}',
];
