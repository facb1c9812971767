// Exact resource quantities: Kubernetes and docker/compose grammars, and their renderings.
export * from './kubernetes';
export * from './docker';
export * from './format';
