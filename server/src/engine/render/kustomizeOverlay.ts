import * as path from 'node:path';
import { Document } from 'yaml';
import type { PhaseRender, RenderedObject } from './renderPlan';
import { toYaml } from './toYaml';
import { FolderEntries, toFileName } from '../files/fileName';
import type { FileToWrite } from '../files/writeInside';

/**
 * `render --format kustomize-overlay --base DIR`: per phase, a Kustomize overlay the user can commit.
 * Phase 1 builds on the user's base (or overlay), each later phase on the previous phase's folder, so
 * a phase's build is the cluster after that phase. New workloads are resources; objects the phase
 * changes (scale-downs with consolidation.dev/previous-replicas, resized workloads, re-pointed
 * Service selectors) are JSON 6902 patches that set their metadata labels, annotations and whole
 * spec, so the build holds exactly what `render --format yaml` gives (a strategic merge would keep
 * selector keys the phase removed).
 */
export function kustomizeOverlayFiles(
  outDir: string,
  phases: PhaseRender[],
  allPhases: PhaseRender[],
  base: OverlayBase,
  folderOf: (phase: PhaseRender, index: number) => string = phaseFolder,
): FileToWrite[] {
  const files: FileToWrite[] = [];
  if ('rendered' in base) {
    files.push(...renderedBaseFiles(base.rendered));
    base = { dir: path.join(outDir, RENDERED_BASE_FOLDER) };
  }
  for (const phase of phases) {
    const index = allPhases.indexOf(phase);
    const folder = folderOf(phase, index);
    const dir = path.join(outDir, folder);
    const below = index === 0 ? base.dir : path.join(outDir, folderOf(allPhases[index - 1], index - 1));
    const resources = [path.relative(dir, below).split(path.sep).join('/') || '.'];
    // Names from the plan and the manifests become file names only through toFileName.
    const entries = new FolderEntries(['kustomization.yaml', 'new-workloads.yaml']);
    const created = phase.objects.filter((o) => o.role === 'created');
    if (created.length > 0) {
      files.push({ segments: [folder, 'new-workloads.yaml'], text: toYaml(created) });
      resources.push('new-workloads.yaml');
    }
    const patches: unknown[] = [];
    for (const rendered of phase.objects.filter((o) => o.role !== 'created')) {
      const name = String(rendered.object.metadata.name);
      const file = entries.take(`patch-${rendered.object.kind.toLowerCase()}-${name}`, '.yaml');
      files.push({ segments: [folder, file], text: patchOf(rendered) });
      const namespace = rendered.object.metadata.namespace;
      patches.push({
        path: file,
        target: { kind: rendered.object.kind, name, ...(namespace ? { namespace: String(namespace) } : {}) },
      });
    }
    // Written by the YAML library, so no name from the plan or a manifest can break the file.
    const kustomization = new Document(
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources,
        ...(patches.length > 0 ? { patches } : {}),
      },
      { aliasDuplicateObjects: false, version: '1.1' },
    );
    kustomization.commentBefore = ` Phase ${phase.phase.name.replace(/[\r\n\u2028\u2029]/g, ' ')}: written by consolidate render --format kustomize-overlay`;
    files.push({ segments: [folder, 'kustomization.yaml'], text: kustomization.toString({ indent: 2, lineWidth: 0 }) });
  }
  return files;
}

/**
 * What the phases build on: a folder (the user's Kustomize base or overlay), or the output of Helm
 * charts (`helm template`), written into the output as a base of its own (RENDERED_BASE_FOLDER).
 */
export type OverlayBase = { dir: string } | { rendered: { name: string; yaml: string }[] };

/** The folder of a rendered base inside the output. */
export const RENDERED_BASE_FOLDER = 'helm-base';

/** A phase's folder keeps its place in the plan: `01-<phase>`. */
export function phaseFolder(phase: PhaseRender, index: number, name = toFileName(phase.phase.name)): string {
  return `${String(index + 1).padStart(2, '0')}-${name}`;
}

/**
 * The chart output as a Kustomize base: each chart's `helm template` output, as the tool printed it
 * (its `# Source:` comments included), and a kustomization listing the files. Committed, it is
 * regenerated with the same `helm template` command (docs/plan-format.md).
 */
function renderedBaseFiles(rendered: { name: string; yaml: string }[]): FileToWrite[] {
  const entries = new FolderEntries(['kustomization.yaml']);
  const files = rendered.map(({ name, yaml }) => ({
    segments: [RENDERED_BASE_FOLDER, entries.take(name, '.yaml')],
    text: yaml,
  }));
  const kustomization = new Document(
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: files.map((f) => f.segments[1]),
    },
    { aliasDuplicateObjects: false, version: '1.1' },
  );
  kustomization.commentBefore =
    ' The rendered Helm chart(s) the phase overlays build on: written by consolidate render --format kustomize-overlay';
  return [
    ...files,
    {
      segments: [RENDERED_BASE_FOLDER, 'kustomization.yaml'],
      text: kustomization.toString({ indent: 2, lineWidth: 0 }),
    },
  ];
}

function patchOf(rendered: RenderedObject): string {
  const object = rendered.object as unknown as {
    metadata: { labels?: unknown; annotations?: unknown };
    spec?: unknown;
  };
  const ops: unknown[] = [];
  // `add` replaces a member that exists and creates one that does not.
  if (object.metadata.labels) ops.push({ op: 'add', path: '/metadata/labels', value: object.metadata.labels });
  if (object.metadata.annotations)
    ops.push({ op: 'add', path: '/metadata/annotations', value: object.metadata.annotations });
  if (object.spec !== undefined) ops.push({ op: 'add', path: '/spec', value: object.spec });
  const doc = new Document(ops, { aliasDuplicateObjects: false, version: '1.1' });
  doc.commentBefore = ` ${rendered.origin}`;
  return doc.toString({ indent: 2, lineWidth: 0, minContentWidth: 0 });
}
