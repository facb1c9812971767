import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document } from 'yaml';
import type { PhaseRender, RenderedObject } from '../engine/render/renderPlan';
import { toYaml } from '../engine/render/toYaml';

/**
 * `render --format kustomize-overlay --base DIR`: per phase, a Kustomize overlay the user can commit.
 * Phase 1 builds on the user's base (or overlay), each later phase on the previous phase's folder, so
 * a phase's build is the cluster after that phase. New workloads are resources; objects the phase
 * changes (scale-downs with consolidation.dev/previous-replicas, resized workloads, re-pointed
 * Service selectors) are JSON 6902 patches that set their metadata labels, annotations and whole
 * spec, so the build holds exactly what `render --format yaml` gives (a strategic merge would keep
 * selector keys the phase removed).
 */
export function writeKustomizeOverlays(outDir: string, phases: PhaseRender[], allPhases: PhaseRender[], base: string, folderOf: (phase: PhaseRender, index: number) => string): string[] {
  const written: string[] = [];
  for (const phase of phases) {
    const index = allPhases.indexOf(phase);
    const dir = path.join(outDir, folderOf(phase, index));
    fs.mkdirSync(dir, { recursive: true });
    const below = index === 0 ? base : path.join(outDir, folderOf(allPhases[index - 1], index - 1));
    const resources = [path.relative(dir, below).split(path.sep).join('/') || '.'];
    const created = phase.objects.filter((o) => o.role === 'created');
    if (created.length > 0) {
      fs.writeFileSync(path.join(dir, 'new-workloads.yaml'), toYaml(created));
      resources.push('new-workloads.yaml');
    }
    const patches: string[] = [];
    for (const rendered of phase.objects.filter((o) => o.role !== 'created')) {
      const name = String(rendered.object.metadata.name);
      const file = `patch-${rendered.object.kind.toLowerCase()}-${safe(name)}.yaml`;
      fs.writeFileSync(path.join(dir, file), patchOf(rendered));
      patches.push(
        [
          `  - path: ${file}`,
          '    target:',
          `      kind: ${rendered.object.kind}`,
          `      name: ${name}`,
          ...(rendered.object.metadata.namespace ? [`      namespace: ${String(rendered.object.metadata.namespace)}`] : []),
        ].join('\n'),
      );
    }
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `# Phase ${phase.phase.name}: written by consolidate render --format kustomize-overlay`, 'resources:', ...resources.map((r) => `  - ${r}`)];
    if (patches.length > 0) lines.push('patches:', ...patches);
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), lines.join('\n') + '\n');
    written.push(dir);
  }
  return written;
}

function patchOf(rendered: RenderedObject): string {
  const object = rendered.object as unknown as { metadata: { labels?: unknown; annotations?: unknown }; spec?: unknown };
  const ops: unknown[] = [];
  // `add` replaces a member that exists and creates one that does not.
  if (object.metadata.labels) ops.push({ op: 'add', path: '/metadata/labels', value: object.metadata.labels });
  if (object.metadata.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: object.metadata.annotations });
  if (object.spec !== undefined) ops.push({ op: 'add', path: '/spec', value: object.spec });
  const doc = new Document(ops, { aliasDuplicateObjects: false, version: '1.1' });
  doc.commentBefore = ` ${rendered.origin}`;
  return doc.toString({ indent: 2, lineWidth: 0, minContentWidth: 0 });
}

function safe(name: string): string {
  return name.replace(/[^a-z0-9.-]/gi, '-');
}
