import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FolderEntries, toFileName } from '../engine/files/fileName';
import { writeFilesInside, type FileToWrite } from '../engine/files/writeInside';
import { toYaml } from '../engine/render/toYaml';
import { unpullableImages } from '../engine/render/imageCheck';
import type { PhaseRender } from '../engine/render/renderPlan';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { UsageError } from './usageError';
import { SOURCE_OPTIONS, sourceOptions } from './sourceOptions';
import { TOOL_FLAGS } from './toolFlags';
import { useTools } from './tools';
import {
  kustomizeOverlayFiles,
  phaseFolder,
  RENDERED_BASE_FOLDER,
  type OverlayBase,
} from '../engine/render/kustomizeOverlay';
import { virtualSourcePath } from '../engine/workspace/renderedSources';

/** `consolidate render PLAN [--phase NAME] [--out DIR] [--format yaml|kustomize]` */
export async function render(
  args: string[],
  cwd: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      phase: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'yaml' },
      base: { type: 'string' },
      ...SOURCE_OPTIONS,
      ...TOOL_FLAGS,
    },
  });
  const format = values.format as string;
  if (!['yaml', 'kustomize', 'kustomize-overlay'].includes(format))
    throw new UsageError(`--format must be yaml, kustomize or kustomize-overlay, not "${format}"`);
  if (format === 'kustomize-overlay' && !values.out)
    throw new UsageError(
      '--format kustomize-overlay writes a folder per phase over your Kustomize base: give --base DIR and --out DIR',
    );
  if (format === 'kustomize' && !values.out) throw new UsageError('--format kustomize writes a folder: give --out DIR');
  if (positionals.length !== 1) throw new UsageError('render takes exactly one plan file');
  const planPath = path.resolve(cwd, positionals[0]);
  const sources = sourceOptions(values, cwd);
  const workspace = new ConsolidationWorkspace(nodeFileHost, { ...DEFAULT_OPTIONS, ...sources });
  await useTools(workspace, values, sources.sourceRoots ?? [cwd], [planPath]);
  if (workspace.text(planPath) === undefined) throw new UsageError(`${positionals[0]}: cannot read the plan file`);
  const rendered = workspace.render(planPath)!;
  let phases = rendered.phases;
  if (values.phase !== undefined) {
    phases = phases.filter((p) => p.phase.name === values.phase);
    if (phases.length === 0)
      throw new UsageError(
        `no phase "${values.phase}" in the plan (phases: ${rendered.phases.map((p) => p.phase.name).join(', ') || 'none'})`,
      );
  }
  // A manifest the kubelet would reject is not printed as if it were fine.
  const unpullable = unpullableImages(phases.flatMap((p) => p.objects));
  if (unpullable.length > 0) {
    err.write(
      `consolidate: render: refused: ${unpullable.length} container image(s) cannot be pulled:\n${unpullable.map((u) => `  ${u}\n`).join('')}Set the variables in the compose file's .env (or fix image:), then render again.\n`,
    );
    return 1;
  }
  const errors = workspace.findings.plan(planPath).filter((f) => f.severity === 'error');
  if (errors.length > 0)
    err.write(
      `consolidate: warning: the plan has ${errors.length} error(s); run \`consolidate check\` before applying this output\n`,
    );
  if (!values.out) {
    // A name with a line break would end the comment and inject YAML: such a name is printed quoted.
    out.write(
      phases
        .map(
          (p) =>
            `# Phase ${/[\r\n\u2028\u2029]/.test(p.phase.name) ? JSON.stringify(p.phase.name) : p.phase.name}\n${toYaml(p.objects)}`,
        )
        .join(''),
    );
    return 0;
  }
  const outDir = path.resolve(cwd, values.out);
  if (isFile(outDir)) throw new UsageError(`--out ${values.out} is a file: give a folder (it is created when missing)`);
  if (format === 'kustomize-overlay') {
    const base: OverlayBase =
      values.base !== undefined ? { dir: path.resolve(cwd, values.base as string) } : defaultBase(workspace, planPath);
    // All or nothing, inside --out, as the other formats.
    writeFilesInside(outDir, kustomizeOverlayFiles(outDir, phases, rendered.phases, base, phaseFolder));
    if ('rendered' in base)
      err.write(
        `consolidate: wrote the rendered chart(s) as the base, ${path.join(path.relative(cwd, outDir) || '.', RENDERED_BASE_FOLDER)}\n`,
      );
    err.write(`consolidate: wrote ${phases.length} Kustomize overlay(s) to ${path.relative(cwd, outDir) || '.'}\n`);
    return 0;
  }
  // Folders keep the phase's place in the plan; phases are applied one after another, so each
  // folder is its own kustomization (one across phases would hold the same object twice).
  const notes: string[] = [];
  const files = phases.flatMap((phase) =>
    phaseFiles(phase, rendered.phases.indexOf(phase), format === 'kustomize', notes),
  );
  // All or nothing: a refused place (a link leading outside --out) stops before any file is written.
  writeFilesInside(outDir, files);
  for (const note of notes) err.write(`consolidate: ${note}\n`);
  err.write(`consolidate: wrote ${phases.length} phase folder(s) to ${path.relative(cwd, outDir) || '.'}\n`);
  return 0;
}

/** The files of a phase's folder: names from the plan go through toFileName, so they stay in the folder. */
function phaseFiles(phase: PhaseRender, index: number, kustomize: boolean, notes: string[]): FileToWrite[] {
  const folder = phaseFolder(phase, index);
  if (folder !== phaseFolder(phase, index, phase.phase.name))
    notes.push(`phase ${JSON.stringify(phase.phase.name)} is not a safe file name: its folder is ${folder}`);
  const entries = new FolderEntries(['changes.yaml', 'kustomization.yaml']);
  const files: FileToWrite[] = [];
  const inMerges = new Set(phase.merges.flatMap((m) => m.objects.map((o) => o.object)));
  for (const merge of phase.merges) {
    const file = entries.take(merge.merge.name, '.yaml');
    if (file !== `${merge.merge.name}.yaml`)
      notes.push(
        `merge ${JSON.stringify(merge.merge.name)} of phase ${phase.phase.name} is written as ${folder}/${file} (${toFileName(merge.merge.name) === merge.merge.name ? 'another file of the folder has its name' : 'its name is not a safe file name'})`,
      );
    files.push({ segments: [folder, file], text: toYaml(merge.objects) });
  }
  const others = phase.objects.filter((o) => !inMerges.has(o.object));
  if (others.length > 0) files.push({ segments: [folder, 'changes.yaml'], text: toYaml(others) });
  if (kustomize)
    files.push({ segments: [folder, 'kustomization.yaml'], text: kustomization(files.map((f) => f.segments[1])) });
  return files;
}

/**
 * Without --base: a plan whose one source is `{kustomize: DIR}` builds on DIR; a plan whose sources
 * are all Helm charts builds on the charts' output, written into --out as a base (what `helm
 * template` printed for each).
 */
function defaultBase(workspace: ConsolidationWorkspace, planPath: string): OverlayBase {
  const plan = workspace.plan(planPath)!;
  const specs = plan.plan.renderedSources ?? [];
  if (plan.plan.sources.length === 0 && specs.length === 1 && specs[0].tool === 'kustomize')
    return { dir: path.resolve(path.dirname(planPath), specs[0].path) };
  if (plan.plan.sources.length > 0 || specs.length === 0 || specs.some((s) => s.tool !== 'helm')) {
    throw new UsageError(
      '--format kustomize-overlay writes a folder per phase over your Kustomize base: give --base DIR (without it, a plan whose one source is {kustomize: DIR} builds on DIR, and one whose sources are all Helm charts on their rendered output)',
    );
  }
  const rendered = specs.map((spec) => ({ spec, yaml: workspace.text(virtualSourcePath(planPath, spec.index)) }));
  const failed = rendered.find((r) => r.yaml === undefined);
  if (failed)
    throw new UsageError(
      `the Helm chart ${failed.spec.tool === 'helm' ? failed.spec.chart : ''} could not be rendered: run consolidate check for the reason`,
    );
  return {
    rendered: rendered.map((r) => ({
      name: path.basename(r.spec.tool === 'helm' ? r.spec.chart : 'chart'),
      yaml: r.yaml!,
    })),
  };
}

function isFile(file: string): boolean {
  try {
    return !fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function kustomization(resources: string[]): string {
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resources.map((r) => `  - ${r}`),
    '',
  ].join('\n');
}
