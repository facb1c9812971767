import * as path from 'node:path';

/**
 * Kustomize writes `config.kubernetes.io/origin` (the file each object came from) only when the
 * kustomization asks for it (`buildMetadata: [originAnnotations]`). We ask for it through a
 * kustomization of our own around the user's (see tools/toolRenderer.ts), then take the annotations
 * out of the output again: the objects read, rendered and applied are exactly what the user's own
 * build gives, and the origins are kept beside them.
 */

export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

const DOCUMENT_SEPARATOR = /^---\s*$/;
const ORIGIN_LINE = /^(\s+)config\.kubernetes\.io\/origin:\s*[|>]?[-+]?\s*$/;
const ANNOTATIONS_LINE = /^(\s+)annotations:\s*$/;

/**
 * The output without the origin annotations, and the file each document came from (absolute,
 * resolved against `buildRoot`, the folder Kustomize built), by document index.
 */
export function takeOriginAnnotations(
  yaml: string,
  buildRoot: string,
): { yaml: string; origins: (string | undefined)[] } {
  const lines = yaml.split('\n');
  const out: string[] = [];
  const origins: (string | undefined)[] = [];
  let document = 0;
  let documentHasContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (DOCUMENT_SEPARATOR.test(line)) {
      if (documentHasContent) document++;
      documentHasContent = false;
      out.push(line);
      continue;
    }
    const origin = ORIGIN_LINE.exec(line);
    if (!origin) {
      if (line.trim() !== '' && !line.startsWith('#')) documentHasContent = true;
      out.push(line);
      continue;
    }
    // The block scalar: every following line indented deeper than the key.
    const indent = origin[1].length;
    let end = i + 1;
    while (
      end < lines.length &&
      (lines[end].trim() === ''
        ? end + 1 < lines.length && indentOf(lines[end + 1]) > indent
        : indentOf(lines[end]) > indent)
    )
      end++;
    const file = lines
      .slice(i + 1, end)
      .map((l) => /^\s*path:\s*(.+?)\s*$/.exec(l)?.[1])
      .find((p) => p !== undefined);
    if (file) origins[document] = path.resolve(buildRoot, unquote(file));
    // `annotations:` left with nothing under it goes too.
    const previous = out.length - 1;
    const parent = previous >= 0 ? ANNOTATIONS_LINE.exec(out[previous]) : null;
    if (
      parent &&
      parent[1].length < indent &&
      (end >= lines.length || indentOf(lines[end]) <= parent[1].length || lines[end].trim() === '')
    )
      out.pop();
    i = end - 1;
  }
  return { yaml: out.join('\n'), origins };
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function unquote(value: string): string {
  return /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
}
