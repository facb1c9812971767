// The object algebra of the test API server: JSON merge patch (RFC 7386), JSON patch (RFC 6902),
// strategic merge patch, the structured merge of server-side apply, and field sets as
// `metadata.managedFields` spells them (`f:name`, `k:{"name":"api"}`). A simplified copy of what
// the API server does (structured-merge-diff), faithful for the fields this project touches.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** The merge keys of the lists this server treats as maps (the `x-kubernetes-list-map-keys` of the types used). */
export function listKeyOf(field: string, items: Json[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'conditions':
      return 'type';
    case 'ports':
      // Container ports are keyed by containerPort, Service ports by port.
      return items.some((item) => isObject(item) && item.containerPort !== undefined) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

function keyedItems(field: string, list: Json[]): string | undefined {
  const key = listKeyOf(field, list);
  return key && list.every((item) => isObject(item) && item[key] !== undefined) ? key : undefined;
}

// ---- JSON merge patch ---------------------------------------------------------------------------

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- strategic merge patch ----------------------------------------------------------------------

export function strategicMergePatch(target: Json | undefined, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = keyedItems(field, patch);
    if (!key || !Array.isArray(target))
      return clone(patch).filter((item) => !(isObject(item) && item.$patch === 'delete'));
    const result = clone(target);
    for (const item of patch as JsonObject[]) {
      const index = result.findIndex((existing) => isObject(existing) && deepEqual(existing[key], item[key]));
      if (item.$patch === 'delete') {
        if (index >= 0) result.splice(index, 1);
      } else if (index >= 0) result[index] = strategicMergePatch(result[index], item, '');
      else result.push(strategicMergePatch(undefined, item, ''));
    }
    return result;
  }
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else result[key] = strategicMergePatch(result[key], value, key);
  }
  return result;
}

// ---- JSON patch ----------------------------------------------------------------------------------

export class PatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(root: Json, tokens: string[]): { parent: Json; last: string } {
  let current = root;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined as unknown as Json;
    if (current === undefined) throw new PatchError(`path ${'/' + tokens.join('/')} does not exist`);
  }
  return { parent: current, last: tokens[tokens.length - 1] };
}

function getPointer(root: Json, tokens: string[]): Json | undefined {
  let current: Json | undefined = root;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch is a list of operations');
  let doc = clone(target);
  const add = (tokens: string[], value: Json) => {
    if (tokens.length === 0) return (doc = clone(value));
    const { parent, last } = parentOf(doc, tokens);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length)
        throw new PatchError(`index ${last} is out of range`);
      parent.splice(index, 0, clone(value));
    } else if (isObject(parent)) parent[last] = clone(value);
    else throw new PatchError(`cannot add at /${tokens.join('/')}`);
    return doc;
  };
  const remove = (tokens: string[]) => {
    const { parent, last } = parentOf(doc, tokens);
    if (Array.isArray(parent)) {
      const index = Number(last);
      if (!(index >= 0 && index < parent.length)) throw new PatchError(`index ${last} is out of range`);
      return parent.splice(index, 1)[0];
    }
    if (!isObject(parent) || !(last in parent)) throw new PatchError(`path /${tokens.join('/')} does not exist`);
    const value = parent[last];
    delete parent[last];
    return value;
  };
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new PatchError('each operation needs op and path');
    const tokens = pointer(op.path);
    switch (op.op) {
      case 'add':
        add(tokens, op.value as Json);
        break;
      case 'remove':
        remove(tokens);
        break;
      case 'replace':
        if (getPointer(doc, tokens) === undefined) throw new PatchError(`path ${op.path} does not exist`);
        if (tokens.length) remove(tokens);
        add(tokens, op.value as Json);
        break;
      case 'test':
        if (!deepEqual(getPointer(doc, tokens), op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      case 'move': {
        const value = remove(pointer(String(op.from)));
        add(tokens, value as Json);
        break;
      }
      case 'copy': {
        const value = getPointer(doc, pointer(String(op.from)));
        if (value === undefined) throw new PatchError(`path ${op.from} does not exist`);
        add(tokens, value);
        break;
      }
      default:
        throw new PatchError(`unknown operation "${op.op}"`);
    }
  }
  return doc;
}

// ---- field sets ---------------------------------------------------------------------------------

/** A field path: `f:spec`, `k:{"name":"api"}`, and `.` for "this list item itself". */
export type FieldPath = string[];

const UNTRACKED = new Set(['["f:apiVersion"]', '["f:kind"]', '["f:status"]']);
const UNTRACKED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
]);

/** The leaf paths of an object a writer sent: what it manages. */
export function fieldPaths(value: Json | undefined, options: { status?: boolean } = {}): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: Json | undefined, path: FieldPath, field: string) => {
    if (node === undefined) return;
    if (isObject(node)) {
      const keys = Object.keys(node).filter((k) => node[k] !== undefined);
      if (keys.length === 0 && path.length) out.push(path);
      for (const key of keys) {
        const next = [...path, `f:${key}`];
        if (path.length === 0 && (key === 'apiVersion' || key === 'kind' || (key === 'status' && !options.status)))
          continue;
        if (path.length === 1 && path[0] === 'f:metadata' && UNTRACKED_METADATA.has(key)) continue;
        walk(node[key], next, key);
      }
      return;
    }
    if (Array.isArray(node)) {
      const key = keyedItems(field, node);
      if (!key) {
        out.push(path);
        return;
      }
      for (const item of node as JsonObject[]) {
        const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
        out.push([...itemPath, '.']);
        for (const [k, v] of Object.entries(item)) walk(v, [...itemPath, `f:${k}`], k);
      }
      return;
    }
    out.push(path);
  };
  walk(value, [], '');
  return out.filter((p) => !UNTRACKED.has(JSON.stringify(p)));
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** The value at a field path, or undefined. `.` yields the list item itself. */
export function valueAt(root: Json | undefined, path: FieldPath): Json | undefined {
  let current: Json | undefined = root;
  for (const element of path) {
    if (element === '.') return current;
    if (element.startsWith('f:')) {
      current = isObject(current) ? current[element.slice(2)] : undefined;
    } else if (element.startsWith('k:')) {
      const key = JSON.parse(element.slice(2)) as JsonObject;
      current = Array.isArray(current)
        ? current.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v)))
        : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Removes the field (or list item, for a path ending in `.`) at a path. */
export function removeAt(root: Json, path: FieldPath): void {
  const itemMarker = path[path.length - 1] === '.';
  const target = itemMarker ? path.slice(0, -1) : path;
  const parent = valueAt(root, target.slice(0, -1));
  const last = target[target.length - 1];
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(parent)) {
    const key = JSON.parse(last.slice(2)) as JsonObject;
    const index = parent.findIndex(
      (item) => isObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v)),
    );
    if (index >= 0) parent.splice(index, 1);
  }
}

/** How the API server prints a field path in a conflict: `.spec.template.spec.containers[name="api"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .filter((e) => e !== '.')
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      const key = JSON.parse(element.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** `metadata.managedFields[].fieldsV1`: the nested form of a set of paths. */
export function toFieldsV1(paths: Iterable<FieldPath>): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      if (!isObject(node[element])) node[element] = {};
      node = node[element] as JsonObject;
    }
  }
  return root;
}

// ---- server-side apply --------------------------------------------------------------------------

/** The structured merge of an applied configuration into the live object: maps and keyed lists merge, everything else is replaced. */
export function applyMerge(live: Json | undefined, applied: Json, field = ''): Json {
  if (isObject(applied)) {
    const result: JsonObject = isObject(live) ? clone(live) : {};
    for (const [key, value] of Object.entries(applied)) {
      if (value === undefined) continue;
      result[key] = applyMerge(result[key], value, key);
    }
    return result;
  }
  if (Array.isArray(applied)) {
    const key = keyedItems(field, applied);
    if (!key || !Array.isArray(live)) return clone(applied);
    const result = clone(live);
    for (const item of applied as JsonObject[]) {
      const index = result.findIndex((existing) => isObject(existing) && deepEqual(existing[key], item[key]));
      if (index >= 0) result[index] = applyMerge(result[index], item, '');
      else result.push(clone(item));
    }
    return result;
  }
  return clone(applied);
}

/** Paths whose value differs between two versions of an object (present in `after`), and paths gone from it. */
export function changedPaths(
  before: Json | undefined,
  after: Json,
  options: { status?: boolean } = {},
): { changed: FieldPath[]; removed: FieldPath[] } {
  const afterPaths = fieldPaths(after, options);
  const afterKeys = new Set(afterPaths.map(pathKey));
  const changed = afterPaths.filter((p) =>
    p[p.length - 1] === '.' ? valueAt(before, p) === undefined : !deepEqual(valueAt(before, p), valueAt(after, p)),
  );
  const removed = before === undefined ? [] : fieldPaths(before, options).filter((p) => !afterKeys.has(pathKey(p)));
  return { changed, removed };
}
