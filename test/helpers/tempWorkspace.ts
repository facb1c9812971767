// Throw-away workspaces on disk for process-level tests (the CLI and the language server read the disk).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempWorkspace {
  /** Real path of the folder (no symlinks), so paths and file URIs compare equal to the server's. */
  dir: string;
  file(relative: string): string;
  write(relative: string, text: string): string;
  read(relative: string): string;
  remove(relative: string): void;
  dispose(): void;
}

/** A fresh folder under the OS temp folder, filled with `files` (relative path → text) and/or a copy of `copyFrom`. */
export function tempWorkspace(
  options: { files?: Record<string, string>; copyFrom?: string; prefix?: string } = {},
): TempWorkspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'consolidation-test-')));
  if (options.copyFrom) fs.cpSync(options.copyFrom, dir, { recursive: true });
  const file = (relative: string) => path.join(dir, ...relative.split('/'));
  const write = (relative: string, text: string) => {
    const target = file(relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    return target;
  };
  for (const [relative, text] of Object.entries(options.files ?? {})) write(relative, text);
  return {
    dir,
    file,
    write,
    read: (relative) => fs.readFileSync(file(relative), 'utf8'),
    remove: (relative) => fs.rmSync(file(relative), { force: true }),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A plan named shop over `manifests/*.yaml`; `phaseLines` are the lines under `phases:`, indented there. */
export function shopPlanYaml(phaseLines: string[]): string {
  return [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata: {name: shop}',
    'spec:',
    '  sources: [manifests/*.yaml]',
    '  phases:',
    ...phaseLines.map((line) => `    ${line}`),
    '',
  ].join('\n');
}

/** A Deployment with one container; `resources` is the YAML flow mapping of its resources, if any. */
export function deploymentYaml(
  name: string,
  options: { namespace?: string; replicas?: number; resources?: string } = {},
): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(options.namespace ? [`  namespace: ${options.namespace}`] : []),
    'spec:',
    ...(options.replicas !== undefined ? [`  replicas: ${options.replicas}`] : []),
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${name}}`,
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: example/${name}:1.0.0`,
    ...(options.resources ? [`          resources: ${options.resources}`] : []),
    '',
  ].join('\n');
}
