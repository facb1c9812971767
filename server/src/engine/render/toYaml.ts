import { Document } from 'yaml';
import type { RenderedObject } from './renderPlan';

const OPTIONS = { indent: 2, lineWidth: 0, minContentWidth: 0 } as const;

/** Multi-document YAML in the manifests' own style (2-space, keys in their order), each object with its origin. */
export function toYaml(objects: RenderedObject[]): string {
  return objects
    .map((rendered) => {
      // YAML 1.1 scalars: Kubernetes' parser reads `yes`/`on`/`no` as booleans, so such strings are quoted.
      const doc = new Document(rendered.object, { aliasDuplicateObjects: false, version: '1.1' });
      if (doc.contents) doc.contents.commentBefore = ` ${rendered.origin}`;
      return `---\n${doc.toString(OPTIONS)}`;
    })
    .join('');
}
