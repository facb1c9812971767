import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { toYaml } from '../engine/render/toYaml';
import type { PhaseRender } from '../engine/render/renderPlan';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { UsageError } from './discover';
import { TOOL_FLAGS, useTools } from './tools';
import { writeKustomizeOverlays } from './kustomizeOverlay';

/** `consolidate render PLAN [--phase NAME] [--out DIR] [--format yaml|kustomize]` */
export function render(args: string[], cwd: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { phase: { type: 'string' }, out: { type: 'string' }, format: { type: 'string', default: 'yaml' }, base: { type: 'string' }, ...TOOL_FLAGS },
  });
  const format = values.format as string;
  if (!['yaml', 'kustomize', 'kustomize-overlay'].includes(format)) throw new UsageError(`--format must be yaml, kustomize or kustomize-overlay, not "${format}"`);
  if (format === 'kustomize-overlay' && (!values.out || !values.base)) throw new UsageError('--format kustomize-overlay writes a folder per phase over your Kustomize base: give --base DIR and --out DIR');
  if (format === 'kustomize' && !values.out) throw new UsageError('--format kustomize writes a folder: give --out DIR');
  if (positionals.length !== 1) throw new UsageError('render takes exactly one plan file');
  const planPath = path.resolve(cwd, positionals[0]);
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  useTools(workspace, values, cwd, [planPath]);
  if (workspace.text(planPath) === undefined) throw new UsageError(`${positionals[0]}: cannot read the plan file`);
  const rendered = workspace.render(planPath)!;
  let phases = rendered.phases;
  if (values.phase !== undefined) {
    phases = phases.filter((p) => p.phase.name === values.phase);
    if (phases.length === 0) throw new UsageError(`no phase "${values.phase}" in the plan (phases: ${rendered.phases.map((p) => p.phase.name).join(', ') || 'none'})`);
  }
  const errors = workspace.planFindings(planPath).filter((f) => f.severity === 'error');
  if (errors.length > 0) err.write(`consolidate: warning: the plan has ${errors.length} error(s); run \`consolidate check\` before applying this output\n`);
  if (!values.out) {
    out.write(phases.map((p) => `# Phase ${p.phase.name}\n${toYaml(p.objects)}`).join(''));
    return 0;
  }
  const outDir = path.resolve(cwd, values.out);
  if (format === 'kustomize-overlay') {
    const written = writeKustomizeOverlays(outDir, phases, rendered.phases, path.resolve(cwd, values.base as string), phaseFolder);
    err.write(`consolidate: wrote ${written.length} Kustomize overlay(s) to ${path.relative(cwd, outDir) || '.'}\n`);
    return 0;
  }
  // Folders keep the phase's place in the plan; phases are applied one after another, so each
  // folder is its own kustomization (one across phases would hold the same object twice).
  for (const phase of phases) writePhase(outDir, phase, rendered.phases.indexOf(phase), format === 'kustomize');
  err.write(`consolidate: wrote ${phases.length} phase folder(s) to ${path.relative(cwd, outDir) || '.'}\n`);
  return 0;
}

function phaseFolder(phase: PhaseRender, index: number): string {
  return `${String(index + 1).padStart(2, '0')}-${phase.phase.name}`;
}

function writePhase(outDir: string, phase: PhaseRender, index: number, kustomize: boolean): void {
  const dir = path.join(outDir, phaseFolder(phase, index));
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const inMerges = new Set(phase.merges.flatMap((m) => m.objects.map((o) => o.object)));
  for (const merge of phase.merges) {
    const file = `${merge.merge.name}.yaml`;
    fs.writeFileSync(path.join(dir, file), toYaml(merge.objects));
    files.push(file);
  }
  const others = phase.objects.filter((o) => !inMerges.has(o.object));
  if (others.length > 0) {
    fs.writeFileSync(path.join(dir, 'changes.yaml'), toYaml(others));
    files.push('changes.yaml');
  }
  if (kustomize) fs.writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization(files));
}

function kustomization(resources: string[]): string {
  return ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...resources.map((r) => `  - ${r}`), ''].join('\n');
}
