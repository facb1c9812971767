import { type Document, isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { checkComposeQuantity } from '../quantity';
import { sourceLocation, type OffsetRange, type SourceLocation } from '../model/location';
import { CPU, MEMORY } from '../model/resources';
import type { ContainerPort, ManifestFile, QuantityField, WorkloadModel } from '../model/manifest';
import {
  asMap,
  asScalar,
  asSeq,
  deref,
  get,
  getIn,
  getPair,
  keyText,
  pairsOf,
  rangeOf,
  scalarSource,
  scalarValue,
} from '../yaml/nodes';
import { interpolate } from './composeInterpolation';
import { imageReferenceProblem } from './imageReference';
import {
  completedByOf,
  type ComposeRunFacts,
  effectiveFields,
  rememberComposeFacts,
  type ResourceSpellings,
  runModeOf,
  uniquePorts,
  validValues,
} from './composeLayers';

export { interpolate, parseDotEnv } from './composeInterpolation';
export type { Interpolated } from './composeInterpolation';
export { composeEnvironmentOf, composeRunModeOf, layerComposeWorkloads, runModeOf } from './composeLayers';
export type { ComposeRunFacts, ComposeRunMode } from './composeLayers';

export const GPU = 'nvidia.com/gpu';
const MAX_PORTS_PER_RANGE = 100;
const JOB_MODES = new Set(['replicated-job', 'global-job']);

type YMap = YAMLMap<unknown, unknown>;

/** Where a resource can be written, in the order of precedence within its spelling. */
interface ResourceSpelling {
  path: readonly string[];
  resource: string;
  kind: 'memory' | 'cpus';
}

const LIMIT_SPELLINGS: Record<keyof ResourceSpellings, ResourceSpelling[]> = {
  deploy: [
    { path: ['deploy', 'resources', 'limits', 'memory'], resource: MEMORY, kind: 'memory' },
    { path: ['deploy', 'resources', 'limits', 'cpus'], resource: CPU, kind: 'cpus' },
  ],
  service: [
    { path: ['mem_limit'], resource: MEMORY, kind: 'memory' },
    { path: ['cpus'], resource: CPU, kind: 'cpus' },
  ],
};

const REQUEST_SPELLINGS: Record<keyof ResourceSpellings, ResourceSpelling[]> = {
  deploy: [
    { path: ['deploy', 'resources', 'reservations', 'memory'], resource: MEMORY, kind: 'memory' },
    { path: ['deploy', 'resources', 'reservations', 'cpus'], resource: CPU, kind: 'cpus' },
  ],
  service: [{ path: ['mem_reservation'], resource: MEMORY, kind: 'memory' }],
};

/** What every field reader needs: the document, the file that collects problems, and the variables. */
interface ReadContext {
  doc: Document;
  file: ManifestFile;
  env: Record<string, string>;
}

/** A compose file: a mapping with `services` and no `apiVersion`/`kind`. */
export function isComposeDocument(doc: Document): boolean {
  const root = asMap(doc, doc.contents);
  return !!root && !!getPair(doc, root, 'services') && !getPair(doc, root, 'apiVersion') && !getPair(doc, root, 'kind');
}

/** Adds each service of a compose document as a workload (kind 'ComposeService', origin 'compose'). */
export function readComposeDocument(
  doc: Document,
  documentIndex: number,
  file: ManifestFile,
  env: Record<string, string>,
): void {
  const services = asMap(doc, get(doc, asMap(doc, doc.contents), 'services'));
  if (!services) return;
  const context: ReadContext = { doc, file, env };
  checkVariables(context);
  const read: { name: string; run: ComposeRunFacts; nameNode: Node; service: YMap }[] = [];
  for (const pair of pairsOf(doc, services)) {
    const name = keyText(pair.key);
    const service = asMap(doc, pair.value);
    if (name === undefined || !service) continue;
    read.push({ name, nameNode: pair.key as Node, service, run: readRun(context, service) });
  }
  // One-shot work is also what another service of the file waits to see completed.
  const completedBy = completedByOf(read);
  for (const { name, nameNode, service, run } of read) {
    file.workloads.push(readService(context, name, nameNode, service, documentIndex, run, completedBy.get(name)));
  }
}

/** DNS-1123 form of a compose service name (caddy_reverse_proxy → caddy-reverse-proxy): lowercase, `_` and `.` to `-`. */
export function dns1123(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}

function readService(
  context: ReadContext,
  name: string,
  nameNode: Node,
  service: YMap,
  documentIndex: number,
  run: ComposeRunFacts,
  completedBy: string | undefined,
): WorkloadModel {
  const { doc, file } = context;
  const location = sourceLocation(file.path, rangeOf(service));
  const nameLocation = sourceLocation(file.path, rangeOf(nameNode) ?? rangeOf(service));
  const replicas = readReplicas(context, service);
  const mode = runModeOf(run, completedBy);
  const limits = readSpellings(context, service, LIMIT_SPELLINGS);
  const requests = readSpellings(context, service, REQUEST_SPELLINGS);
  const gpus = readGpus(context, service);
  if (gpus) {
    limits.deploy[GPU] = gpus;
    requests.deploy[GPU] = gpus;
  }
  const limitFields = effectiveFields(limits);
  const requestFields = effectiveFields(requests);
  const workload: WorkloadModel = {
    id: `compose:${folderOf(file.path)}#${name}`,
    kind: 'ComposeService',
    origin: 'compose',
    name,
    namespace: undefined,
    aliases: dns1123(name) === name ? [] : [dns1123(name)],
    replicas: replicas.value,
    replicasLocation: replicas.location,
    containers: [
      {
        name,
        image: readImage(context, name, get(doc, service, 'image')),
        init: false,
        requests: validValues(requestFields),
        limits: validValues(limitFields),
        requestFields,
        limitFields,
        // Kompose turns `expose` into container ports and Service ports, as it does `ports`.
        ports: uniquePorts([
          ...readPorts(context, get(doc, service, 'ports')),
          ...readExpose(context, get(doc, service, 'expose')),
        ]),
        location,
        resourcesLocation: sourceLocation(file.path, resourcesKeyRange(doc, service) ?? nameLocation.range),
      },
    ],
    initContainers: [],
    podOverhead: {},
    podLabels: readLabels(context, get(doc, service, 'labels')),
    selector: undefined,
    selectorHasExpressions: false,
    serviceAccountName: undefined,
    steady: mode.steady,
    location,
    nameLocation,
    documentIndex,
  };
  rememberComposeFacts(workload, {
    restartDeclared: run.condition !== undefined || run.restart !== undefined || run.jobMode !== undefined,
    environment: readEnvironment(context, get(doc, service, 'environment')),
    limits,
    requests,
    run,
    mode,
  });
  return workload;
}

// ---- variables and images ----

const MAX_WALK_DEPTH = 64;

/**
 * Every value of the document is interpolated by compose, so every `${VARIABLE}` that `.env` does not
 * set is reported where it is written (compose reads it as an empty string), and every `${VAR:?msg}`
 * that fires or malformed `$` as an error (compose refuses the file). Aliases are not followed: the
 * anchored value is reported once, where it is written.
 */
function checkVariables(context: ReadContext): void {
  const problems = (context.file.composeProblems ??= []);
  const visit = (node: unknown, path: string[], depth: number): void => {
    if (depth > MAX_WALK_DEPTH) return;
    if (isScalar(node)) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const interpolated = interpolate(node.value, context.env);
      const location = sourceLocation(context.file.path, rangeOf(node));
      const field = path.join('.');
      // Environment values are often meant to come from the shell or CI (passwords, keys): a note there.
      const inEnvironment = path.length >= 3 && path[0] === 'services' && /^environment(\[\d+\])?$/.test(path[2]);
      for (const name of interpolated.missing) {
        problems.push({
          code: 'manifest/compose-variable',
          severity: inEnvironment ? 'information' : 'warning',
          message: `${field}: variable ${name} is not set in .env; compose reads it as an empty string (unless the shell sets it).`,
          location,
        });
      }
      for (const error of interpolated.errors) {
        problems.push({
          code: 'manifest/compose-variable',
          severity: 'error',
          message: `${field}: ${error}; compose refuses the file.`,
          location,
        });
      }
    } else if (isMap(node)) {
      for (const pair of node.items)
        if (isPair(pair)) visit(pair.value, [...path, keyText(pair.key) ?? '?'], depth + 1);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) =>
        visit(item, [...path.slice(0, -1), `${path.at(-1) ?? ''}[${index}]`], depth + 1),
      );
    }
  };
  visit(context.doc.contents, [], 0);
}

/** The interpolated `image`; one a runtime cannot pull (`${REGISTRY}/web:${TAG}` with both unset is `/web:`) is an error. */
function readImage(context: ReadContext, service: string, node: Node | undefined): string | undefined {
  const image = interpolatedString(context, node);
  if (image === undefined) return undefined;
  const problem = imageReferenceProblem(image);
  if (problem) {
    const raw = scalarValue(context.doc, node);
    const missing = typeof raw === 'string' ? interpolate(raw, context.env).missing : [];
    const unset = missing.length
      ? ` (${missing.length === 1 ? 'variable' : 'variables'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set)`
      : '';
    context.file.composeProblems!.push({
      code: 'manifest/invalid-image',
      severity: 'error',
      message: `${service}: image "${image}"${image === raw ? '' : ` (from "${String(raw)}")`} is not a valid image reference: ${problem}${unset}. The kubelet cannot pull it; generated manifests would fail.`,
      location: sourceLocation(context.file.path, rangeOf(deref(context.doc, node))),
    });
  }
  return image;
}

// ---- replicas and restart ----

function readReplicas(context: ReadContext, service: YMap): { value: number; location?: SourceLocation } {
  const { doc, file } = context;
  for (const node of [getIn(doc, service, ['deploy', 'replicas']), get(doc, service, 'scale')]) {
    const count = readCount(context, node);
    if (count !== undefined) return { value: count, location: sourceLocation(file.path, rangeOf(node)) };
  }
  return { value: 1 };
}

/** A non-negative integer written as a number or as a (possibly interpolated) string. */
function readCount(context: ReadContext, node: unknown): number | undefined {
  const value = scalarValue(context.doc, node);
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = interpolate(value, context.env).value.trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** What the one-shot rule (runModeOf) reads: restart settings, what the service serves, what it waits for. */
function readRun(context: ReadContext, service: YMap): ComposeRunFacts {
  const { doc } = context;
  // An empty value (an unset variable) counts as not written.
  const written = (node: unknown) => interpolatedString(context, node)?.trim() || undefined;
  const mode = written(getIn(doc, service, ['deploy', 'mode']));
  const restartNode = get(doc, service, 'restart');
  const listed = (key: string) => {
    const node = get(doc, service, key);
    return (asSeq(doc, node)?.items.length ?? 0) > 0;
  };
  return {
    condition: written(getIn(doc, service, ['deploy', 'restart_policy', 'condition'])),
    // `restart: no` is the boolean false under YAML 1.1.
    restart: scalarValue(doc, restartNode) === false ? 'no' : written(restartNode),
    jobMode: mode && JOB_MODES.has(mode) ? mode : undefined,
    ports: listed('ports'),
    expose: listed('expose'),
    healthcheck: hasHealthcheck(context, service),
    waitsForCompletionOf: completionDependencies(context, service),
  };
}

/** A `healthcheck` that checks something: not `disable: true`, not `test: ["NONE"]`. */
function hasHealthcheck(context: ReadContext, service: YMap): boolean {
  const { doc } = context;
  const check = asMap(doc, get(doc, service, 'healthcheck'));
  if (!check) return false;
  if (scalarValue(doc, get(doc, check, 'disable')) === true) return false;
  const test = get(doc, check, 'test');
  const first = asSeq(doc, test)?.items[0] ?? test;
  return interpolatedString(context, first)?.trim().toUpperCase() !== 'NONE';
}

/** The services named in the long form of `depends_on` with `condition: service_completed_successfully`. */
function completionDependencies(context: ReadContext, service: YMap): string[] {
  const { doc } = context;
  const dependsOn = asMap(doc, get(doc, service, 'depends_on'));
  if (!dependsOn) return [];
  return pairsOf(doc, dependsOn).flatMap((pair) => {
    const name = keyText(pair.key);
    const condition = interpolatedString(context, get(doc, asMap(doc, pair.value), 'condition'))?.trim();
    return name !== undefined && condition === 'service_completed_successfully' ? [name] : [];
  });
}

// ---- resources ----

function readSpellings(
  context: ReadContext,
  service: YMap,
  spellings: Record<keyof ResourceSpellings, ResourceSpelling[]>,
): ResourceSpellings {
  const read = (list: ResourceSpelling[]) => {
    const fields: Record<string, QuantityField> = {};
    for (const spelling of list) {
      const node = getIn(context.doc, service, spelling.path);
      if (node) fields[spelling.resource] = readQuantity(context, node, spelling.path.join('.'), spelling.kind);
    }
    return fields;
  };
  return { deploy: read(spellings.deploy), service: read(spellings.service) };
}

/** Reads one Docker quantity; problems go to `file.quantityProblems`, prefixed with the field path. */
function readQuantity(context: ReadContext, node: Node, fieldPath: string, kind: 'memory' | 'cpus'): QuantityField {
  const { doc, file } = context;
  const location = sourceLocation(file.path, rangeOf(node));
  const report = (message: string, severity: 'error' | 'warning', replacement?: string) =>
    file.quantityProblems.push({ message: `${fieldPath}: ${message}`, severity, replacement, location });
  if (!asScalar(doc, node)) {
    report(
      `expected a ${kind === 'memory' ? 'memory size such as 512M' : 'number of CPUs such as 0.5'}, not a ${asSeq(doc, node) ? 'list' : 'mapping'}`,
      'error',
    );
    return { raw: '', location };
  }
  const raw = scalarSource(doc, node);
  let text: string | number | null = raw ?? null;
  if (typeof raw === 'string') {
    // Unset and refused variables are reported for every field by checkVariables (manifest/compose-variable).
    const interpolated = interpolate(raw, context.env);
    text = interpolated.value;
    if (text.trim() === '' && (interpolated.missing.length > 0 || interpolated.errors.length > 0))
      return { raw, location };
  }
  const checked = checkComposeQuantity(kind, text);
  if (checked.problem) {
    // A replacement for the interpolated text would overwrite the variables written in the file.
    const replacement = text === raw ? checked.problem.replacement : undefined;
    report(checked.problem.message, checked.problem.severity, replacement);
  }
  return { raw: raw ?? '', value: checked.value, location };
}

/** GPUs reserved with `deploy.resources.reservations.devices: [{capabilities: [gpu], count: N}]`, summed. */
function readGpus(context: ReadContext, service: YMap): QuantityField | undefined {
  const { doc, file } = context;
  const devices = asSeq(doc, getIn(doc, service, ['deploy', 'resources', 'reservations', 'devices']));
  let total = 0;
  let first: QuantityField | undefined;
  let invalid = false;
  devices?.items.forEach((item, index) => {
    const device = asMap(doc, item);
    if (!device || !capabilitiesOf(context, device).includes('gpu')) return;
    const countNode = get(doc, device, 'count');
    const location = sourceLocation(
      file.path,
      rangeOf(countNode) ?? rangeOf(get(doc, device, 'capabilities')) ?? rangeOf(device),
    );
    const count = gpuCount(context, device, countNode);
    if (count === undefined) {
      invalid = true;
      file.quantityProblems.push({
        message: `deploy.resources.reservations.devices[${index}].count: expected a whole number of GPUs or "all"`,
        severity: 'error',
        location,
      });
    }
    total += count ?? 0;
    first ??= { raw: scalarSource(doc, countNode) ?? 'all', location };
  });
  if (!first) return undefined;
  return { ...first, value: invalid ? undefined : total };
}

function gpuCount(context: ReadContext, device: YMap, countNode: Node | undefined): number | undefined {
  const { doc } = context;
  if (!countNode) {
    const deviceIds = asSeq(doc, get(doc, device, 'device_ids'));
    // Neither count nor device_ids reserves all GPUs; counted as one like `count: all`.
    return deviceIds ? deviceIds.items.length : 1;
  }
  // `count: all` reserves every GPU of the host; a plan cannot know how many, so it counts as one.
  if (interpolatedString(context, countNode)?.trim().toLowerCase() === 'all') return 1;
  return readCount(context, countNode);
}

function capabilitiesOf(context: ReadContext, device: YMap): string[] {
  const { doc } = context;
  const items = asSeq(doc, get(doc, device, 'capabilities'))?.items ?? [];
  return items
    .flatMap((item) => asSeq(doc, item)?.items ?? [item])
    .map((item) => interpolatedString(context, item) ?? '');
}

/** The key a diagnostic about the service's resources points at. */
function resourcesKeyRange(doc: Document, service: YMap): OffsetRange | undefined {
  const deploy = asMap(doc, get(doc, service, 'deploy'));
  for (const pair of [
    getPair(doc, deploy, 'resources'),
    getPair(doc, service, 'mem_limit'),
    getPair(doc, service, 'cpus'),
    getPair(doc, service, 'mem_reservation'),
  ]) {
    const range = rangeOf(pair?.key as Node | undefined);
    if (range) return range;
  }
  return undefined;
}

// ---- ports, labels, environment ----

function readPorts(context: ReadContext, node: unknown): ContainerPort[] {
  const { doc, file } = context;
  const ports: ContainerPort[] = [];
  for (const item of asSeq(doc, node)?.items ?? []) {
    const long = asMap(doc, item);
    if (long) {
      const targetNode = get(doc, long, 'target');
      const target = parsePortNumber(interpolatedString(context, targetNode) ?? '');
      if (target === undefined) continue;
      ports.push({
        port: target,
        name: interpolatedString(context, get(doc, long, 'name')),
        protocol: (interpolatedString(context, get(doc, long, 'protocol')) || 'tcp').toUpperCase(),
        location: sourceLocation(file.path, rangeOf(targetNode)),
      });
      continue;
    }
    const short = parseShortPort(interpolatedString(context, item) ?? '');
    const location = sourceLocation(file.path, rangeOf(deref(doc, item)));
    for (const port of short?.ports ?? []) ports.push({ port, protocol: short!.protocol, location });
  }
  return uniquePorts(ports);
}

/** `expose: ["3306", "8000-8010", "9000/udp"]`: ports reachable by other services, not published. */
function readExpose(context: ReadContext, node: unknown): ContainerPort[] {
  const { doc, file } = context;
  const ports: ContainerPort[] = [];
  for (const item of asSeq(doc, node)?.items ?? []) {
    const spec = interpolatedString(context, item) ?? '';
    // An expose entry has no host part; one with a colon is not valid compose.
    const parsed = spec.includes(':') ? undefined : parseShortPort(spec);
    const location = sourceLocation(file.path, rangeOf(deref(doc, item)));
    for (const port of parsed?.ports ?? []) ports.push({ port, protocol: parsed!.protocol, location });
  }
  return ports;
}

/** Container ports of a short-syntax entry `[[ip:]host:]container[/protocol]`; ranges are expanded up to 100 ports. */
function parseShortPort(spec: string): { ports: number[]; protocol: string } | undefined {
  const slash = spec.lastIndexOf('/');
  const mapping = (slash < 0 ? spec : spec.slice(0, slash)).trim();
  const protocol = (slash < 0 ? 'tcp' : spec.slice(slash + 1).trim() || 'tcp').toUpperCase();
  const container = /^(\d+)(?:-(\d+))?$/.exec(mapping.slice(mapping.lastIndexOf(':') + 1));
  if (!container) return undefined;
  const first = parsePortNumber(container[1]);
  const last = container[2] === undefined ? first : parsePortNumber(container[2]);
  if (first === undefined || last === undefined || last < first) return undefined;
  const ports: number[] = [];
  for (let port = first; port <= last && ports.length < MAX_PORTS_PER_RANGE; port++) ports.push(port);
  return { ports, protocol };
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `labels` as a mapping or as a list of `key=value`. */
function readLabels(context: ReadContext, node: unknown): Record<string, string> {
  return readKeyValues(context, node, (key, value) => value ?? '');
}

/** `environment` as a mapping or a list of `KEY=value`; a bare `KEY` takes its value from the variables, or is left out. */
function readEnvironment(context: ReadContext, node: unknown): Record<string, string> {
  return readKeyValues(
    context,
    node,
    (key, value) => value ?? (Object.hasOwn(context.env, key) ? context.env[key] : undefined),
  );
}

function readKeyValues(
  context: ReadContext,
  node: unknown,
  resolve: (key: string, value: string | undefined) => string | undefined,
): Record<string, string> {
  const { doc } = context;
  const entries: [string, string | undefined][] = [];
  const map = asMap(doc, node);
  if (map) {
    for (const pair of pairsOf(doc, map)) {
      const key = keyText(pair.key);
      if (key !== undefined) entries.push([key, interpolatedString(context, pair.value)]);
    }
  }
  for (const item of asSeq(doc, node)?.items ?? []) {
    const text = interpolatedString(context, item);
    if (!text) continue;
    const equals = text.indexOf('=');
    entries.push(equals < 0 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)]);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const resolved = resolve(key, value);
    if (resolved !== undefined && key !== '__proto__') out[key] = resolved;
  }
  return out;
}

// ---- helpers ----

/** A scalar as a string with compose interpolation applied; undefined for non-scalars and nulls. */
function interpolatedString(context: ReadContext, node: unknown): string | undefined {
  const value = scalarValue(context.doc, node);
  if (typeof value === 'string') return interpolate(value, context.env).value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? '.' : slash === 0 ? path.slice(0, 1) : path.slice(0, slash);
}
