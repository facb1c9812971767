/**
 * Container image references, by the grammar the container runtimes use (distribution/reference):
 * `[domain[:port]/]path[:tag][@digest]`, path components lowercase. A reference the kubelet cannot
 * pull is caught here, before a generated manifest carries it.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
const MAX_NAME_LENGTH = 255;

/** Why `image` is not a reference a runtime can pull, in words; undefined when it is one. */
export function imageReferenceProblem(image: string): string | undefined {
  if (image.trim() === '') return 'it is empty';
  if (/\s/.test(image)) return 'it contains whitespace';
  if (!REFERENCE.test(image)) {
    if (image.startsWith('/')) return 'it starts with "/" (no registry or repository before it)';
    if (image.endsWith(':')) return 'it ends with ":" (an empty tag)';
    if (image.endsWith('@')) return 'it ends with "@" (an empty digest)';
    if (image.includes('//')) return 'it has an empty path component ("//")';
    if (/[A-Z]/.test(repositoryPath(image))) return 'repository names must be lowercase';
    return 'it does not follow the [registry/]repository[:tag][@digest] grammar';
  }
  const name = image.split('@')[0].replace(/:[\w][\w.-]{0,127}$/, '');
  if (name.length > MAX_NAME_LENGTH) return `its name is longer than ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** The path after the registry (a first component with `.` or `:`, or `localhost`), without tag or digest. */
function repositoryPath(image: string): string {
  const components = image.split('@')[0].split('/');
  const hasDomain = components.length > 1 && (/[.:]/.test(components[0]) || components[0] === 'localhost');
  const path = (hasDomain ? components.slice(1) : components).join('/');
  const colon = path.lastIndexOf(':');
  return colon < 0 ? path : path.slice(0, colon);
}

/**
 * The repository's last path component, lowercase, without registry, tag or digest:
 * `docker.io/library/postgres:16` → `postgres`, `bitnami/redis@sha256:…` → `redis`.
 */
export function imageRepositoryName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const last = withoutDigest.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  return (colon < 0 ? last : last.slice(0, colon)).toLowerCase();
}
