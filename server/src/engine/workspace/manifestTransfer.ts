import type { ManifestFile } from '../model/manifest';

/**
 * A manifest model as a worker thread posts it: every location of the file itself (`{ file, range }`,
 * dozens per workload) holds `file: undefined` instead of the path, which `unpackManifest` puts back.
 *
 * Why: a structured clone copies a string once per reference, so a model from a worker carried its
 * absolute path once per location: larger than the YAML it was read from (7.2 MB of clones for 5.4 MB
 * of YAML at 2,000 Deployments), every copy deserialized on the main thread and kept in its heap for as
 * long as the model lives. A model read on the main thread shares one string.
 *
 * `undefined` cannot come from YAML (its plain values are null, never undefined) and no model field
 * named `file` is ever undefined, so the mark is unambiguous.
 */
export type PackedManifest = ManifestFile & { readonly packed: true };

/** Marks the model's locations in its own file, in place; returns the same object. */
export function packManifest(manifest: ManifestFile): PackedManifest {
  const file = manifest.path;
  walkObjects(manifest, (object) => {
    if (object.file === file) object.file = undefined;
  });
  return manifest as PackedManifest;
}

/** Puts the path back where `packManifest` marked it (one shared string), in place; returns the same object. */
export function unpackManifest(manifest: PackedManifest): ManifestFile {
  const file = manifest.path;
  walkObjects(manifest, (object) => {
    if (object.file === undefined && 'file' in object) object.file = file;
  });
  return manifest;
}

/** Calls `visit` on every plain object and array element object below `root` (iteratively: models can nest deeply). */
function walkObjects(root: object, visit: (object: Record<string, unknown>) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') stack.push(item);
    } else {
      const object = value as Record<string, unknown>;
      visit(object);
      for (const key in object) {
        const child = object[key];
        if (child !== null && typeof child === 'object') stack.push(child);
      }
    }
  }
}
