import * as path from 'node:path';
import picomatch from 'picomatch';
import type { FileHost } from '../../server/src/engine/workspace/fileHost';
import {
  ConsolidationWorkspace,
  DEFAULT_OPTIONS,
  type WorkspaceOptions,
} from '../../server/src/engine/workspace/consolidationWorkspace';

export const ROOT = '/ws';

/** Files held in memory under /ws, read through the same FileHost interface as the disk. */
export function memoryHost(files: Record<string, string>): FileHost {
  const absolute = new Map(Object.entries(files).map(([name, text]) => [path.join(ROOT, name), text]));
  return {
    readFile: (file) => absolute.get(file),
    glob: (base, patterns) =>
      [...absolute.keys()]
        .filter((file) => {
          const relative = path.relative(base, file);
          return !relative.startsWith('..') && patterns.some((p) => picomatch.isMatch(relative, p));
        })
        .sort(),
  };
}

export function workspaceOf(
  files: Record<string, string>,
  options: Partial<WorkspaceOptions> = {},
): ConsolidationWorkspace {
  return new ConsolidationWorkspace(memoryHost(files), { ...DEFAULT_OPTIONS, ...options });
}

/** A minimal plan around a spec body (YAML, indented under `spec:`). */
export function plan(spec: string): string {
  return `apiVersion: consolidation.dev/v1alpha1\nkind: ConsolidationPlan\nmetadata:\n  name: test\nspec:\n${spec
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n`;
}

export function deployment(
  name: string,
  options: {
    replicas?: number;
    containers: string;
    init?: string;
    namespace?: string;
    kind?: string;
    extraSpec?: string;
  },
): string {
  const kind = options.kind ?? 'Deployment';
  return `---
apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}${options.namespace ? `\n  namespace: ${options.namespace}` : ''}
spec:${options.replicas !== undefined ? `\n  replicas: ${options.replicas}` : ''}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:${options.extraSpec ? `\n${options.extraSpec}` : ''}${options.init ? `\n      initContainers:\n${options.init}` : ''}
      containers:
${options.containers}
`;
}

export function container(
  name: string,
  resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {},
): string {
  const list = (r?: Record<string, string>) =>
    r
      ? `{${Object.entries(r)
          .map(([k, v]) => `${k}: "${v}"`)
          .join(', ')}}`
      : undefined;
  const lines = [`        - name: ${name}`, `          image: example/${name}:1`];
  if (resources.requests || resources.limits) {
    lines.push('          resources:');
    if (resources.requests) lines.push(`            requests: ${list(resources.requests)}`);
    if (resources.limits) lines.push(`            limits: ${list(resources.limits)}`);
  }
  return lines.join('\n');
}
