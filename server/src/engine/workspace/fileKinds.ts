const PLAN_FILE = /\.plan\.ya?ml$/i;
/** A top-level `services:` key: a docker-compose file (Kubernetes objects never have one). */
const COMPOSE_FILE = /^services\s*:/m;

export function isPlanFile(file: string): boolean {
  return PLAN_FILE.test(file);
}

/** Whether a file's text is a docker-compose file, whose reading depends on its folder's `.env`. */
export function isComposeText(text: string): boolean {
  return COMPOSE_FILE.test(text);
}
