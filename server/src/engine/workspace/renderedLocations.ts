import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import type { SourceLocation } from '../model/location';
import type { Finding } from '../rules/types';
import type { FileHost } from './fileHost';
import { ORIGIN_ANNOTATION } from './originAnnotations';
import type { RenderedSource } from './renderedSources';

/**
 * Where a finding on a rendered object came from: the file the tool names (Kustomize's
 * `config.kubernetes.io/origin` annotation, Helm's `# Source:` comment), a Kustomize patch that set
 * the value, the file of the base that declares the object, else the plan's source entry.
 */

type Segment = string | number;

interface RenderedDoc {
  start: number;
  end: number;
  doc: Document;
  kind?: string;
  name?: string;
  /** The origin file the tool named, absolute. */
  origin?: string;
}

export class RenderedLocator {
  private readonly docs: RenderedDoc[];
  private readonly parsed = new Map<string, Document[]>();

  constructor(
    private readonly host: FileHost,
    private readonly source: RenderedSource,
    text: string,
    private readonly candidateFiles: string[],
  ) {
    // The origins the renderer took out of the output (Kustomize's annotations, asked for by us), by document.
    const origins = source.outcome.ok ? source.outcome.origins : undefined;
    this.docs = parseAllDocuments(text).flatMap((doc, index) => {
      if (!('contents' in doc) || !doc.contents) return [];
      const value = safeJs(doc) as
        { kind?: unknown; metadata?: { name?: unknown; annotations?: Record<string, unknown> } } | undefined;
      const range = doc.range ?? [0, 0, 0];
      const entry: RenderedDoc = {
        start: range[0],
        end: range[2],
        doc,
        kind: str(value?.kind),
        name: str(value?.metadata?.name),
      };
      const origin = str(value?.metadata?.annotations?.[ORIGIN_ANNOTATION]);
      const originPath = origin ? /^path:\s*(.+)$/m.exec(origin)?.[1]?.trim() : undefined;
      if (originPath) entry.origin = path.resolve(source.root, originPath);
      else if (origins?.[index]) entry.origin = origins[index];
      const helmSource =
        /# Source:\s*(\S.*)$/m.exec(
          text
            .slice(Math.max(0, range[0] - 400), range[1])
            .split(/^---/m)
            .pop() ?? '',
        )?.[1] ?? /Source:\s*(\S.*)/.exec(doc.commentBefore ?? '')?.[1];
      if (!entry.origin && helmSource && source.spec.tool === 'helm')
        entry.origin = this.helmTemplate(helmSource.trim());
      return [entry];
    });
  }

  map(finding: Finding): Finding {
    const location = this.locate(finding.location.range.start);
    if ('location' in location)
      return {
        ...finding,
        location: location.location,
        related: finding.related?.map((r) => ({ ...r, location: this.mapLocation(r.location) })),
      };
    return {
      ...finding,
      message: `${finding.message} (${location.object}, rendered by ${this.source.spec.tool} from this source)`,
      location: this.source.spec.location,
      related: undefined,
      data: undefined,
    };
  }

  /** A location in the rendered output, in the file it came from (else the plan's source entry). */
  mapLocation(location: SourceLocation): SourceLocation {
    if (location.file !== this.source.virtualPath) return location;
    const found = this.locate(location.range.start);
    return 'location' in found ? found.location : this.source.spec.location;
  }

  private locate(offset: number): { location: SourceLocation } | { object: string } {
    const entry = this.docs.find((d) => offset >= d.start && offset <= d.end) ?? this.docs.find((d) => offset < d.end);
    if (!entry) return { object: 'the rendered output' };
    const object = `${entry.kind ?? 'object'}/${entry.name ?? '?'}`;
    const segments = pathAt(entry.doc.contents, offset);
    const inPatch = this.inPatch(entry, segments);
    if (inPatch) return { location: inPatch };
    if (this.source.spec.tool === 'helm') {
      if (!entry.origin) return { object };
      return { location: templateLocation(entry.origin, this.host.readFile(entry.origin) ?? '', segments) };
    }
    const files = entry.origin
      ? [entry.origin]
      : this.candidateFiles.filter((f) => !this.source.patchFiles.includes(f) && /\.ya?ml$/i.test(f));
    for (const file of files) {
      for (const doc of this.documents(file)) {
        if (!sameObject(doc, entry)) continue;
        const node = nodeAt(doc.contents, segments) ?? deepestNode(doc.contents, segments);
        const range = (node as { range?: [number, number, number] })?.range;
        if (range) return { location: { file, range: { start: range[0], end: range[1] } } };
      }
    }
    return { object };
  }

  /** The last Kustomize patch that sets the path on this object. */
  private inPatch(entry: RenderedDoc, segments: Segment[]): SourceLocation | undefined {
    // A patch names its target by kind and name: those it identifies, it does not set.
    if (
      segments.length < 2 ||
      segments[0] === 'kind' ||
      segments[0] === 'apiVersion' ||
      (segments[0] === 'metadata' && (segments[1] === 'name' || segments[1] === 'namespace'))
    )
      return undefined;
    for (const file of [...this.source.patchFiles].reverse()) {
      for (const doc of this.documents(file)) {
        const contents = doc.contents;
        if (isSeq(contents)) {
          // JSON 6902: a list of operations; its target is in the kustomization, so match by path only.
          for (const op of contents.items) {
            const value = safeJs(op) as { path?: unknown } | undefined;
            if (!isMap(op) || typeof value?.path !== 'string') continue;
            const opPath = value.path
              .split('/')
              .slice(1)
              .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
            if (opPath.length > 0 && opPath.every((s, i) => String(segments[i]) === s)) {
              const range = (op.get('value', true) as { range?: [number, number, number] })?.range ?? op.range;
              if (range) return { file, range: { start: range[0], end: range[1] } };
            }
          }
        } else if (sameObject(doc, entry)) {
          const node = segments.length > 1 ? nodeAt(contents, segments) : undefined;
          const range = (node as { range?: [number, number, number] })?.range;
          if (range) return { file, range: { start: range[0], end: range[1] } };
        }
      }
    }
    return undefined;
  }

  private documents(file: string): Document[] {
    let docs = this.parsed.get(file);
    if (!docs) {
      docs = parseAllDocuments(this.host.readFile(file) ?? '').filter((d) => 'contents' in d) as unknown as Document[];
      this.parsed.set(file, docs);
    }
    return docs;
  }

  /** `chart/charts/sub/templates/x.yaml` → the file under the chart folder (folder names matched without case). */
  private helmTemplate(source: string): string | undefined {
    const segments = source.split('/').slice(1);
    let current = this.source.root;
    for (const [i, segment] of segments.entries()) {
      const exact = path.join(current, segment);
      if (
        i === segments.length - 1 ? this.host.readFile(exact) !== undefined : this.host.glob(exact, ['*']).length > 0
      ) {
        current = exact;
        continue;
      }
      const sibling = this.host
        .glob(current, ['*', '*/'])
        .map((f) => path.relative(current, f).split(path.sep)[0])
        .find((f) => f.toLowerCase() === segment.toLowerCase());
      if (!sibling) return undefined;
      current = path.join(current, sibling);
    }
    return current;
  }
}

/** The line of the field in a Helm template (not YAML until rendered): the last key of the path. */
function templateLocation(file: string, text: string, segments: Segment[]): SourceLocation {
  const keys = segments.filter((s): s is string => typeof s === 'string');
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`^[ \\t]*(?:- )?(${key})[ \\t]*:`, 'm').exec(text);
    if (match) {
      const start = match.index + match[0].indexOf(match[1]);
      return { file, range: { start, end: start + match[1].length } };
    }
  }
  const firstLine = text.indexOf('\n');
  return { file, range: { start: 0, end: firstLine === -1 ? text.length : firstLine } };
}

function sameObject(doc: Document, entry: RenderedDoc): boolean {
  const value = safeJs(doc) as { kind?: unknown; metadata?: { name?: unknown } } | undefined;
  const name = str(value?.metadata?.name);
  // namePrefix/nameSuffix change the name; the base's name is inside the rendered one.
  return str(value?.kind) === entry.kind && !!name && !!entry.name && entry.name.includes(name);
}

/** The keys and indexes from the document's root to the deepest node containing the offset. */
function pathAt(node: unknown, offset: number): Segment[] {
  const out: Segment[] = [];
  let current = node;
  for (let depth = 0; depth < 100; depth++) {
    if (isMap(current)) {
      const pair = current.items.find((p) => {
        const key = (p.key as { range?: number[] })?.range;
        const value = (p.value as { range?: number[] })?.range;
        return (
          (key && offset >= key[0] && offset <= (value?.[1] ?? key[1])) ||
          (value && offset >= value[0] && offset <= value[1])
        );
      });
      if (!pair || !isScalar(pair.key)) break;
      out.push(String(pair.key.value));
      current = pair.value;
    } else if (isSeq(current)) {
      const index = current.items.findIndex((item) => {
        const range = (item as { range?: number[] })?.range;
        return range && offset >= range[0] && offset <= range[1];
      });
      if (index < 0) break;
      out.push(index);
      current = current.items[index];
    } else break;
  }
  return out;
}

function nodeAt(node: unknown, segments: Segment[]): unknown {
  let current = node;
  for (const segment of segments) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return undefined;
      // A key whose value is a collection: point at the key, where the eye goes.
      current = pair.value ?? pair.key;
    } else if (isSeq(current) && typeof segment === 'number') {
      current = current.items[segment];
    } else return undefined;
  }
  return current;
}

function deepestNode(node: unknown, segments: Segment[]): unknown {
  for (let n = segments.length - 1; n >= 0; n--) {
    const found = nodeAt(node, segments.slice(0, n));
    if (found) return found;
  }
  return node;
}

function safeJs(node: unknown): unknown {
  try {
    return (node as { toJS(opts: unknown): unknown }).toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
