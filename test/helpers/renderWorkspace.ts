// Shared builders for the render and merge-diagnostic tests: small manifests written out in full, so each test
// says exactly what it feeds the engine, and helpers to find text in a plan and to apply a finding's quick fix.
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../../server/src/engine/rules/types';
import type { ConsolidationWorkspace } from '../../server/src/engine/workspace/consolidationWorkspace';
import { ROOT, workspaceOf } from './memoryHost';

export { ROOT, workspaceOf };

export const PLAN = `${ROOT}/test.plan.yaml`;
export const MANIFESTS = `${ROOT}/m.yaml`;

export interface PortSpec {
  port: number;
  name?: string;
  protocol?: string;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  ports?: PortSpec[];
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  /** Extra YAML lines of the container, indented 4 spaces relative to `- name:` (i.e. written at 10 spaces). */
  extra?: string[];
}

export interface WorkloadSpec {
  kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';
  namespace?: string;
  replicas?: number;
  labels?: Record<string, string>;
  containers: ContainerSpec[];
  init?: ContainerSpec[];
  /** Extra pod spec lines, written at 6 spaces (e.g. `serviceAccountName: sa`). */
  podSpec?: string[];
  /** Extra workload spec lines, written at 2 spaces (e.g. StatefulSet `volumeClaimTemplates`). */
  spec?: string[];
}

const flow = (map: Record<string, string>) =>
  `{${Object.entries(map)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(', ')}}`;

function containerYaml(c: ContainerSpec): string[] {
  const lines = [`        - name: ${c.name}`, `          image: ${c.image ?? `example/${c.name}:1`}`];
  if (c.ports?.length) {
    lines.push('          ports:');
    for (const p of c.ports) {
      lines.push(`            - containerPort: ${p.port}`);
      if (p.name) lines.push(`              name: ${p.name}`);
      if (p.protocol) lines.push(`              protocol: ${p.protocol}`);
    }
  }
  if (c.requests || c.limits) {
    lines.push('          resources:');
    if (c.requests) lines.push(`            requests: ${flow(c.requests)}`);
    if (c.limits) lines.push(`            limits: ${flow(c.limits)}`);
  }
  for (const line of c.extra ?? []) lines.push(`          ${line}`);
  return lines;
}

/** A workload document (starting with `---`), pod labels `app: <name>` plus `labels`. */
export function workload(name: string, spec: WorkloadSpec): string {
  const labels = { app: name, ...spec.labels };
  const lines = ['---', 'apiVersion: apps/v1', `kind: ${spec.kind ?? 'Deployment'}`, 'metadata:', `  name: ${name}`];
  if (spec.namespace) lines.push(`  namespace: ${spec.namespace}`);
  lines.push('spec:');
  if (spec.replicas !== undefined) lines.push(`  replicas: ${spec.replicas}`);
  lines.push('  selector:', `    matchLabels: {app: ${name}}`);
  for (const line of spec.spec ?? []) lines.push(`  ${line}`);
  lines.push('  template:', '    metadata:', `      labels: ${flow(labels)}`, '    spec:');
  for (const line of spec.podSpec ?? []) lines.push(`      ${line}`);
  if (spec.init?.length) {
    lines.push('      initContainers:');
    for (const c of spec.init) lines.push(...containerYaml(c));
  }
  lines.push('      containers:');
  for (const c of spec.containers) lines.push(...containerYaml(c));
  return lines.join('\n') + '\n';
}

/** A one-container Deployment with 100m/128Mi requests. */
export function simple(name: string, options: Omit<WorkloadSpec, 'containers'> & { ports?: PortSpec[] } = {}): string {
  return workload(name, {
    ...options,
    containers: [{ name, ports: options.ports, requests: { cpu: '100m', memory: '128Mi' } }],
  });
}

export function service(
  name: string,
  selector: Record<string, string>,
  ports: { port: number; targetPort?: number | string; name?: string; protocol?: string }[],
  namespace?: string,
): string {
  const lines = ['---', 'apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${name}`];
  if (namespace) lines.push(`  namespace: ${namespace}`);
  lines.push('spec:', `  selector: ${flow(selector)}`, '  ports:');
  for (const p of ports) {
    lines.push(`    - port: ${p.port}`);
    if (p.name) lines.push(`      name: ${p.name}`);
    if (p.targetPort !== undefined) lines.push(`      targetPort: ${p.targetPort}`);
    if (p.protocol) lines.push(`      protocol: ${p.protocol}`);
  }
  return lines.join('\n') + '\n';
}

export function claim(name: string, accessModes: string[], namespace?: string): string {
  return [
    '---',
    'apiVersion: v1',
    'kind: PersistentVolumeClaim',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  accessModes: [${accessModes.join(', ')}]`,
    '  resources:',
    '    requests: {storage: 1Gi}',
    '',
  ].join('\n');
}

export function hpa(name: string, target: { kind: string; name: string }, namespace?: string): string {
  return [
    '---',
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  scaleTargetRef: {apiVersion: apps/v1, kind: ${target.kind}, name: ${target.name}}`,
    '  minReplicas: 1',
    '  maxReplicas: 4',
    '',
  ].join('\n');
}

export function pdb(name: string, selector: Record<string, string>, namespace?: string): string {
  return [
    '---',
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  minAvailable: 1',
    '  selector:',
    `    matchLabels: ${flow(selector)}`,
    '',
  ].join('\n');
}

/** A whole plan file (no indentation games: the spec body is written as given, at 2 spaces). */
export function planText(spec: string[]): string {
  return [
    'apiVersion: consolidation.dev/v1alpha1',
    'kind: ConsolidationPlan',
    'metadata:',
    '  name: test',
    'spec:',
    ...spec.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

/** The offsets of the `occurrence`-th (0-based) `needle` in `text`, searched from `after` (a string that must precede it). */
export function rangeOf(
  text: string,
  needle: string,
  options: { after?: string; occurrence?: number } = {},
): { start: number; end: number } {
  let from = 0;
  if (options.after !== undefined) {
    const anchor = text.indexOf(options.after);
    assert.notEqual(anchor, -1, `anchor ${JSON.stringify(options.after)} is in the text`);
    from = anchor + options.after.length;
  }
  let start = text.indexOf(needle, from);
  for (let i = 0; i < (options.occurrence ?? 0) && start !== -1; i++) start = text.indexOf(needle, start + 1);
  assert.notEqual(start, -1, `${JSON.stringify(needle)} is in the text`);
  return { start, end: start + needle.length };
}

export function findingsOf(ws: ConsolidationWorkspace, code?: string, file = PLAN): Finding[] {
  return ws.findings.plan(file).filter((f) => code === undefined || f.code === code);
}

/** Applies non-overlapping edits (offsets into the original text). */
export function applyChanges(text: string, changes: { start: number; end: number; newText: string }[]): string {
  const sorted = [...changes].sort((a, b) => b.start - a.start);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].end <= sorted[i - 1].start, 'edits do not overlap');
  let out = text;
  for (const c of sorted) {
    assert.ok(0 <= c.start && c.start <= c.end && c.end <= text.length, `edit ${c.start}-${c.end} is within the text`);
    out = out.slice(0, c.start) + c.newText + out.slice(c.end);
  }
  return out;
}

/** The YAML parses without errors (the yaml package, independent of the engine's reader). */
export function assertParses(text: string, what: string): void {
  const docs = parseAllDocuments(text);
  const errors = (Array.isArray(docs) ? docs : []).flatMap((d) => d.errors.map((e) => e.message));
  assert.deepEqual(errors, [], `${what} parses as YAML:\n${text}`);
}

/** The edits-fix actions of a finding. */
export function actionsOf(
  finding: Finding,
): { title: string; changes: { start: number; end: number; newText: string }[] }[] {
  assert.ok(finding.data && finding.data.fix === 'edits', `${finding.code} carries an edits fix`);
  return finding.data.actions;
}
